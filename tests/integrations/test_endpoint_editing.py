"""Staff edit a webhook endpoint and rotate its secret from the staff pages: the same policy as adding one,
the old secret signing alongside the new one for WEBHOOK_SECRET_OVERLAP_HOURS (verified with the Standard
Webhooks reference library), a confirmation before rotating, and non-staff get 404 with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from integrations import services
from integrations.models import Delivery, WebhookEndpoint
from movements import services as movement_services
from tests.factories import MovementFactory, UserFactory


@pytest.fixture
def endpoint(db, receiver):
    return services.endpoint_create(url=receiver.url, event_types=["movement.member_joined"], created_by=None)


@pytest.fixture
def staff(db):
    return UserFactory(display_name="Adam Admin", is_staff=True)


def _join() -> Delivery:
    movement_services.membership_join(movement=MovementFactory(), person=UserFactory())
    return Delivery.objects.filter(event_type="movement.member_joined").latest("pk")


def _sent_headers(receiver) -> tuple[bytes, dict]:
    accepted = receiver.accepted[-1]
    return accepted["body"], {k.lower(): v for k, v in accepted["headers"].items()}


# --- services ---------------------------------------------------------------------------------------


def test_updating_changes_url_events_and_description_with_the_creation_checks(endpoint, staff, settings):
    updated = services.endpoint_update(
        endpoint=endpoint,
        url="http://127.0.0.1:9/in",
        event_types=["feedback.posted", "feedback.posted", "movement.started"],
        description="CRM",
        active=True,
        actor=staff,
    )
    assert (updated.url, updated.event_types, updated.description) == (
        "http://127.0.0.1:9/in",
        ["feedback.posted", "movement.started"],
        "CRM",
    )
    for url in ("http://169.254.169.254/latest", "http://[fe80::1]/hook"):
        with pytest.raises(ValidationError) as refused:
            services.endpoint_update(
                endpoint=endpoint, url=url, event_types=["feedback.posted"], description="", active=True, actor=staff
            )
        assert "url" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.endpoint_update(
            endpoint=endpoint, url=endpoint.url, event_types=["no.such"], description="", active=True, actor=staff
        )
    assert "event_types" in refused.value.message_dict
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).url == "http://127.0.0.1:9/in"


def test_a_host_outside_the_allowed_hosts_is_refused(endpoint, staff, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with pytest.raises(ValidationError):
        services.endpoint_update(
            endpoint=endpoint,
            url="http://10.0.0.5/hook",
            event_types=["movement.member_joined"],
            description="",
            active=True,
            actor=staff,
        )
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).url == endpoint.url


def test_turning_off_by_editing_keeps_events_waiting_and_on_again_sends_them(endpoint, staff, receiver):
    kept = {"url": endpoint.url, "event_types": endpoint.event_types, "description": "", "actor": staff}
    off = services.endpoint_update(endpoint=endpoint, active=False, **kept)
    assert not off.is_active and "Adam Admin" in off.disabled_reason
    waiting = _join()
    assert services.delivery_send(delivery_id=waiting.pk) == services.Outcome.SKIPPED
    on = services.endpoint_update(endpoint=off, active=True, **kept)
    assert on.is_active and on.consecutive_failures == 0
    assert services.delivery_send(delivery_id=waiting.pk) == services.Outcome.DELIVERED
    assert len(receiver.accepted) == 1


def test_after_rotating_both_secrets_sign_until_the_overlap_ends(endpoint, receiver, settings):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 24
    old = endpoint.secret
    with time_machine.travel(dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC), tick=False):
        rotated = services.endpoint_rotate_secret(endpoint=endpoint)
        assert rotated.secret.startswith("whsec_") and rotated.secret != old
        assert services.delivery_send(delivery_id=_join().pk) == services.Outcome.DELIVERED
        body, headers = _sent_headers(receiver)
        assert len(headers["webhook-signature"].split(" ")) == 2
        assert Webhook(rotated.secret).verify(body, headers)
        assert Webhook(old).verify(body, headers)  # a receiver not yet switched keeps accepting

    with time_machine.travel(dt.datetime(2026, 5, 5, 9, 1, tzinfo=dt.UTC), tick=False):
        assert services.delivery_send(delivery_id=_join().pk) == services.Outcome.DELIVERED
        body, headers = _sent_headers(receiver)
        assert len(headers["webhook-signature"].split(" ")) == 1
        assert Webhook(rotated.secret).verify(body, headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(body, headers)


def test_without_an_overlap_the_old_secret_stops_at_once(endpoint, receiver, settings):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 0
    old = endpoint.secret
    rotated = services.endpoint_rotate_secret(endpoint=endpoint)
    assert rotated.previous_secret == "" and rotated.signing_secrets() == [rotated.secret]
    services.delivery_send(delivery_id=_join().pk)
    body, headers = _sent_headers(receiver)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, headers)


def test_rotating_twice_keeps_only_the_secret_just_replaced(endpoint):
    first = endpoint.secret
    second = services.endpoint_rotate_secret(endpoint=endpoint).secret
    third = services.endpoint_rotate_secret(endpoint=endpoint)
    assert third.signing_secrets() == [third.secret, second]
    assert first not in third.signing_secrets()


# --- views ------------------------------------------------------------------------------------------


def _snapshot(endpoint) -> dict:
    return model_to_dict(WebhookEndpoint.objects.get(pk=endpoint.pk))


def test_staff_edit_an_endpoint_from_its_page(client, endpoint, staff):
    client.force_login(staff)
    page = client.get(reverse("integrations:endpoint_edit", args=[endpoint.pk]))
    assert page.status_code == 200
    assert page.context["form"].initial["active"] is True
    response = client.post(
        reverse("integrations:endpoint_edit", args=[endpoint.pk]),
        {"url": endpoint.url, "description": "Helpdesk", "event_types": ["feedback.posted"]},  # "active" unticked
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.event_types, endpoint.is_active) == ("Helpdesk", ["feedback.posted"], False)


def test_a_refused_url_comes_back_as_a_form_error_and_changes_nothing(client, endpoint, staff):
    client.force_login(staff)
    before = _snapshot(endpoint)
    response = client.post(
        reverse("integrations:endpoint_edit", args=[endpoint.pk]),
        {"url": "http://169.254.169.254/", "event_types": ["feedback.posted"], "active": "on"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["url"]
    nothing = client.post(reverse("integrations:endpoint_edit", args=[endpoint.pk]), {"url": "not a url"})
    assert nothing.status_code == 400
    assert set(nothing.context["form"].errors) == {"url", "event_types"}
    assert _snapshot(endpoint) == before


def test_rotating_asks_first_then_shows_the_new_secret(client, endpoint, staff, settings):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 24
    client.force_login(staff)
    url = reverse("integrations:endpoint_rotate", args=[endpoint.pk])
    ask = client.post(url)
    assert ask.status_code == 200
    assert b'name="confirmed" value="yes"' in ask.content
    assert b"alongside the new one for 24 hours" in ask.content
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret

    done = client.post(url, {"confirmed": "yes"})
    assert done.status_code == 200
    rotated = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert rotated.secret != endpoint.secret and rotated.previous_secret == endpoint.secret
    assert rotated.secret.encode() in done.content
    assert endpoint.secret.encode() not in done.content
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("name", ["endpoint_edit", "endpoint_rotate"])
def test_non_staff_get_404_and_nothing_changes(client, endpoint, name):
    client.force_login(UserFactory())
    before = _snapshot(endpoint)
    url = reverse(f"integrations:{name}", args=[endpoint.pk])
    form = {"url": "http://127.0.0.1:9/other", "event_types": ["feedback.posted"], "confirmed": "yes"}
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, form).status_code == 404
    assert _snapshot(endpoint) == before


def test_an_endpoint_that_does_not_exist_is_a_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("integrations:endpoint_edit", args=[999999])).status_code == 404
    assert client.post(reverse("integrations:endpoint_rotate", args=[999999]), {"confirmed": "yes"}).status_code == 404


def test_the_edit_page_costs_three_queries_whatever_was_sent(client, endpoint, staff, django_assert_num_queries):
    client.force_login(staff)
    for _ in range(3):
        _join()
    # session (+ person: one query), the endpoint, the notifications badge's count
    with django_assert_num_queries(3):
        assert client.get(reverse("integrations:endpoint_edit", args=[endpoint.pk])).status_code == 200
