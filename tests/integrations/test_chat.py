"""Slack and Teams: a person's chat channel gets their nudges, a movement's leads connect a channel for its
updates, welcomes, stage changes and decisions. URLs validated; Block Kit and Adaptive Card messages with a
link back; the same outbox, exactly once per (channel, event) and (channel, nudge)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations import services
from integrations.models import ChatChannel, Delivery
from movements import services as movement_services
from nudges import services as nudge_services
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from tests.factories import MovementFactory, UserFactory


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("slack", "https://hooks.slack.com/services/T000/B000/XXXX"),
        ("teams", "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke"),
    ],
)
def test_real_slack_and_teams_webhook_urls_are_accepted(kind, url, monkeypatch, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["*"]
    # No DNS on the test machine: the names resolve to a public address here.
    monkeypatch.setattr(
        "integrations.policy._resolve", lambda host, port: [__import__("ipaddress").ip_address("52.1.2.3")]
    )
    services.chat_url_check(kind=kind, url=url)


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("slack", "https://example.com/services/T000"),
        ("slack", "http://hooks.slack.com/services/T000"),
        ("teams", "https://hooks.slack.com/services/T000"),
        ("teams", "https://evil.com/?x=.logic.azure.com"),
    ],
)
def test_other_urls_are_refused(kind, url, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["*"]
    with pytest.raises(ValidationError):
        services.chat_url_check(kind=kind, url=url)


def test_a_movement_channel_hears_an_update_as_slack_blocks_with_a_link_back(db, receiver):
    lead = UserFactory(display_name="Lena Lead")
    movement = movement_services.movement_start(founder=lead, title="Working out loud", pitch="p")
    services.chat_channel_set(kind="slack", url=receiver.url, actor=lead, movement=movement)
    movement_services.update_post(movement=movement, author=lead, body="We met <today>.")
    movement_services.membership_join(movement=movement, person=UserFactory())  # not a channel event

    [delivery] = Delivery.objects.filter(channel__movement=movement)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.DELIVERED
    message = json.loads(receiver.accepted[0]["body"])
    assert message["text"] == "Lena Lead posted an update in “Working out loud”"
    assert message["blocks"][1]["text"]["text"] == "We met &lt;today&gt;."
    button = message["blocks"][-1]["elements"][0]
    assert button["url"].endswith(movement.get_absolute_url())


def test_a_movement_channel_that_is_off_is_not_flooded_with_what_happened_meanwhile(db, receiver):
    # Unlike a webhook endpoint (a system that must see every event), a chat channel is read by people: news
    # from while it was off would arrive stale and all at once, so none is written.
    lead = UserFactory(display_name="Lena Lead")
    movement = movement_services.movement_start(founder=lead, title="Working out loud", pitch="p")
    endpoint = services.endpoint_create(url=receiver.url, event_types=["movement.update_posted"], created_by=lead)
    channel = services.chat_channel_set(kind="slack", url=receiver.url, actor=lead, movement=movement)
    ChatChannel.objects.filter(pk=channel.pk).update(disabled_at=timezone.now())  # as after WEBHOOK_MAX_FAILURES

    movement_services.update_post(movement=movement, author=lead, body="While the channel was off.")
    assert not Delivery.objects.filter(channel=channel).exists()
    assert Delivery.objects.filter(endpoint=endpoint).count() == 1  # the endpoint's waits for it

    services.chat_channel_set(kind="slack", url=receiver.url, actor=lead, movement=movement)  # connected again
    movement_services.update_post(movement=movement, author=lead, body="Back on.")
    for delivery in Delivery.objects.filter(channel=channel):
        assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.DELIVERED
    [message] = [json.loads(r["body"]) for r in receiver.accepted]
    assert message["blocks"][1]["text"]["text"] == "Back on."


def test_a_teams_channel_gets_an_adaptive_card(db, receiver):
    lead = UserFactory()
    movement = movement_services.movement_start(founder=lead, title="Demo days", pitch="p")
    services.chat_channel_set(kind="teams", url=receiver.url, actor=lead, movement=movement)
    movement_services.update_post(movement=movement, author=lead, body="Hello")
    delivery = Delivery.objects.get(channel__movement=movement)
    services.delivery_send(delivery_id=delivery.pk)
    message = json.loads(receiver.accepted[0]["body"])
    card = message["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    assert card["content"]["actions"][0]["url"].endswith(movement.get_absolute_url())


def test_a_persons_delivered_nudge_is_copied_to_their_chat_once(db, receiver, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    person = UserFactory()
    services.chat_channel_set(kind="slack", url=receiver.url, actor=person, person=person)
    movement = MovementFactory(title="Working out loud")
    nudge = Nudge.objects.create(
        kind=NudgeKind.OPEN_ROLES,
        recipient=person,
        movement=movement,
        dedupe_key="chat:1",
        context={"needs_lead": True},
    )
    with transaction.atomic():
        assert nudge_services.nudge_deliver(nudge_id=nudge.pk) == "sent"
    assert nudge_services.nudge_deliver(nudge_id=nudge.pk) == "skipped"
    [delivery] = Delivery.objects.filter(channel__person=person)
    assert delivery.nudge_id == nudge.pk
    services.delivery_send(delivery_id=delivery.pk)
    assert "open roles" in json.loads(receiver.accepted[0]["body"])["text"]


def test_a_nudge_the_person_turned_off_is_not_copied(db, receiver):
    from nudges.models import NotificationPreference

    person = UserFactory()
    services.chat_channel_set(kind="slack", url=receiver.url, actor=person, person=person)
    NotificationPreference.objects.create(person=person, kind=NudgeKind.OPEN_ROLES, email=False, in_app=False)
    nudge = Nudge.objects.create(
        kind=NudgeKind.OPEN_ROLES,
        recipient=person,
        movement=MovementFactory(),
        dedupe_key="chat:2",
        due_at=timezone.now(),
    )
    nudge_services.nudge_deliver(nudge_id=nudge.pk)
    assert not Delivery.objects.exists()


def test_only_leads_connect_a_movement_channel_and_outsiders_get_404(db, client):
    from tests.factories import DepartmentFactory

    dept = DepartmentFactory()
    lead = UserFactory(department=dept)
    member = UserFactory(department=dept)
    outsider = UserFactory(department=DepartmentFactory())
    movement = movement_services.movement_start(founder=lead, title="T", pitch="p", department=dept)
    movement_services.membership_join(movement=movement, person=member)
    url = reverse("integrations:movement_chat", kwargs={"slug": movement.slug})
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(member)
    assert client.post(url, {"kind": "slack", "url": "https://hooks.slack.com/services/x"}).status_code == 403
    client.force_login(lead)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"kind": "slack", "url": "https://example.com/hook"})
    assert refused.status_code == 400
    assert not ChatChannel.objects.exists()


def test_a_leavers_chat_channel_and_feed_links_are_removed(db):
    from integrations.models import FeedToken
    from people.services import person_deactivate

    person = UserFactory()
    services.chat_channel_set(kind="slack", url="http://127.0.0.1:9/x", actor=person, person=person)
    services.feed_token_create(person=person)
    person_deactivate(person=person)
    assert not ChatChannel.objects.filter(person=person).exists()
    assert not FeedToken.objects.filter(person=person).exists()
