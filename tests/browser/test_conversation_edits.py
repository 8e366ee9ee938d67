"""In a real browser: an emailed invitation to a new address arrives at a real SMTP server once and signs the
newcomer up into the movement; editing a post with the live preview, its history and the tombstone; quick
"me too" clicks end in the state of the last one. axe-core on every new or changed page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from feedback import services as feedback_services
from feedback.models import Feedback, FeedbackRevision, Vote
from movements import services as movement_services
from movements.models import Membership
from nudges.models import Kind, Nudge
from nudges.services import delivery
from people.models import User
from tests.factories import DEFAULT_PASSWORD, FeedbackFactory, UserFactory
from tests.nudges.conftest import Inbox, free_port, wait_for


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on loopback; the site's mail goes to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    inbox.release.set()
    controller.stop()


def test_an_emailed_invitation_arrives_once_and_signs_the_newcomer_up_into_the_movement(
    transactional_db, live_server, page, login_in_browser, axe, smtp_inbox, settings
):
    settings.SIGNUP_OPEN, settings.SIGNUP_ALLOWED_DOMAINS = True, ["acme.com"]
    founder = UserFactory(display_name="Fiona Founder")
    movement = movement_services.movement_start(founder=founder, title="Working out loud", pitch="Share early.")
    inviter = UserFactory(display_name="Ivan Inviter")
    movement_services.membership_join(movement=movement, person=inviter)

    login_in_browser(inviter)
    page.goto(f"{live_server.url}/movements/{movement.slug}/invite/")
    page.get_by_label("Or invite by email address").fill("newbie@acme.com")
    page.get_by_label("Personal note").fill("You asked about this at lunch.")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to newbie@acme.com.")).to_be_visible()
    row = page.locator("#sent tr", has_text="newbie@acme.com")
    expect(row.get_by_text("Pending")).to_be_visible()
    assert axe(page) == []

    # What a worker does, twice (a retry or a second worker): the email goes out once.
    nudge = Nudge.objects.get(kind=Kind.INVITATION_EMAIL)
    assert delivery.nudge_deliver(nudge_id=nudge.pk) == delivery.Outcome.SENT
    assert delivery.nudge_deliver(nudge_id=nudge.pk) == delivery.Outcome.SKIPPED
    wait_for(lambda: smtp_inbox.per_key()[nudge.dedupe_key] == 1, message="the invitation email")
    message = smtp_inbox.for_key(nudge.dedupe_key)[0]
    assert message["To"] == "newbie@acme.com"
    text = message.get_body(("plain",)).get_content()
    assert "You asked about this at lunch." in text and "Ivan Inviter" in text
    link = re.search(r"https?://\S+/movements/invitations/\S+/", text).group(0)

    page.context.clear_cookies()
    page.goto(live_server.url + urlsplit(link).path)
    expect(page.get_by_role("heading", name=re.compile("Ivan Inviter invites you"))).to_be_visible()
    assert axe(page) == []
    page.get_by_role("link", name="Create an account").click()
    page.locator("input[name=email]").fill("newbie@acme.com")
    page.locator("input[name=password1]").fill("a-long-pass-phrase-1")
    page.locator("input[name=password2]").fill("a-long-pass-phrase-1")
    page.locator("form", has=page.locator("input[name=password2]")).get_by_role("button").last.click()
    page.get_by_role("button", name="Accept and join").click()
    page.wait_for_url(f"{live_server.url}/movements/{movement.slug}/")
    newcomer = User.objects.get(email="newbie@acme.com")
    membership = Membership.objects.get(movement=movement, person=newcomer)
    assert membership.recruited_by == inviter
    assert smtp_inbox.per_key()[nudge.dedupe_key] == 1


def test_the_author_edits_with_a_live_preview_then_withdraws_and_the_thread_stays(
    transactional_db, live_server, page, login_in_browser, axe
):
    author = UserFactory(display_name="Ada Author")
    post = FeedbackFactory(author=author, title="Meetings run long", body="They do.")
    feedback_services.comment_add(feedback=post, author=UserFactory(display_name="Cora Commenter"), body="Agreed")

    login_in_browser(author)
    page.goto(f"{live_server.url}/feedback/{post.pk}/edit/")
    page.get_by_label("What happened").fill("They **really** do.")
    preview = page.locator("#id_body_preview")
    expect(preview.locator("strong")).to_have_text("really")  # htmx asked the server while typing
    assert axe(page) == []
    page.get_by_label("Title").fill("Meetings run far too long")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/feedback/{post.pk}/")
    expect(page.get_by_role("heading", name="Meetings run far too long")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("link", name=re.compile("edited")).click()
    expect(page.get_by_text("Meetings run long", exact=True)).to_be_visible()
    assert axe(page) == []
    assert FeedbackRevision.objects.filter(feedback=post).count() == 1

    page.goto(f"{live_server.url}/feedback/{post.pk}/")
    page.get_by_role("link", name="Withdraw").click()
    page.get_by_role("button", name="Withdraw the post").click()
    expect(page.get_by_role("heading", name="Withdrawn post")).to_be_visible()
    expect(page.get_by_text("Agreed")).to_be_visible()
    assert axe(page) == []
    assert Feedback.objects.get(pk=post.pk).withdrawn_at is not None


def test_quick_me_too_clicks_end_in_the_state_of_the_last_click(transactional_db, live_server, page, login_in_browser):
    voter = UserFactory()
    post = FeedbackFactory(title="Too many tools")
    login_in_browser(voter)
    for clicks, voted in ((3, True), (2, False)):
        Vote.objects.filter(feedback=post).delete()
        Feedback.objects.filter(pk=post.pk).update(vote_count=0)
        page.goto(f"{live_server.url}/feedback/{post.pk}/")
        button = page.locator(".vote-form button")
        for _ in range(clicks):
            button.click(no_wait_after=True)
        expect(button).to_have_attribute("aria-pressed", "true" if voted else "false")
        page.wait_for_load_state("networkidle")
        post.refresh_from_db()
        assert Vote.objects.filter(feedback=post).count() == post.vote_count == (1 if voted else 0), clicks


def test_a_comment_sent_after_the_session_expired_comes_back_with_its_text_after_signing_in(
    transactional_db, live_server, page, login_in_browser, axe
):
    from django.conf import settings as django_settings

    from feedback.models import Comment

    person = UserFactory(display_name="Sam Signedout")
    post = FeedbackFactory(title="Printers jam")
    login_in_browser(person)
    page.goto(f"{live_server.url}/feedback/{post.pk}/")
    page.locator("#id_body").fill("A long thought I do not want to type twice.")
    # The session ends on the server (expired); the tab still shows the form.
    cookies = [c for c in page.context.cookies() if c["name"] != django_settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(cookies)
    page.get_by_role("button", name="Comment", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(rf"/feedback/{post.pk}/\?restored="))
    expect(page.get_by_text("What you wrote is back in the form below")).to_be_visible()
    expect(page.locator("#id_body")).to_have_value("A long thought I do not want to type twice.")
    assert axe(page) == []
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    # Back to the form as it was, and Send again: still one comment.
    page.go_back()
    if page.locator("#id_body").input_value():
        page.get_by_role("button", name="Comment", exact=True).click()
        page.wait_for_load_state("networkidle")
    assert Comment.objects.filter(feedback=post, author=person).count() == 1
