"""Long and big input on the feedback form: the limit is shown, line breaks count once, nothing is cut silently,
and a request over the upload limit comes back as the form with the text kept."""

import html
import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from feedback.models import Feedback

NEW = "/feedback/new/"


def _form(**fields) -> dict:
    return {"kind": "doesnt", "title": "Line breaks", "body": "Body.", **fields}


def _post_form(client, url: str, data: dict):
    """As a browser sends a form: urlencoded (the test client's default is multipart)."""
    return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")


def _textarea_value(response) -> str:
    match = re.search(r'<textarea name="body"[^>]*>\n?(.*?)</textarea>', response.content.decode(), re.S)
    return html.unescape(match.group(1))


def test_the_form_states_each_limit_and_lets_the_browser_send_everything(client, author):
    client.force_login(author)
    page = client.get(NEW).content.decode()
    assert "Up to 200 characters." in page and "Up to 20,000 characters." in page
    assert 'data-maxlength="20000"' in page and 'data-maxlength="200"' in page
    # No maxlength on what people write: a browser would cut a long paste without a word.
    assert not re.search(r'name="(title|body)"[^>]*\smaxlength=', page)


def test_a_line_break_counts_once_like_in_the_browser(client, author):
    """20,000 characters in the textarea (line breaks included) is 20,000 + line breaks on the wire (CRLF)."""
    client.force_login(author)
    lines = ["x" * 99] * 200  # 200 lines of 99 letters and 199 breaks: 19,999 characters as the browser counts
    body = "\r\n".join(lines)
    assert len(body) > 20_000
    response = _post_form(client, NEW, _form(body=body))
    assert response.status_code == 302
    assert Feedback.objects.get().body == "\n".join(lines)


def test_a_body_over_the_limit_is_refused_with_its_size_and_kept(client, author):
    client.force_login(author)
    body = "y" * 20_001
    response = _post_form(client, NEW, _form(body=body))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Keep it to 20000 characters or fewer; it has 20001." in page
    assert _textarea_value(response) == body
    assert not Feedback.objects.exists()


def test_a_title_over_the_limit_is_refused_not_cut(client, author):
    client.force_login(author)
    title = "Long title " * 25
    response = _post_form(client, NEW, _form(title=title))
    assert response.status_code == 200
    assert "Keep it to 200 characters or fewer; it has 274." in response.content.decode()
    assert f'value="{title}"' in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_request_over_the_upload_limit_comes_back_as_the_form_with_the_text(client, author, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    client.force_login(author)
    body = "Paste " * 20_000  # 120,000 characters: over the upload limit, well under the 4x we still read
    response = _post_form(client, NEW, _form(body=body))
    assert response.status_code == 200
    page = response.content.decode()
    assert "That was more than the site takes in one go" in page
    assert "Keep it to 20000 characters or fewer; it has 119999." in page
    assert _textarea_value(response) == body
    assert not Feedback.objects.exists()


def test_a_request_far_over_the_limit_keeps_what_was_read_and_saves_nothing(client, author, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(author)
    response = _post_form(client, NEW, _form(body="z" * 100_000))
    assert response.status_code == 200
    kept = _textarea_value(response)
    assert 30_000 < len(kept) < 40_000 and set(kept) == {"z"}  # the first 40,000 bytes of the request
    assert not Feedback.objects.exists()


def test_a_request_cut_short_says_plainly_that_the_rest_was_not_received(client, author, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(author)
    response = _post_form(client, NEW, _form(body="z" * 100_000))
    page = html.unescape(response.content.decode())
    assert "That was more than the site takes in one go (97.7\xa0KB), and more than it can hand back" in page
    assert "only the first 39.1\xa0KB arrived" in page
    assert "The end of what you wrote was not received and is missing below" in page
    assert "What you wrote is below" not in page  # that sentence is for a request read whole


def test_a_request_read_whole_does_not_claim_anything_is_missing(client, author, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    client.force_login(author)
    page = html.unescape(_post_form(client, NEW, _form(body="Paste " * 20_000)).content.decode())
    assert "What you wrote is below: shorten it and send it again." in page
    assert "was not received" not in page


@pytest.mark.parametrize("extra", [0, 1, 2, 3, 4, 5])
def test_a_cut_through_an_escaped_character_keeps_only_whole_characters(client, author, settings, extra):
    """An é travels as %C3%A9 (6 bytes): wherever the cut falls, the kept text is whole characters, no U+FFFD."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000 + extra
    client.force_login(author)
    body = "a" * 19_000 + "é" * 20_000  # the cut falls among the é escapes, the kept text is still too long
    response = _post_form(client, NEW, _form(body=body))
    kept = _textarea_value(response)
    assert len(kept) > 20_000 and kept == body[: len(kept)]  # whole characters only, no U+FFFD at the end
    assert not Feedback.objects.exists()


def test_a_too_big_request_still_needs_its_csrf_token(author, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    response = _post_form(client, NEW, _form(body="z" * 20_000))
    assert response.status_code == 403
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("url", ["/movements/new/", NEW])
def test_a_too_big_request_is_never_an_error_page(client, author, settings, url):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(author)
    response = _post_form(client, url, {"title": "t" * 30_000, "pitch": "p"})
    assert response.status_code == 200
    assert "Keep it to 200 characters or fewer; it has 30000." in response.content.decode()


def test_an_emoji_counts_as_one_character_as_the_live_count_says(client, author):
    client.force_login(author)
    response = _post_form(client, NEW, _form(body="🙂" * 20_000))
    assert response.status_code == 302
    assert len(Feedback.objects.get().body) == 20_000
