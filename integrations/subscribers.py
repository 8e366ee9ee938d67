"""The integrations hang on the event channel: every event with a public type becomes deliveries to the
webhook endpoints that asked for it and to its movement's chat channel, in the event's transaction.
A delivered nudge is copied to the person's own chat channel (nudges/channels.py)."""

from __future__ import annotations

from activity.events import subscribe
from activity.models import Activity, Verb
from nudges import channels

from . import services
from .messages import EVENT_TYPES


@subscribe(*EVENT_TYPES)
def deliver_event(event: Activity) -> None:
    services.deliveries_for_event(event=event)


@channels.register
def copy_nudge_to_chat(nudge) -> None:
    services.deliveries_for_nudge(nudge=nudge)


@channels.register_email_replacement
def chat_instead_of_email(nudge) -> bool:
    return services.chat_replaces_email(nudge=nudge)


@subscribe(Verb.ERASED, Verb.DEACTIVATED)
def forget_the_persons_links(event: Activity) -> None:
    """A leaver's or an erased person's chat channel and feed links stop at once (their URL is theirs)."""
    services.person_links_forget(person_id=event.subject_person_id)
