"""A big paste in a real browser: the count warns before sending, and a request over the upload limit comes back
as the form with every character kept and a clear message, never an error page."""

import re

from django.conf import settings
from django.test import Client
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


def test_with_javascript_a_paste_over_10mb_is_not_sent_and_stays_whole(transactional_db, live_server, page, sign_in):
    """More than the server would read (4 x 2.5 MB): the submit is stopped in the browser, nothing is lost."""
    page.set_default_timeout(90_000)  # Chromium lays out 10 MB of text slowly (seconds per step on 2 cores)
    sign_in(UserFactory())
    page.goto(f"{live_server.url}/feedback/new/")
    page.get_by_label("What Doesn't").check()
    page.get_by_label("Title").fill("The log I pasted")
    line = "log line " + "x" * 1040 + "\n"  # long lines, as a pasted JSON log has (short ones lay out slower)
    pasted_length = len(line) * 10_400  # 10,920,000 characters: more than the 10 MB the server reads
    body = page.get_by_label("What happened")
    body.evaluate(
        "(el, [line, times]) => { el.value = line.repeat(times); el.dispatchEvent(new Event('input', {bubbles: true})); }",
        [line, 10_400],
    )
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    # A CSS locator: a role query walks the accessibility tree, which holds the 10 MB value, and times out.
    page.locator("main form button[type=submit]").filter(has_text=re.compile(r"^\s*Post\s*$")).click()
    refusal = page.locator("#id_body-too-long")
    expect(refusal).to_have_text(
        "Not sent: this is 10,900,000 characters too long. Your text is still here: shorten it, then send it again.",
        timeout=90_000,
    )
    expect(refusal).to_have_attribute("role", "alert", timeout=90_000)
    expect(body).to_be_focused(timeout=90_000)
    expect(body).to_have_attribute("aria-invalid", "true", timeout=90_000)
    assert "id_body-too-long" in body.get_attribute("aria-describedby")
    assert body.evaluate("el => el.value.length") == pasted_length
    assert body.evaluate("(el, line) => el.value === line.repeat(10400)", line)
    assert page.url == f"{live_server.url}/feedback/new/"
    page.wait_for_timeout(300)
    assert posts == [] and not Feedback.objects.exists()
    # Shortened to within the limit, the message goes and the post goes through.
    body.fill("Short enough now.")
    expect(refusal).to_have_count(0, timeout=90_000)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("heading", name="The log I pasted")).to_be_visible()
    assert Feedback.objects.get().body == "Short enough now."


def test_without_javascript_a_3mb_paste_comes_back_whole_with_a_message(transactional_db, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    client = Client()
    client.force_login(UserFactory())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/feedback/new/")
    page.get_by_label("What Doesn't").check()
    page.get_by_label("Title").fill("The log I pasted")
    pasted = "line of a pasted log file\n" * 120_000  # 3,120,000 characters: over the 2.5 MB upload limit
    page.get_by_label("What happened").evaluate("(el, text) => { el.value = text; }", pasted)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("more than the site takes in one go")
    expect(page.get_by_text("Keep it to 20000 characters or fewer")).to_be_visible()
    assert page.get_by_label("What happened").input_value() == pasted
    assert page.get_by_label("Title").input_value() == "The log I pasted"
    assert not Feedback.objects.exists()
    context.close()
