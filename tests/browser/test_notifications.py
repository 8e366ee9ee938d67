"""The bell in the header shows a new notification (htmx, no reload) and its count drops after reading."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import expect

from movements.models import Membership
from nudges import services
from nudges.models import Kind, Nudge
from socialbiz.celery import app as celery_app
from tests import events
from tests.factories import MovementFactory, UserFactory


@pytest.fixture
def quick_bell(settings):
    settings.NUDGES_BELL_POLL_SECONDS = 1


@pytest.fixture
def no_worker_queue():
    """This test delivers in-process; drop the after-commit hand-off it left for a worker that is not running."""
    yield
    celery_app.control.purge()


def test_bell_shows_a_new_notification_and_the_count_drops_after_reading(
    transactional_db, live_server, page, login_in_browser, quick_bell, no_worker_queue, mailoutbox, axe
):
    follower = UserFactory(display_name="Fiona Follower")
    movement = MovementFactory(title="Working out loud")
    login_in_browser(follower)
    bell = page.locator("#nudges-bell")
    expect(bell).to_contain_text("Notifications")
    expect(bell.locator(".nudges-bell-count")).to_have_count(0)

    with transaction.atomic():
        membership = Membership.objects.create(movement=movement, person=follower, position=2)
        events.member_joined(membership=membership)
    nudge = Nudge.objects.get(kind=Kind.FIRST_FOLLOWER_WELCOME, recipient=follower)
    assert services.nudge_deliver(nudge_id=nudge.pk) == services.Outcome.SENT

    # The bell polls with htmx: the count appears without reloading the page.
    expect(bell.locator(".nudges-bell-count")).to_have_text("1 unread", timeout=10_000)

    bell.click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
    expect(page.get_by_role("link", name="You are one of the first followers of “Working out loud”")).to_be_visible()
    assert axe(page) == []

    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(page.locator("#nudges-bell .nudges-bell-count")).to_have_count(0)
    nudge.refresh_from_db()
    assert nudge.read_at is not None


def test_notification_settings_page_is_accessible_and_keeps_invitations_on(
    transactional_db, live_server, page, login_in_browser, axe
):
    person = UserFactory()
    login_in_browser(person)
    page.goto(f"{live_server.url}/settings/notifications/")
    assert page.get_by_role("heading", level=1).inner_text() == "Notification settings"
    expect(page.get_by_label("In the portal: Invitations")).to_be_disabled()
    page.get_by_label("Email: Weekly digest").uncheck()
    page.get_by_role("button", name="Save choices").click()
    expect(page.get_by_text("Your notification choices are saved.")).to_be_visible()
    expect(page.get_by_label("Email: Weekly digest")).not_to_be_checked()
    assert axe(page) == []
