"""The pilots' side of the event channel: the nudges about pulses, written into the outbox in the event's
transaction (pilots sits above nudges, so it writes its own kinds)."""

from __future__ import annotations

from activity.events import subscribe
from activity.models import Activity, Verb
from movements.models import Membership
from nudges.models import Kind
from nudges.services import Draft, nudges_write


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
