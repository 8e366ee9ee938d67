"""A big paste in a real browser: the count warns before sending, and a request over the upload limit comes back
as the form with every character kept and a clear message, never an error page."""

import re

from playwright.sync_api import expect

from feedback.models import Feedback
from tests.factories import UserFactory


def paste(field, text: str) -> None:
    """What a paste does: the whole text lands in the field at once and an input event fires."""
    field.evaluate("(el, text) => { el.value = text; el.dispatchEvent(new Event('input', {bubbles: true})); }", text)


def test_the_live_count_starts_near_the_limit_and_counts_a_line_break_once(
    transactional_db, live_server, page, sign_in
):
    sign_in(UserFactory())
    page.goto(f"{live_server.url}/feedback/new/")
    body = page.get_by_label("What happened")
    body.fill("short")
    expect(page.locator("#id_body-count")).to_have_text("")
    paste(body, "a" * 8_000 + "\n" * 8_000 + "b" * 500)  # 16,500 as the browser counts, 24,500 as CRLF on the wire
    expect(page.locator("#id_body-count")).to_have_text("3,500 characters left")
    paste(body, "c" * 20_010)
    expect(page.locator("#id_body-count")).to_have_text("10 characters too many")
    expect(page.locator("#id_body-count")).to_have_class(re.compile("over"))
    paste(body, "🙂" * 19_990)  # one character each for the server, two UTF-16 units for JavaScript
    expect(page.locator("#id_body-count")).to_have_text("10 characters left")


def test_a_3mb_paste_comes_back_whole_with_a_message(transactional_db, live_server, page, sign_in):
    sign_in(UserFactory())
    page.goto(f"{live_server.url}/feedback/new/")
    page.get_by_label("What Doesn't").check()
    page.get_by_label("Title").fill("The log I pasted")
    pasted = "line of a pasted log file\n" * 120_000  # 3,120,000 characters: over the 2.5 MB upload limit
    paste(page.get_by_label("What happened"), pasted)
    expect(page.locator("#id_body-count")).to_have_text("3,100,000 characters too many")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("more than the site takes in one go")
    expect(page.get_by_text("Keep it to 20000 characters or fewer")).to_be_visible()
    assert page.get_by_label("What happened").input_value() == pasted
    assert page.get_by_label("Title").input_value() == "The log I pasted"
    assert not Feedback.objects.exists()
