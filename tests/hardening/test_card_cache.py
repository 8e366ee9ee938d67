"""The list pages' cards come from the cache (socialbiz/fragments.py): every write that changes what a
card shows must show on the next page view, whoever made it and however (service or plain UPDATE)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import Feedback, Status, Tag
from movements.models import Movement, Stage
from people.models import Department, User
from tests.factories import FeedbackFactory, MembershipFactory, MovementFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(person, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(person)
    return client


def card_of(html: str, title: str) -> str:
    """The <li> card whose link text is `title`."""
    for card in html.split('<li class="card ')[1:]:
        if f">{title}</a>" in card:
            # Up to the card's own end (it holds a <ul> of topics); without the per-request CSRF mask.
            card = re.split(r"</form>\s*</li>|</div>\s*</li>", card, maxsplit=1)[0]
            return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', card)
    raise AssertionError(f"no card titled {title!r}")


def cached_cards(name: str) -> int:
    return len(cache.keys(f"card:{name}:*"))


def test_a_feedback_card_shows_every_change_on_the_next_view():
    department = Department.objects.create(name="Finance")
    author = UserFactory(display_name="Ada Author", department=department)
    viewer, voter = UserFactory(), UserFactory()
    movement = MovementFactory(title="Paperless invoices")
    tag = TagFactory(name="Meetings")
    post = FeedbackFactory(
        title="Stand-ups work", author=author, movement=movement, created_at=timezone.now() - timedelta(days=3)
    )
    post.tags.add(tag)
    client = signed_in(viewer)

    card = card_of(client.get("/feedback/").content.decode(), "Stand-ups work")
    assert '<span class="vote-count">0</span>' in card and 'aria-pressed="false"' in card
    assert "Ada Author (Finance)" in card and "Paperless invoices" in card and "Meetings" in card
    assert cached_cards("post") == 1
    # The same page again is served from the cache and reads the same.
    assert card_of(client.get("/feedback/").content.decode(), "Stand-ups work") == card

    feedback_services.vote_set(feedback=post, person=voter, voted=True)
    card = card_of(client.get("/feedback/").content.decode(), "Stand-ups work")
    assert '<span class="vote-count">1</span>' in card and 'aria-pressed="false"' in card

    feedback_services.vote_set(feedback=Feedback.objects.get(pk=post.pk), person=viewer, voted=True)
    card = card_of(client.get("/feedback/").content.decode(), "Stand-ups work")
    assert '<span class="vote-count">2</span>' in card and 'aria-pressed="true"' in card

    # Writes that bypass every service: a rename, a department rename, a status, a tag, a comment count.
    User.objects.filter(pk=author.pk).update(display_name="Ada Lovelace")
    Department.objects.filter(pk=department.pk).update(name="Accounts")
    Movement.objects.filter(pk=movement.pk).update(title="No more paper")
    Feedback.objects.filter(pk=post.pk).update(status=Status.PLANNED, comment_count=3, title="Stand-ups still work")
    Tag.objects.filter(pk=tag.pk).update(name="Daily meetings")
    card = card_of(client.get("/feedback/").content.decode(), "Stand-ups still work")
    for shown in ("Ada Lovelace (Accounts)", "No more paper", "3 comments", "Daily meetings", "status-planned"):
        assert shown in card


def test_a_cached_card_never_carries_another_persons_vote_or_csrf_token():
    post = FeedbackFactory(title="Shared calendars")
    alice, bob = UserFactory(), UserFactory()
    feedback_services.vote_set(feedback=post, person=alice, voted=True)
    alice_page = signed_in(alice, enforce_csrf_checks=True).get("/feedback/").content.decode()
    bob_client = signed_in(bob, enforce_csrf_checks=True)
    bob_page = bob_client.get("/feedback/").content.decode()
    assert 'aria-pressed="true"' in card_of(alice_page, "Shared calendars")
    assert 'aria-pressed="false"' in card_of(bob_page, "Shared calendars")
    alice_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', alice_page)[1]
    bob_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', bob_page.split("feedback-card", 1)[1])[1]
    assert alice_token != bob_token and "csrf-token-of-the-viewer" not in bob_page
    # Bob's card's token is good for Bob's session: his "Me too" goes through the CSRF check.
    response = bob_client.post(f"/feedback/{post.pk}/vote/", {"csrfmiddlewaretoken": bob_token, "state": "vote"})
    assert response.status_code in (200, 302)
    assert post.votes.filter(person=bob).exists()


def test_relative_dates_on_cached_cards_move_with_the_clock():
    FeedbackFactory(title="Async updates", created_at=timezone.now() - timedelta(hours=5, minutes=50))
    client = signed_in(UserFactory())
    assert "5\xa0hours ago" in card_of(client.get("/feedback/").content.decode(), "Async updates")
    # Twenty minutes on (within the idle timeout), the same card reads an hour older.
    with time_machine.travel(timezone.now() + timedelta(minutes=20), tick=False):
        assert "6\xa0hours ago" in card_of(client.get("/feedback/").content.decode(), "Async updates")


def test_a_movement_card_shows_every_change_on_the_next_view():
    founder = UserFactory(display_name="Fay Founder")
    movement = MovementFactory(title="Working out loud", founder=founder)
    client = signed_in(UserFactory())
    card = card_of(client.get("/movements/").content.decode(), "Working out loud")
    assert "Fay Founder" in card and "0 followers" in card
    assert cached_cards("movement") == 1

    follower = UserFactory(display_name="Finn Follower")
    MembershipFactory(movement=movement, person=follower, position=2)
    Movement.objects.filter(pk=movement.pk).update(follower_count=1, stage=Stage.PILOTING, tool="Teams")
    User.objects.filter(pk=founder.pk).update(display_name="Fay Fontaine")
    card = card_of(client.get("/movements/").content.decode(), "Working out loud")
    for shown in ("Fay Fontaine", "Finn Follower", "1 follower", "stage-piloting", "Teams"):
        assert shown in card
    assert "Fay Founder" not in card


def test_a_topics_approval_shows_on_the_next_view_for_its_creator_and_for_everyone_else():
    """A card shows a topic to others only once it is approved, and to its creator marked as waiting: the
    approval state is part of the card's cache key, so a plain UPDATE of approved_at shows at once."""
    creator, viewer = UserFactory(), UserFactory()
    tag = Tag.objects.create(name="rituals", slug="rituals", created_by=creator, approved_at=None)
    post = FeedbackFactory(title="Retros help", author=creator)
    post.tags.add(tag)
    mine, theirs = signed_in(creator), signed_in(viewer)

    card = card_of(mine.get("/feedback/").content.decode(), "Retros help")
    assert "rituals" in card and "awaiting approval" in card
    assert "rituals" not in card_of(theirs.get("/feedback/").content.decode(), "Retros help")

    Tag.objects.filter(pk=tag.pk).update(approved_at=timezone.now())  # bypassing every service
    card = card_of(mine.get("/feedback/").content.decode(), "Retros help")
    assert "rituals" in card and "awaiting approval" not in card
    assert "rituals" in card_of(theirs.get("/feedback/").content.decode(), "Retros help")

    Tag.objects.filter(pk=tag.pk).update(retired_at=timezone.now())
    assert "rituals" not in card_of(mine.get("/feedback/").content.decode(), "Retros help")
    assert "rituals" not in card_of(theirs.get("/feedback/").content.decode(), "Retros help")
