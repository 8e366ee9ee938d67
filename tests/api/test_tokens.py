"""Personal access tokens: created on the settings page, shown once, stored hashed, scoped, expiring,
revocable, and marked when used."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from api.models import PersonalAccessToken
from api.services import token_hash
from tests.factories import UserFactory

from .conftest import ApiClient, token_for


def test_the_settings_page_shows_a_new_token_once_and_stores_only_its_hash(client, person):
    client.force_login(person)
    response = client.post(reverse("api_tokens:list"), {"name": "team board", "scope": "read", "expires_in_days": 30})
    assert response.status_code == 200
    token = PersonalAccessToken.objects.get(person=person)
    raw = response.context["new_secret"]
    assert raw.startswith("sbz_") and raw.encode() in response.content
    assert token.token_hash == token_hash(raw) and raw not in token.token_hash and token.prefix == raw[:12]
    assert token.expires_at is not None
    again = client.get(reverse("api_tokens:list"))
    assert raw.encode() not in again.content
    assert token.prefix.encode() in again.content


def test_a_token_reads_as_its_person_and_records_when_it_was_used(person):
    raw = token_for(person, "read")
    response = ApiClient(raw).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": person.pk,
        "name": person.name,
        "email": person.email,
        "is_staff": False,
        "token_scope": "read",
    }
    assert PersonalAccessToken.objects.get(person=person).last_used_at is not None


def test_a_read_token_may_not_write(world):
    response = ApiClient(token_for(world.member, "read")).post(f"/api/v1/movements/{world.open.slug}/follow")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not world.open.memberships.filter(person=world.member).exists()


def test_a_revoked_token_stops_working(client, person):
    raw = token_for(person)
    token = PersonalAccessToken.objects.get(person=person)
    client.force_login(person)
    # The first press asks once more and changes nothing (second thoughts); the confirmed one revokes.
    asked = client.post(reverse("api_tokens:revoke", kwargs={"pk": token.pk}))
    assert asked.status_code == 200 and "Revoke the token" in asked.content.decode()
    assert ApiClient(raw).get("/api/v1/me").status_code == 200
    assert client.post(reverse("api_tokens:revoke", kwargs={"pk": token.pk}), {"confirmed": "yes"}).status_code == 302
    response = ApiClient(raw).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_an_expired_token_stops_working(person):
    raw = token_for(person)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        assert ApiClient(raw).get("/api/v1/me").status_code == 401


def test_a_deactivated_persons_token_stops_working(person):
    raw = token_for(person)
    person.is_active = False
    person.save()
    assert ApiClient(raw).get("/api/v1/me").status_code == 401


def test_someone_elses_token_cannot_be_revoked(client, person):
    token_for(person)
    other = UserFactory()
    client.force_login(other)
    token = PersonalAccessToken.objects.get(person=person)
    assert client.post(reverse("api_tokens:revoke", kwargs={"pk": token.pk})).status_code == 404
    assert PersonalAccessToken.objects.get(pk=token.pk).revoked_at is None


def test_made_up_and_malformed_tokens_get_a_problem_401(db):
    for raw in ("sbz_nope", "nope", "sbz_" + "x" * 500):
        response = ApiClient(raw).get("/api/v1/me")
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_session_works_for_same_origin_reads_and_writes_need_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.outsider)
    assert client.get("/api/v1/me").json()["token_scope"] is None
    refused = client.post(f"/api/v1/movements/{world.open.slug}/follow")
    assert refused.status_code == 403
    assert not world.open.memberships.filter(person=world.outsider).exists()
    client.get(reverse("home"))
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(f"/api/v1/movements/{world.open.slug}/follow", headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200, accepted.content


def test_the_token_form_needs_a_name_and_an_allowed_expiry(client, person):
    client.force_login(person)
    response = client.post(reverse("api_tokens:list"), {"name": "", "scope": "read", "expires_in_days": 9999})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name", "expires_in_days"}
    assert not PersonalAccessToken.objects.exists()


def test_a_session_post_with_a_form_body_is_a_400_problem_not_a_500(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(world.member)
    client.get(reverse("home"))
    response = client.post(
        f"/api/v1/feedback/{world.post.pk}/comments",
        {"body": "as a form"},
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
