"""Rate limits on sign-in, posting, voting, inviting and following: a clear refusal, nothing changed, and the
counters kept in the shared cache (Redis), so every web process sees the same count."""

from __future__ import annotations

import time

import pytest
import redis
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from feedback.models import Feedback, Kind, Vote
from movements.models import Invitation, Membership
from movements.views import recruit_link
from socialbiz import ratelimit
from socialbiz.ratelimit import parse_rate
from tests.factories import FeedbackFactory, MovementFactory, UserFactory

pytestmark = pytest.mark.django_db


def _redis_keys(pattern: str) -> list[bytes]:
    """Read the counters straight from Redis with a separate connection, as another process would."""
    return redis.Redis.from_url(django_settings.REDIS_URL).keys(f"*{pattern}*")


def test_the_cache_the_limits_use_is_redis():
    assert django_settings.CACHES["default"]["BACKEND"] == "socialbiz.cache.ResilientRedisCache"


def test_the_rates_are_parsed_and_explained_in_words():
    assert parse_rate("30 per 10 minutes").seconds == 600
    assert parse_rate("30 per hour").window_text() == "1 hour"
    with pytest.raises(ValueError):
        parse_rate("lots")


# --- sign-in (allauth) ------------------------------------------------------------------------------


def test_sign_in_limits_are_set_explicitly_from_the_settings():
    from allauth.account import app_settings

    assert app_settings.RATE_LIMITS["login"] == "30/m/ip"
    assert app_settings.RATE_LIMITS["login_failed"] == "10/m/ip,5/300s/key"
    assert app_settings.RATE_LIMITS["signup"] == "20/m/ip"


def test_failed_sign_ins_for_one_email_are_stopped_with_a_form_message_even_with_the_right_password(client, password):
    person = UserFactory(email="target@example.com")
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": person.email, "password": "wrong"})
        assert response.status_code == 200
        assert "Too many failed" not in response.content.decode()
    response = client.post("/accounts/login/", {"login": person.email, "password": password})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _redis_keys("login_failed")


def test_too_many_sign_in_attempts_from_one_address_get_the_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    for n in range(3):
        assert client.post("/accounts/login/", {"login": f"nobody{n}@example.com", "password": "x"}).status_code == 200
    response = client.post("/accounts/login/", {"login": "nobody@example.com", "password": "x"})
    assert response.status_code == 429
    assert "too many attempts in a short time" in response.content.decode()


# --- following --------------------------------------------------------------------------------------


@pytest.fixture
def person(db):
    return UserFactory()


def test_following_too_fast_gets_a_429_page_and_joins_nothing(client, person, settings):
    settings.FOLLOW_RATE_LIMIT = "2 per 10 minutes"
    movements = [MovementFactory() for _ in range(3)]
    client.force_login(person)
    for movement in movements[:2]:
        assert client.post(reverse("movements:follow", args=[movement.slug])).status_code == 302
    response = client.post(reverse("movements:follow", args=[movements[2].slug]))
    assert response.status_code == 429
    assert "You are following movements faster than the site allows (2 per 10 minutes)" in response.content.decode()
    assert not Membership.objects.filter(movement=movements[2], person=person).exists()
    key = ratelimit.counter_key(scope="follow", person_id=person.pk, rate=settings.FOLLOW_RATE_LIMIT)
    assert _redis_keys(key)


def test_joining_by_a_recruit_link_counts_as_following(client, person, settings):
    settings.FOLLOW_RATE_LIMIT = "1 per 10 minutes"
    first, second = MovementFactory(), MovementFactory()
    client.force_login(person)
    assert client.post(reverse("movements:follow", args=[first.slug])).status_code == 302
    response = client.post(recruit_link(movement=second, person=second.founder))
    assert response.status_code == 429
    assert not Membership.objects.filter(movement=second, person=person).exists()


def test_an_htmx_follow_over_the_limit_reloads_the_page_with_the_message(client, person, settings):
    settings.FOLLOW_RATE_LIMIT = "1 per 10 minutes"
    first, second = MovementFactory(), MovementFactory()
    client.force_login(person)
    client.post(reverse("movements:follow", args=[first.slug]), headers={"HX-Request": "true"})
    response = client.post(reverse("movements:follow", args=[second.slug]), headers={"HX-Request": "true"})
    assert response.status_code == 429
    assert response["HX-Redirect"] == second.get_absolute_url()
    page = client.get(second.get_absolute_url()).content.decode()
    assert "faster than the site allows" in page


def test_the_follow_limit_lifts_when_the_window_has_passed(client, person, settings):
    settings.FOLLOW_RATE_LIMIT = "1 per 10 minutes"
    first, second = MovementFactory(), MovementFactory()
    client.force_login(person)
    with time_machine.travel(time.time(), tick=False) as traveller:
        client.post(reverse("movements:follow", args=[first.slug]))
        assert client.post(reverse("movements:follow", args=[second.slug])).status_code == 429
        traveller.shift(601)
        assert client.post(reverse("movements:follow", args=[second.slug])).status_code == 302
    assert Membership.objects.filter(movement=second, person=person).exists()


def test_the_limit_is_shared_by_every_process_because_the_count_lives_in_redis(client, person, settings):
    """Another web process would read the same Redis key: fill it from outside and this process refuses."""
    settings.FOLLOW_RATE_LIMIT = "5 per 10 minutes"
    movement = MovementFactory()
    key = cache.make_key(ratelimit.counter_key(scope="follow", person_id=person.pk, rate=settings.FOLLOW_RATE_LIMIT))
    redis.Redis.from_url(django_settings.REDIS_URL).set(key, 5, ex=600)
    client.force_login(person)
    assert client.post(reverse("movements:follow", args=[movement.slug])).status_code == 429


# --- voting -----------------------------------------------------------------------------------------


def test_voting_too_fast_gets_a_429_page_and_the_count_stays_true(client, person, settings):
    settings.VOTE_RATE_LIMIT = "3 per 10 minutes"
    post = FeedbackFactory()
    client.force_login(person)
    for state in ("vote", "unvote", "vote"):
        assert client.post(reverse("feedback:vote", args=[post.pk]), {"state": state}).status_code == 302
    response = client.post(reverse("feedback:vote", args=[post.pk]), {"state": "unvote"})
    assert response.status_code == 429
    assert "You are voting faster than the site allows (3 per 10 minutes)" in response.content.decode()
    post.refresh_from_db()
    assert Vote.objects.filter(feedback=post).count() == post.vote_count == 1


# --- inviting ---------------------------------------------------------------------------------------


def test_inviting_too_fast_gets_a_429_page_and_sends_nothing_more(client, settings):
    settings.INVITE_RATE_LIMIT = "2 per hour"
    movement = MovementFactory()
    client.force_login(movement.founder)
    url = reverse("movements:invite", args=[movement.slug])
    for n in range(2):
        assert client.post(url, {"email": f"friend{n}@example.com", "note": "Come"}).status_code == 302
    response = client.post(url, {"email": "friend9@example.com", "note": "Come"})
    assert response.status_code == 429
    assert "You are sending invitations faster than the site allows (2 per 1 hour)" in response.content.decode()
    assert Invitation.objects.filter(movement=movement).count() == 2


def test_an_invalid_invitation_does_not_use_up_the_limit(client, settings):
    settings.INVITE_RATE_LIMIT = "1 per hour"
    movement = MovementFactory()
    client.force_login(movement.founder)
    url = reverse("movements:invite", args=[movement.slug])
    assert client.post(url, {"email": "", "note": ""}).status_code == 200
    assert client.post(url, {"email": "friend@example.com"}).status_code == 302


# --- posting (feedback's own limit) -----------------------------------------------------------------


def test_posting_too_fast_gets_the_429_page_that_keeps_the_text(client, person, settings):
    settings.FEEDBACK_POST_RATE_LIMIT = "1 per 10 minutes"
    client.force_login(person)
    data = {"kind": Kind.WORKS, "title": "Stand-ups are short", "body": "Keep them."}
    assert client.post(reverse("feedback:new"), data).status_code == 302
    response = client.post(reverse("feedback:new"), {**data, "title": "Second one"})
    assert response.status_code == 429
    assert "Second one" in response.content.decode()
    assert Feedback.objects.count() == 1
    key = ratelimit.counter_key(scope="feedback-post", person_id=person.pk, rate=settings.FEEDBACK_POST_RATE_LIMIT)
    assert _redis_keys(key)


# --- comments and updates: the form comes back with the text ------------------------------------------


def test_commenting_too_fast_re_shows_the_form_with_the_text_and_posts_nothing(client, person, settings):
    settings.COMMENT_RATE_LIMIT = "2 per 10 minutes"
    post = FeedbackFactory()
    client.force_login(person)
    url = reverse("feedback:comment_add", args=[post.pk])
    for n in range(2):
        assert client.post(url, {"body": f"Comment {n}"}).status_code == 302
    response = client.post(url, {"body": "My third, carefully written comment"})
    page = response.content.decode()
    assert response.status_code == 429
    assert "You are commenting faster than the site allows (2 per 10 minutes)" in page
    assert "My third, carefully written comment" in page
    post.refresh_from_db()
    assert post.comments.count() == post.comment_count == 2


def test_an_htmx_comment_over_the_limit_gets_429_with_the_text(client, person, settings):
    settings.COMMENT_RATE_LIMIT = "1 per 10 minutes"
    post = FeedbackFactory()
    client.force_login(person)
    url = reverse("feedback:comment_add", args=[post.pk])
    client.post(url, {"body": "First"}, headers={"HX-Request": "true"})
    response = client.post(url, {"body": "Second, kept"}, headers={"HX-Request": "true"})
    assert response.status_code == 429 and "Second, kept" in response.content.decode()
    assert post.comments.count() == 1


def test_an_invalid_comment_does_not_use_up_the_limit(client, person, settings):
    settings.COMMENT_RATE_LIMIT = "1 per 10 minutes"
    post = FeedbackFactory()
    client.force_login(person)
    url = reverse("feedback:comment_add", args=[post.pk])
    assert client.post(url, {"body": "  "}).status_code == 400
    assert client.post(url, {"body": "Now a real one"}).status_code == 302


def test_posting_updates_too_fast_re_shows_the_form_with_the_text_and_posts_nothing(client, settings):
    from movements.models import Update

    settings.UPDATE_RATE_LIMIT = "2 per hour"
    movement = MovementFactory()
    client.force_login(movement.founder)
    url = reverse("movements:update_post", args=[movement.slug])
    for n in range(2):
        assert client.post(url, {"body": f"Update {n}"}).status_code == 302
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(url, {"body": "Third update, not lost"}, headers=headers)
        page = response.content.decode()
        assert response.status_code == 429
        assert "You are posting updates faster than the site allows (2 per 1 hour)" in page
        assert "Third update, not lost" in page
    assert Update.objects.filter(movement=movement).count() == 2


def test_counter_keys_carry_no_person_id_and_expire_with_their_window(client, person, settings):
    settings.COMMENT_RATE_LIMIT = "5 per 10 minutes"
    person = UserFactory(pk=987650321)
    post = FeedbackFactory()
    with time_machine.travel(1_899_999_600 + 123, tick=False):  # 123 s into a 600 s window
        client.force_login(person)
        client.post(reverse("feedback:comment_add", args=[post.pk]), {"body": "hello"})
        keys = _redis_keys("ratelimit:comment:")
        assert len(keys) == 1 and b"987650321" not in keys[0]
        ttl = redis.Redis.from_url(django_settings.REDIS_URL).ttl(keys[0])
    # The key ends with its window (477 s left, +1), not 600 s after the comment.
    assert 470 <= ttl <= 478, ttl


def test_an_anonymous_post_is_counted_in_the_writers_browser_not_on_the_server(client, settings):
    settings.FEEDBACK_POST_RATE_LIMIT = "1 per 10 minutes"
    person = UserFactory(pk=987650322)
    client.force_login(person)
    data = {"kind": Kind.WORKS, "title": "Named", "body": "b"}
    assert client.post(reverse("feedback:new"), data).status_code == 302
    keys_before = set(_redis_keys("ratelimit:"))
    response = client.post(reverse("feedback:new"), {**data, "title": "Anonymous", "anonymous": "on"})
    assert response.status_code == 302  # the named post's count does not block the anonymous one
    assert set(_redis_keys("ratelimit:")) == keys_before  # no server-side counter for anonymous posts
    assert client.post(reverse("feedback:new"), {**data, "title": "Again", "anonymous": "on"}).status_code == 429
    assert not any(str(person.pk).encode() in key for key in _redis_keys("ratelimit:"))
    # A tampered count is no count: the signature fails and the writer starts again at zero.
    client.cookies["socialbiz_anonymous_posts"] = "0:0"
    assert client.post(reverse("feedback:new"), {**data, "title": "Third", "anonymous": "on"}).status_code == 302


def test_anonymous_posts_stop_when_the_queue_is_full_for_everyone(client, settings):
    from feedback.models import AnonymousQueueEntry

    settings.ANONYMOUS_QUEUE_MAX = 1
    data = {"kind": Kind.WORKS, "title": "Waiting", "body": "b", "anonymous": "on"}
    client.force_login(UserFactory())
    assert client.post(reverse("feedback:new"), data).status_code == 302
    client.force_login(UserFactory())
    assert client.post(reverse("feedback:new"), {**data, "title": "Refused"}).status_code == 429
    assert AnonymousQueueEntry.objects.count() == 1


def test_the_settings_are_listed_in_env_example():
    example = (django_settings.BASE_DIR / ".env.example").read_text()
    for name in (
        "FOLLOW_RATE_LIMIT",
        "VOTE_RATE_LIMIT",
        "INVITE_RATE_LIMIT",
        "COMMENT_RATE_LIMIT",
        "UPDATE_RATE_LIMIT",
        "RATE_LIMIT_SIGN_IN",
        "RATE_LIMIT_SIGN_IN_FAILED",
    ):
        assert f"\n{name}=" in example
