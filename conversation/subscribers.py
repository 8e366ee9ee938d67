"""Who watches automatically: the named author of a post, its voters and commenters, a movement's members.

Anonymous posts have no actor, so nobody is linked to them here either."""

from __future__ import annotations

from activity.events import subscribe
from activity.models import Activity, Verb

from .models import Watch
from .services import watch_automatically, watch_stop_automatic


@subscribe(Verb.POSTED_FEEDBACK, Verb.VOTED, Verb.COMMENTED)
def watch_the_post(event: Activity) -> None:
    if event.actor_id is None or event.feedback_id is None:
        return
    watch_automatically(person_ids=[event.actor_id], item=event.feedback)


@subscribe(Verb.STARTED_MOVEMENT, Verb.JOINED, Verb.ACCEPTED_INVITATION, Verb.REPLIED)
def watch_the_movement(event: Activity) -> None:
    if event.actor_id is None or event.movement_id is None:
        return
    watch_automatically(person_ids=[event.actor_id], item=event.movement)


@subscribe(Verb.LEFT)
def stop_watching_a_movement_left(event: Activity) -> None:
    if event.actor_id is not None and event.movement_id is not None:
        watch_stop_automatic(person_id=event.actor_id, item=event.movement)


@subscribe(Verb.MERGED_FEEDBACK)
def watch_the_post_a_duplicate_went_into(event: Activity) -> None:
    """People watching a merged duplicate go on watching the conversation where it now lives. Someone who
    stopped watching the target keeps that choice; undoing the merge leaves these watches (each can stop)."""
    source_id = (event.payload or {}).get("source_id")
    if event.feedback_id is None or source_id is None:
        return
    watchers = Watch.objects.filter(feedback_id=source_id, watching=True).values_list("person_id", flat=True)
    watch_automatically(person_ids=list(watchers), item=event.feedback)
