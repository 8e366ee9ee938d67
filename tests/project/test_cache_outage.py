"""Redis (the cache that holds the rate-limit counters) is down: people can still sign in, post,
follow and vote. Nudges do not depend on it either: their outbox is PostgreSQL (tests/nudges covers
the broker being stopped and every nudge still being delivered once)."""

import socket

import pytest

from feedback.models import Feedback, Vote
from movements.models import Membership
from tests.factories import FeedbackFactory, MovementFactory, UserFactory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cache_down(settings):
    down = {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    assert down["BACKEND"] == "socialbiz.cache.ResilientRedisCache"
    settings.CACHES = {"default": down}


def test_people_post_follow_and_vote_while_the_cache_is_down(db, client, cache_down, caplog):
    person = UserFactory()
    movement = MovementFactory(department=None)
    post = FeedbackFactory()
    client.force_login(person)

    posted = client.post(
        "/feedback/new/", {"kind": "works", "title": "Written while Redis sleeps", "body": "Still works."}
    )
    followed = client.post(f"/movements/{movement.slug}/follow/")
    voted = client.post(f"/feedback/{post.pk}/vote/", {"state": "vote"})

    assert (posted.status_code, followed.status_code, voted.status_code) == (302, 302, 302)
    assert Feedback.objects.filter(title="Written while Redis sleeps").exists()
    assert Membership.objects.filter(movement=movement, person=person, left_at__isnull=True).exists()
    assert Vote.objects.filter(feedback=post, person=person).exists()
    assert any("cache unavailable" in record.getMessage() for record in caplog.records)


def test_sign_in_works_while_the_cache_is_down(db, client, cache_down, password):
    person = UserFactory()
    response = client.post("/accounts/login/", {"login": person.email, "password": password})
    assert response.status_code == 302
    assert client.get("/").context["user"] == person
