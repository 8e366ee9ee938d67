"""Nothing typed is lost: a form sent from a signed-out tab comes back after signing in; Back and Send again
does not post twice."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from feedback.models import AnonymousQueueEntry, Comment, Feedback, Vote
from movements.models import Update
from tests.factories import FeedbackFactory, MembershipFactory, MovementFactory, UserFactory

pytestmark = pytest.mark.django_db


def _restored_url(response) -> str:
    """The page the login form will return to (its `next`)."""
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


def test_a_comment_from_a_signed_out_tab_comes_back_on_its_page_after_signing_in(client):
    person = UserFactory()
    post = FeedbackFactory()
    page = post.get_absolute_url()
    response = client.post(
        reverse("feedback:comment_add", args=[post.pk]),
        {"body": "My careful words"},
        HTTP_REFERER=f"http://testserver{page}",
    )
    back_to = _restored_url(response)
    assert back_to.startswith(f"{page}?restored=")  # the page the form was on, never the POST-only address
    assert not Comment.objects.exists()
    client.force_login(person)
    html = client.get(back_to).content.decode()
    assert "What you wrote is back in the form below" in html
    kept = re.search(r'<script id="restored-form" type="application/json">(.*?)</script>', html).group(1)
    assert "My careful words" in kept and reverse("feedback:comment_add", args=[post.pk]) in kept
    assert "What you wrote is back" not in client.get(back_to).content.decode()  # taken once


def test_a_vote_from_a_signed_out_tab_goes_back_to_the_page_not_a_bare_405(client):
    post = FeedbackFactory()
    response = client.post(
        reverse("feedback:vote", args=[post.pk]), {"state": "vote"}, HTTP_REFERER="http://testserver/feedback/"
    )
    back_to = _restored_url(response)
    assert back_to.startswith("/feedback/?restored=") and not Vote.objects.exists()
    client.force_login(UserFactory())
    assert client.get(back_to).status_code == 200


def test_an_anonymous_post_from_a_signed_out_tab_is_not_kept_anywhere(client, settings):
    from django.core.cache import cache

    cache.clear()
    response = client.post(
        reverse("feedback:new"),
        {"kind": "works", "title": "Secret", "body": "Do not keep me", "anonymous": "on"},
        HTTP_REFERER="http://testserver/feedback/new/",
    )
    assert _restored_url(response) == "/feedback/new/"
    assert not AnonymousQueueEntry.objects.exists()


def test_a_form_from_another_site_returns_home(client):
    post = FeedbackFactory()
    response = client.post(
        reverse("feedback:comment_add", args=[post.pk]), {"body": "x"}, HTTP_REFERER="https://evil.example/"
    )
    assert _restored_url(response).startswith("/?restored=")


def test_sending_a_comment_form_twice_posts_it_once(client):
    person = UserFactory()
    post = FeedbackFactory()
    client.force_login(person)
    form = {"body": "Only once please", "idempotency_key": "k-123"}
    first = client.post(reverse("feedback:comment_add", args=[post.pk]), form)
    second = client.post(reverse("feedback:comment_add", args=[post.pk]), form, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "it was not posted a second time" in second.content.decode()
    assert Comment.objects.filter(feedback=post).count() == 1
    post.refresh_from_db()
    assert post.comment_count == 1
    # Another person with the same key is not affected (the key is per person).
    client.force_login(UserFactory())
    client.post(reverse("feedback:comment_add", args=[post.pk]), form)
    assert Comment.objects.filter(feedback=post).count() == 2


def test_a_named_post_sent_twice_is_one_post_and_a_form_with_errors_can_be_sent_again(client):
    client.force_login(UserFactory())
    data = {"kind": "works", "title": "Standups", "body": "Short ones", "idempotency_key": "p-1"}
    bad = client.post(reverse("feedback:new"), {**data, "title": ""})
    assert bad.status_code == 200
    first = client.post(reverse("feedback:new"), data)
    assert first.status_code == 302
    again = client.post(reverse("feedback:new"), data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Feedback.objects.count() == 1


def test_an_update_sent_twice_is_one_update(client):
    movement = MovementFactory()
    member = UserFactory()
    MembershipFactory(movement=movement, person=member)
    client.force_login(member)
    url = reverse("movements:update_post", args=[movement.slug])
    for _ in range(2):
        assert client.post(url, {"body": "We met", "idempotency_key": "u-1"}).status_code == 302
    assert Update.objects.filter(movement=movement).count() == 1


def test_create_forms_carry_a_fresh_key(client):
    client.force_login(UserFactory())
    post = FeedbackFactory()
    keys = set()
    for url in (reverse("feedback:new"), post.get_absolute_url(), post.get_absolute_url()):
        keys |= set(re.findall(r'name="idempotency_key" value="([^"]+)"', client.get(url).content.decode()))
    assert len(keys) == 3


def test_the_same_words_sent_again_with_a_new_key_within_ten_minutes_post_once(client, time_machine):
    client.force_login(UserFactory())
    post = FeedbackFactory()
    url = reverse("feedback:comment_add", args=[post.pk])
    client.post(url, {"body": "Same words", "idempotency_key": "a"})
    client.post(url, {"body": "Same words", "idempotency_key": "b"})  # Back re-fetched the page: a new key
    assert Comment.objects.filter(feedback=post).count() == 1
    client.post(url, {"body": "Other words", "idempotency_key": "c"})
    assert Comment.objects.filter(feedback=post).count() == 2
