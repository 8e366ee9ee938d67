"""Sending a delivery, in this process against a real loopback receiver: Standard Webhooks signatures
verified with the reference library, retries with backoff on 5xx/408/429/timeouts, none on other 4xx,
an endpoint disabled after WEBHOOK_MAX_FAILURES with a nudge to staff, and "send again"."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from feedback import services as feedback_services
from feedback.models import Kind
from integrations import services
from integrations.models import Attempt, Delivery
from movements import services as movement_services
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from tests.factories import MovementFactory, UserFactory


@pytest.fixture
def endpoint(db, receiver):
    return services.endpoint_create(
        url=receiver.url,
        event_types=["movement.member_joined", "feedback.posted", "movement.started"],
        created_by=None,
    )


def _join() -> Delivery:
    movement = MovementFactory(title="Working out loud")
    person = UserFactory(display_name="Fiona Follower")
    movement_services.membership_join(movement=movement, person=person)
    return Delivery.objects.get(event_type="movement.member_joined")


def _due_now(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())


def test_an_event_becomes_one_signed_delivery_that_the_reference_library_verifies(endpoint, receiver):
    delivery = _join()

    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.DELIVERED

    [accepted] = receiver.accepted
    headers = {k.lower(): v for k, v in accepted["headers"].items()}
    payload = Webhook(endpoint.secret).verify(accepted["body"], headers)
    assert headers["webhook-id"] == delivery.message_id
    assert payload["type"] == "movement.member_joined"
    assert payload["data"]["movement"]["title"] == "Working out loud"
    assert payload["data"]["actor"]["name"] == "Fiona Follower"
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 1
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.SKIPPED  # never twice
    assert len(receiver.accepted) == 1


def test_a_tampered_body_or_another_secret_fails_verification(endpoint, receiver):
    from standardwebhooks.webhooks import WebhookVerificationError

    services.delivery_send(delivery_id=_join().pk)
    [accepted] = receiver.accepted
    headers = {k.lower(): v for k, v in accepted["headers"].items()}
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(accepted["body"].replace(b"Working", b"Shirking"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(accepted["body"], headers)


def test_one_delivery_per_endpoint_and_event_even_if_the_subscriber_runs_twice(endpoint):
    delivery = _join()
    from django.db import transaction

    with transaction.atomic():
        services.deliveries_for_event(event=delivery.event)
    assert Delivery.objects.filter(endpoint=endpoint, event=delivery.event).count() == 1


@pytest.mark.parametrize("status", [500, 503, 408, 429])
def test_a_server_error_timeout_or_throttle_is_retried_with_exponential_backoff(endpoint, receiver, settings, status):
    settings.WEBHOOK_RETRY_BACKOFF_SECONDS = 30
    receiver.answers = [status, status]
    delivery = _join()

    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.RETRY
    delivery.refresh_from_db()
    first_wait = delivery.due_at - timezone.now()
    assert dt.timedelta(seconds=25) < first_wait <= dt.timedelta(seconds=30)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.SKIPPED  # not due yet

    _due_now(delivery)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.RETRY
    delivery.refresh_from_db()
    assert dt.timedelta(seconds=55) < delivery.due_at - timezone.now() <= dt.timedelta(seconds=60)

    _due_now(delivery)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.DELIVERED
    assert receiver.per_key() == {delivery.message_id: 1}
    assert list(Attempt.objects.filter(delivery=delivery).order_by("pk").values_list("status_code", flat=True)) == [
        status,
        status,
        200,
    ]


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_a_client_error_is_not_retried(endpoint, receiver, status):
    receiver.answers = [status]
    delivery = _join()

    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.FAILED
    delivery.refresh_from_db()
    assert delivery.failed_at is not None and delivery.last_status == status
    _due_now(delivery)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.SKIPPED
    assert receiver.attempts[delivery.message_id] == 1


def test_an_unreachable_receiver_is_retried(db, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    endpoint = services.endpoint_create(
        url="http://127.0.0.1:9/closed", event_types=["movement.member_joined"], created_by=None
    )
    delivery = _join()
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.RETRY
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.status_code is None and attempt.error
    assert endpoint.deliveries.get().failed_at is None


def test_gives_up_after_the_maximum_attempts(endpoint, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [500, 500, 500]
    delivery = _join()
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.RETRY
    _due_now(delivery)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.FAILED


def test_a_flapping_endpoint_is_disabled_and_staff_get_a_nudge(endpoint, receiver, settings):
    settings.WEBHOOK_MAX_FAILURES = 3
    staff = UserFactory(is_staff=True)
    receiver.answers = [503] * 10
    movement = MovementFactory()
    for person in UserFactory.create_batch(3):
        movement_services.membership_join(movement=movement, person=person)
    deliveries = list(Delivery.objects.filter(endpoint=endpoint))
    assert len(deliveries) == 3

    for delivery in deliveries:
        services.delivery_send(delivery_id=delivery.pk)

    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None and endpoint.consecutive_failures == 3
    nudge = Nudge.objects.get(kind=NudgeKind.INTEGRATION_DISABLED)
    assert nudge.recipient == staff
    assert nudge.context["path"] == reverse("integrations:endpoint", kwargs={"pk": endpoint.pk})
    # While it is off, nothing is sent and new events wait.
    _due_now(deliveries[0])
    assert services.delivery_send(delivery_id=deliveries[0].pk) == services.Outcome.SKIPPED
    assert services.deliveries_relay() == 0


def test_a_success_resets_the_failure_count(endpoint, receiver):
    receiver.answers = [500]
    delivery = _join()
    services.delivery_send(delivery_id=delivery.pk)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
    _due_now(delivery)
    services.delivery_send(delivery_id=delivery.pk)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_the_policy_is_checked_again_before_sending(endpoint, receiver, settings):
    delivery = _join()
    settings.WEBHOOK_ALLOWED_HOSTS = ["*"]  # loopback is not public: refused now
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.FAILED
    assert receiver.attempts == {}
    assert "policy" in Attempt.objects.get(delivery=delivery).error


def test_an_anonymous_posts_event_carries_no_author_nor_anything_derived_from_one(endpoint, receiver):
    # An id no event or delivery will have by chance: the test looks for it in the message.
    canary = UserFactory(pk=987654001, display_name="Canary Writer", email="canary@example.com")
    feedback_services.feedback_post(
        person=canary, kind=Kind.DOESNT, title="Anonymous canary", body="Body", anonymous=True
    )
    assert not Delivery.objects.exists()  # nothing now: the event waits for the shuffled daily batch

    feedback_services.anonymous_activity_record(now=timezone.now() + dt.timedelta(days=1))
    delivery = Delivery.objects.get(event_type="feedback.posted")
    services.delivery_send(delivery_id=delivery.pk)

    [accepted] = receiver.accepted
    text = accepted["body"].decode()
    payload = json.loads(text)
    assert "actor" not in payload["data"]
    assert payload["data"]["feedback"]["anonymous"] is True
    for trace in (canary.name, canary.email, str(canary.pk), "Canary Writer"):
        assert f'"{trace}"' not in text and trace not in text.replace(str(payload["data"]["feedback"]["id"]), "")
    assert payload["timestamp"].endswith("T00:00:00+00:00")  # the post's day, not the moment it was written


def test_staff_can_send_a_delivery_again_and_see_each_attempt(endpoint, receiver, client):
    staff = UserFactory(is_staff=True)
    delivery = _join()
    services.delivery_send(delivery_id=delivery.pk)
    client.force_login(staff)
    page = client.get(reverse("integrations:endpoint", kwargs={"pk": endpoint.pk}))
    assert page.status_code == 200
    assert delivery.message_id.encode() in page.content and b"HTTP 200" in page.content

    response = client.post(reverse("integrations:delivery_resend", kwargs={"pk": delivery.pk}))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.delivered_at is None and delivery.attempts == 0
    services.delivery_send(delivery_id=delivery.pk)
    assert receiver.per_key() == {delivery.message_id: 2}  # on purpose, with the same webhook-id


def test_the_webhook_pages_are_404_for_everyone_but_staff(endpoint, client):
    client.force_login(UserFactory())
    for name, kwargs in (("integrations:endpoints", {}), ("integrations:endpoint", {"pk": endpoint.pk})):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404


def test_staff_add_an_endpoint_and_a_metadata_address_is_refused(db, client):
    client.force_login(UserFactory(is_staff=True))
    url = reverse("integrations:endpoints")
    refused = client.post(url, {"url": "http://169.254.169.254/latest/meta-data/", "event_types": ["feedback.posted"]})
    assert refused.status_code == 400
    assert b"metadata" in refused.content
    added = client.post(url, {"url": "http://127.0.0.1:8123/in", "event_types": ["feedback.posted"]})
    assert added.status_code == 302


def test_movement_started_is_delivered_too(endpoint):
    movement_services.movement_start(founder=UserFactory(), title="Demo days", pitch="Show work.")
    assert Delivery.objects.filter(event_type="movement.started").count() == 1


def test_events_while_an_endpoint_is_off_wait_and_go_out_once_it_is_on_again(endpoint, receiver):
    services.endpoint_disable(endpoint=endpoint, reason="maintenance")
    delivery = _join()  # written although the endpoint is off
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.SKIPPED
    assert receiver.accepted == []
    delivery.refresh_from_db()
    assert delivery.delivered_at is None and delivery.failed_at is None and delivery.attempts == 0

    endpoint.refresh_from_db()
    services.endpoint_enable(endpoint=endpoint)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.DELIVERED
    assert [json.loads(a["body"])["type"] for a in receiver.accepted] == ["movement.member_joined"]
