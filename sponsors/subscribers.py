"""The sponsors' side of the event channel: the audit log keeps who became a sponsor and who sanctioned what
(a sponsor's word carries weight, like a lead's). The nudges for sponsors live in nudges/subscribers.py."""

from __future__ import annotations

from activity.events import subscribe
from activity.models import Activity, Verb
from people.models import AuditAction
from people.services import audit_record


@subscribe(Verb.ANSWERED_SPONSORSHIP, Verb.SANCTIONED, Verb.WITHDREW_SANCTION)
def audit_sponsor_changes(event: Activity) -> None:
    if event.verb == Verb.ANSWERED_SPONSORSHIP and not event.payload.get("accepted"):
        return
    change = {
        Verb.ANSWERED_SPONSORSHIP: "became_sponsor",
        Verb.SANCTIONED: "sanctioned",
        Verb.WITHDREW_SANCTION: "withdrew_sanction",
    }[event.verb]
    audit_record(
        action=AuditAction.ROLE_CHANGED,
        actor=event.actor,
        target=event.movement,
        detail={"change": change, **event.payload},
    )
