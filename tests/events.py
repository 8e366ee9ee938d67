"""Tests' way into the event channel: record an event the way a service would, or watch what is recorded.

Tests that build rows by hand (a membership without the service) record the service's event with
these, so the subscribers run exactly as they do behind the service.
"""

from __future__ import annotations

from contextlib import contextmanager

from activity import events as channel
from activity.models import Activity, Verb


def member_joined(*, membership) -> Activity:
    return channel.event_record(
        verb=Verb.JOINED,
        actor=membership.person,
        movement=membership.movement,
        payload={"membership_id": membership.pk},
    )


def invitation_created(*, invitation) -> Activity:
    return channel.event_record(
        verb=Verb.INVITED,
        actor=invitation.inviter,
        movement=invitation.movement,
        subject_person=invitation.invitee,
        payload={"invitation_id": invitation.pk},
    )


def feedback_answered(*, status_change) -> Activity:
    return channel.event_record(
        verb=Verb.ANSWERED_FEEDBACK,
        actor=status_change.answered_by,
        feedback=status_change.feedback,
        movement=status_change.feedback.movement,
        payload={
            "status_change_id": status_change.pk,
            "from_status": status_change.from_status,
            "to_status": status_change.to_status,
        },
    )


def person_acted(*, person, verb: str, movement=None) -> None:
    """Only the acted-on subscriber, for an event of this verb by `person` (other subscribers need a real row)."""
    from nudges.subscribers import mark_acted_on  # the tests of the acted-on rule alone

    mark_acted_on(Activity(verb=verb, actor=person, movement=movement))


@contextmanager
def watching(*verbs: str):
    """Collect every event of these verbs (all verbs when none are given) recorded inside the block."""
    seen: list[Activity] = []

    def watch(event: Activity) -> None:
        seen.append(event)

    keys = verbs or (channel.ANY_VERB,)
    channel.subscribe(*keys)(watch)
    try:
        yield seen
    finally:
        for key in keys:
            channel._subscribers[key].remove(watch)
