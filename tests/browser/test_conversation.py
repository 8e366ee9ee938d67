"""The conversation loop in a real browser: A mentions B in a comment (picked from the suggestions with the
keyboard), B sees the bell count and the link, B replies, and A, who watches the post since commenting,
gets one batched notification. The Watch button and the replies to an update pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conversation.models import Watch
from conversation.services import reply_add
from feedback.models import Feedback
from movements import services as movement_services
from nudges import services
from nudges.models import Kind, Nudge
from socialbiz.celery import app as celery_app
from tests.factories import FeedbackFactory, MovementFactory, UserFactory


@pytest.fixture
def quick_bell(settings):
    settings.NUDGES_BELL_POLL_SECONDS = 1


@pytest.fixture
def no_worker_queue():
    """This test delivers in-process; drop the after-commit hand-offs left for a worker that is not running."""
    yield
    celery_app.control.purge()


def switch_to(page, login_in_browser, person):
    page.context.clear_cookies()
    login_in_browser(person)


def deliver(kind, recipient) -> Nudge:
    """The batch window is over: what the relay and a worker would do, in-process."""
    [nudge] = Nudge.objects.filter(kind=kind, recipient=recipient, sent_at__isnull=True)
    Nudge.objects.filter(pk=nudge.pk).update(due_at=nudge.created_at)
    assert services.nudge_deliver(nudge_id=nudge.pk) in (services.Outcome.SENT, services.Outcome.IN_APP_ONLY)
    return nudge


def test_a_mention_a_reply_and_one_batched_notification(
    transactional_db, live_server, page, login_in_browser, quick_bell, no_worker_queue, axe
):
    alice = UserFactory(display_name="Alice Asker", email="alice@example.com")
    bob = UserFactory(display_name="Bob Builder", email="bob.builder@example.com")
    post = FeedbackFactory(title="Stand-ups run long", author=UserFactory())

    # A types "@bob" in a comment, picks Bob from the suggestions with the keyboard, and posts.
    login_in_browser(alice)
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    field = page.get_by_role("textbox", name="Your comment")
    field.click()
    field.press_sequentially("Have a look, @bob")
    option = page.get_by_role("option", name="Bob Builder")
    expect(option).to_be_visible()
    assert axe(page) == []  # the page with its Watch button and the open suggestions
    field.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    field.press("Enter")
    expect(field).to_have_value("Have a look, @bob.builder ")
    page.get_by_role("button", name="Comment").click()
    page.wait_for_url(f"**{post.get_absolute_url()}**")
    expect(page.locator("a.mention", has_text="@Bob Builder")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Watch\b"))).to_have_attribute("aria-pressed", "true")

    # B sees the bell count and the link to the comment.
    deliver(Kind.MENTIONED, bob)
    switch_to(page, login_in_browser, bob)
    bell = page.locator("#nudges-bell")
    expect(bell.locator(".nudges-bell-count")).to_have_text("1 unread", timeout=10_000)
    bell.click()
    page.get_by_role("link", name="Alice Asker mentioned you in “Stand-ups run long”.").click()
    page.wait_for_url(f"**{post.get_absolute_url()}#comment-*")

    # B replies twice within the batch window.
    for text in ("Agreed, ten minutes is enough.", "And stand up for real."):
        page.get_by_role("textbox", name="Your comment").fill(text)
        page.get_by_role("button", name="Comment").click()
        expect(page.get_by_text(text)).to_be_visible()

    # A, watching since commenting, gets one notification for both.
    assert Watch.objects.get(person=alice, feedback=post).watching
    nudge = deliver(Kind.WATCHED_ACTIVITY, alice)
    assert nudge.context == {"counts": {"comment": 2}}
    switch_to(page, login_in_browser, alice)
    expect(page.locator("#nudges-bell .nudges-bell-count")).to_have_text("1 unread", timeout=10_000)
    page.locator("#nudges-bell").click()
    expect(page.get_by_role("link", name="2 new comments on “Stand-ups run long”")).to_be_visible()
    assert axe(page) == []
    assert Nudge.objects.filter(recipient=alice).count() == 1
    assert Feedback.objects.get(pk=post.pk).comments.count() == 3


def test_the_movement_page_with_watch_button_and_replies_passes_axe(
    transactional_db, live_server, page, login_in_browser, no_worker_queue, axe
):
    movement = MovementFactory(title="Working out loud")
    member = UserFactory(display_name="Mia Member")
    movement_services.membership_join(movement=movement, person=member)
    update = movement_services.update_post(movement=movement, author=member, body="We met today.")
    reply_add(update=update, author=movement.founder, body="Great, thanks!")
    visitor = UserFactory()
    login_in_browser(visitor)
    page.goto(f"{live_server.url}{movement.get_absolute_url()}")
    watch = page.get_by_role("button", name=re.compile(r"^Watch\b.*Working out loud"))
    expect(watch).to_have_attribute("aria-pressed", "false")
    watch.click()  # htmx swaps the button
    expect(page.get_by_role("button", name=re.compile(r"^Watch\b.*Working out loud"))).to_have_attribute(
        "aria-pressed", "true"
    )
    assert Watch.objects.get(person=visitor, movement=movement).watching
    page.get_by_text("Reply (1)").click()
    expect(page.get_by_role("textbox", name="Your reply")).to_be_visible()
    assert axe(page) == []
