"""A person may take their nudges in Slack or Teams instead of by email: the chat copy goes, the email does
not, the portal keeps what they chose; a channel turned off brings email back."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from integrations import services
from integrations.models import ChatChannel, Delivery
from nudges import services as nudge_services
from nudges.models import Kind as NudgeKind
from nudges.models import NotificationPreference, Nudge
from tests.factories import MovementFactory, UserFactory

pytestmark = pytest.mark.django_db


def _nudge(person, key: str) -> Nudge:
    return Nudge.objects.create(
        kind=NudgeKind.OPEN_ROLES,
        recipient=person,
        movement=MovementFactory(),
        dedupe_key=key,
        context={"needs_lead": True},
    )


def test_chat_instead_of_email_sends_the_chat_copy_and_no_email(receiver, mailoutbox):
    person = UserFactory()
    services.chat_channel_set(kind="slack", url=receiver.url, actor=person, person=person, instead_of_email=True)
    nudge = _nudge(person, "instead:1")
    with transaction.atomic():
        nudge_services.nudge_deliver(nudge_id=nudge.pk)
    assert mailoutbox == []
    nudge.refresh_from_db()
    assert nudge.sent_at is not None and nudge.email is False and nudge.in_app is True
    [delivery] = Delivery.objects.filter(channel__person=person, nudge=nudge)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.DELIVERED
    assert len(receiver.accepted) == 1


def test_chat_instead_of_email_still_reaches_someone_who_turned_the_portal_off(receiver, mailoutbox):
    person = UserFactory()
    services.chat_channel_set(kind="teams", url=receiver.url, actor=person, person=person, instead_of_email=True)
    NotificationPreference.objects.create(person=person, kind=NudgeKind.OPEN_ROLES, email=True, in_app=False)
    nudge = _nudge(person, "instead:2")
    nudge_services.nudge_deliver(nudge_id=nudge.pk)
    nudge.refresh_from_db()
    # The row keeps the portal as its channel of record (every nudge has one); the email is not sent.
    assert mailoutbox == [] and nudge.sent_at is not None and nudge.email is False
    assert Delivery.objects.filter(nudge=nudge).count() == 1


def test_a_kind_turned_off_for_email_is_not_sent_to_chat_either(receiver, mailoutbox):
    person = UserFactory()
    services.chat_channel_set(kind="slack", url=receiver.url, actor=person, person=person, instead_of_email=True)
    NotificationPreference.objects.create(person=person, kind=NudgeKind.OPEN_ROLES, email=False, in_app=False)
    nudge = _nudge(person, "instead:3")
    assert nudge_services.nudge_deliver(nudge_id=nudge.pk) == "cancelled"
    assert not Delivery.objects.exists() and mailoutbox == []


def test_without_the_choice_chat_is_a_copy_beside_the_email(receiver, mailoutbox):
    person = UserFactory()
    services.chat_channel_set(kind="slack", url=receiver.url, actor=person, person=person)
    nudge = _nudge(person, "instead:4")
    assert nudge_services.nudge_deliver(nudge_id=nudge.pk) == "sent"
    assert len(mailoutbox) == 1 and Delivery.objects.filter(nudge=nudge).count() == 1


def test_a_channel_that_was_turned_off_brings_email_back(receiver, mailoutbox):
    person = UserFactory()
    channel = services.chat_channel_set(
        kind="slack", url=receiver.url, actor=person, person=person, instead_of_email=True
    )
    ChatChannel.objects.filter(pk=channel.pk).update(disabled_at=timezone.now())
    nudge = _nudge(person, "instead:5")
    assert nudge_services.nudge_deliver(nudge_id=nudge.pk) == "sent"
    assert len(mailoutbox) == 1


def test_a_movement_channel_cannot_replace_anyones_email(receiver):
    movement = MovementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChatChannel.objects.create(
            kind="slack", url="https://hooks.slack.com/x", movement=movement, instead_of_email=True
        )
    channel = services.chat_channel_set(
        kind="slack",
        url=receiver.url,
        actor=movement.founder,
        movement=movement,
        instead_of_email=True,
    )
    assert channel.instead_of_email is False


def test_the_settings_page_offers_and_keeps_the_choice(client, receiver):
    person = UserFactory()
    client.force_login(person)
    page = client.get(reverse("integrations:feeds")).content.decode()
    assert "Send my nudges here instead of by email" in page
    response = client.post(
        reverse("integrations:chat"), {"kind": "slack", "url": receiver.url, "instead_of_email": "on"}
    )
    assert response.status_code == 302
    assert ChatChannel.objects.get(person=person).instead_of_email is True
    page = client.get(reverse("integrations:feeds")).content.decode()
    assert "Your nudges come here instead of by email." in page
    checkbox = re.search(r'<input type="checkbox" name="instead_of_email"[^>]*>', page).group(0)
    assert " checked" in checkbox and 'aria-describedby="id_instead_of_email_helptext"' in checkbox
    assert 'id="id_instead_of_email_helptext"' in page


def test_chat_in_place_of_email_counts_against_the_daily_cap(receiver, mailoutbox, settings):
    settings.NUDGES_DAILY_EMAIL_CAP = 2
    person = UserFactory()
    services.chat_channel_set(kind="slack", url=receiver.url, actor=person, person=person, instead_of_email=True)
    nudges = [_nudge(person, f"instead:cap:{n}") for n in range(3)]
    outcomes = [nudge_services.nudge_deliver(nudge_id=nudge.pk) for nudge in nudges]
    assert outcomes == ["in_app_only", "in_app_only", "deferred"]
    assert Delivery.objects.filter(channel__person=person).count() == 2 and mailoutbox == []
    deferred = Nudge.objects.get(pk=nudges[2].pk)
    assert deferred.sent_at is None and deferred.due_at > timezone.now()
