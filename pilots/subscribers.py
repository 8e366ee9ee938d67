"""The pilots' side of the event channel: the nudges about pulses, written into the outbox in the event's
transaction (pilots sits above nudges, so it writes its own kinds)."""

from __future__ import annotations

import datetime as dt

from activity.events import subscribe
from activity.models import Activity, Verb
from movements.models import Membership
from nudges.models import Kind, Nudge
from nudges.services import Draft, nudges_write

from .models import Proposal


@subscribe(Verb.OPENED_PULSE)
def ask_the_members(event: Activity) -> None:
    """A pulse opened: every current member is asked (preferences and the daily cap apply as for any nudge).
    Answering marks nothing acted on: that would put the person and the moment next to the answer."""
    pulse_id, movement_id = event.payload["pulse_id"], event.movement_id
    people = Membership.objects.current().filter(movement_id=movement_id, person__is_active=True)
    nudges_write(
        drafts=[
            Draft(Kind.PULSE_DUE, person_id, f"pulse_due:p{pulse_id}:u{person_id}", movement_id=movement_id)
            for person_id in people.values_list("person_id", flat=True)
        ]
    )


@subscribe(Verb.PROPOSED_DECISION)
def ask_the_members_to_respond(event: Activity) -> None:
    """A proposal (or its revision) opened: every member but the proposer is asked now, and asked again 24 hours
    before the window closes unless they responded by then (responding cancels that one)."""
    proposal = Proposal.objects.get(pk=event.payload["proposal_id"])
    key = f"p{proposal.pk}:r{proposal.revision}"
    people = (
        Membership.objects.current()
        .filter(movement_id=event.movement_id, person__is_active=True)
        .exclude(person_id=event.actor_id)
        .values_list("person_id", flat=True)
    )
    drafts = []
    for person_id in people:
        drafts.append(
            Draft(Kind.PROPOSAL_OPENED, person_id, f"proposal_opened:{key}:u{person_id}", movement_id=event.movement_id)
        )
        drafts.append(
            Draft(
                Kind.PROPOSAL_CLOSING,
                person_id,
                f"proposal_closing:{key}:u{person_id}",
                movement_id=event.movement_id,
                due_at=max(proposal.closes_at - dt.timedelta(hours=24), event.created_at),
            )
        )
    nudges_write(drafts=drafts)


@subscribe(Verb.RESPONDED_TO_PROPOSAL)
def cancel_the_reminder_and_tell_the_leads_of_objections(event: Activity) -> None:
    proposal = Proposal.objects.get(pk=event.payload["proposal_id"])
    Nudge.objects.filter(
        dedupe_key=f"proposal_closing:p{proposal.pk}:r{proposal.revision}:u{event.actor_id}",
        sent_at__isnull=True,
        cancelled_at__isnull=True,
    ).update(cancelled_at=event.created_at)
    if event.payload.get("kind") != "object":
        return
    leads = (
        Membership.objects.active_leads()
        .filter(movement_id=event.movement_id)
        .exclude(person_id=event.actor_id)
        .values_list("person_id", flat=True)
    )
    nudges_write(
        drafts=[
            Draft(
                Kind.OBJECTION_RAISED,
                lead_id,
                f"objection_raised:r{event.payload['response_id']}:{event.created_at:%Y%m%d%H%M%S%f}:u{lead_id}",
                movement_id=event.movement_id,
                subject_person_id=event.actor_id,
            )
            for lead_id in leads
        ]
    )
