"""A tab left open after signing out elsewhere: a filter click goes to the login page, and the
bell's poll leaves the header alone instead of swapping the login page into it."""

import re

from playwright.sync_api import expect

from tests.factories import FeedbackFactory, UserFactory


def test_a_click_in_a_signed_out_tab_goes_to_login_and_the_bell_stays_quiet(
    transactional_db, live_server, page, sign_in
):
    FeedbackFactory(title="Printers jam", kind="doesnt")
    sign_in(UserFactory())
    # The bell loads its count after the page: wait for that answer, or the trigger below could land while
    # the first request is still in flight (htmx drops it) and never reach the server.
    with page.expect_response(lambda r: "/notifications/bell/" in r.url, timeout=15_000):
        page.goto(f"{live_server.url}/feedback/")
    expect(page.locator("#nudges-bell")).to_be_visible()
    page.context.clear_cookies()  # signed out in another tab

    # Waits for the bell's answer itself (a fixed pause was too short on a busy machine).
    with page.expect_response(lambda r: "/notifications/bell/" in r.url, timeout=15_000) as bell_answer:
        page.evaluate("htmx.trigger('#nudges-bell', 'nudges-read')")
    assert bell_answer.value.status == 204
    assert page.locator("header form#login_form, header input[type=password]").count() == 0
    expect(page.locator("#nudges-bell")).to_be_visible()

    page.get_by_role("link", name=re.compile("^What Doesn't")).click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    assert "next=%2Ffeedback%2F" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    assert page.locator("header input[type=password]").count() == 0
