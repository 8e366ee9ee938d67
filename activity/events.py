"""The one event channel: a service records what happened, subscribers react.

A service that changes something calls `event_record` once, inside its transaction, and calls no
other app. The event is the activity row (verb, actor or none, movement or post, a small payload).
Subscribers register per verb with `@subscribe(...)` in a `subscribers.py` module that their app's
`AppConfig.ready()` imports; they run at once, in the same transaction, in registration order. An
exception in a subscriber rolls the whole change back. Work that must wait for the commit (handing
nudges to Celery) is scheduled by the subscriber with `transaction.on_commit`.

`transient` is handed to subscribers and never stored: what they need to act on but the log must
not keep (an erased person's old address).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from django.db import connection
from django.utils import timezone

from .models import Activity, Verb

Subscriber = Callable[[Activity], None]
ANY_VERB = "*"

_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(*verbs: str) -> Callable[[Subscriber], Subscriber]:
    """Register the decorated function for these verbs (ANY_VERB for all). Registering twice is a no-op."""

    def register(function: Subscriber) -> Subscriber:
        for verb in verbs:
            if verb != ANY_VERB and verb not in Verb.values:
                raise ValueError(f"unknown verb {verb!r}")
            if function not in _subscribers[verb]:
                _subscribers[verb].append(function)
        return function

    return register


def subscribers_of(verb: str) -> list[Subscriber]:
    return [*_subscribers[verb], *_subscribers[ANY_VERB]]


def event_record(
    *,
    verb: Verb,
    actor=None,
    movement=None,
    feedback=None,
    subject_person=None,
    payload: dict | None = None,
    at: datetime | None = None,
    transient: dict | None = None,
) -> Activity:
    """Append the event to the activity log and run its subscribers in the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("event_record runs inside the service's transaction (transaction.atomic)")
    event = Activity.objects.create(
        actor=actor,
        verb=verb,
        movement=movement,
        feedback=feedback,
        subject_person=subject_person,
        payload=payload or {},
        created_at=at or timezone.now(),
    )
    event.transient = transient or {}
    for subscriber in subscribers_of(verb):
        subscriber(event)
    return event
