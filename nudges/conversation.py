"""Notifications that call people back to a conversation (issue 14): news on what they watch, batched per
item; a first follower's join told to the founder and leads at once. Outbox rows like every nudge, so
preferences, the daily email cap and exactly-once delivery hold.

Batching: the first event on an item writes one row per watcher, due NOTIFY_BATCH_MINUTES later; the
events that follow before it is due add to its counts ("3 new comments on …") instead of writing another.
The watch rows of the item are locked first, so two events at once count into the same row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from activity.events import subscribe
from activity.models import Activity, Verb
from conversation.models import Reply, Watch
from conversation.selectors import can_see_q, watcher_ids
from feedback.models import Comment, FeedbackRevision, Vote
from movements.models import Membership, Movement, Update, UpdateRevision
from people import mentions
from people.models import User

from .models import Kind, Nudge
from .services import Draft, nudges_write

# What happened, as counted in a watch notification's context["counts"].
COMMENT, ANSWER, UPDATE, STAGE, REPLY = "comment", "answer", "update", "stage", "reply"
WATCH_KINDS = (COMMENT, ANSWER, UPDATE, STAGE, REPLY)


def watchers_notify(
    *, item, what: str, actor_id: int | None, exclude: set[int] | None = None, also: set[int] | None = None
) -> list[int]:
    """Tell the item's watchers (who can still see it, never the actor) that `what` happened; `also` are told
    as if they watched (an update's author hears of its replies). Returns who."""
    skip = set(exclude or ()) | ({actor_id} if actor_id else set())
    recipients = watcher_ids(item=item, exclude=skip)
    if also and (also - skip - set(recipients)):
        extra = User.objects.filter(can_see_q(item), pk__in=also - skip).values_list("pk", flat=True)
        recipients = sorted(set(recipients) | set(extra))
    if not recipients:
        return []
    is_post = item._meta.label == "feedback.Feedback"
    on_item = {"feedback_id": item.pk} if is_post else {"movement_id": item.pk}
    # Lock the watches in id order: a second event on the item waits here and then sees this one's row.
    list(Watch.objects.select_for_update().filter(person_id__in=recipients, **on_item).order_by("pk").values("pk"))
    now = timezone.now()
    open_rows = {
        nudge.recipient_id: nudge
        for nudge in Nudge.objects.select_for_update().filter(
            kind=Kind.WATCHED_ACTIVITY,
            recipient_id__in=recipients,
            due_at__gt=now,
            queued_at__isnull=True,
            claimed_at__isnull=True,
            sent_at__isnull=True,
            cancelled_at__isnull=True,
            **on_item,
        )
    }
    for nudge in open_rows.values():
        counts = nudge.context.setdefault("counts", {})
        counts[what] = int(counts.get(what, 0)) + 1
    Nudge.objects.bulk_update(open_rows.values(), ["context"])
    due = now + dt.timedelta(minutes=settings.NOTIFY_BATCH_MINUTES)
    stamp = f"{now:%Y%m%d%H%M%S%f}"
    letter = "f" if is_post else "m"
    nudges_write(
        drafts=[
            Draft(
                Kind.WATCHED_ACTIVITY,
                person_id,
                f"watched:{letter}{item.pk}:u{person_id}:t{stamp}",
                feedback_id=item.pk if is_post else None,
                movement_id=(item.movement_id if is_post else item.pk),
                due_at=due,
                context={"counts": {what: 1}},
            )
            for person_id in recipients
            if person_id not in open_rows
        ]
    )
    return recipients


@subscribe(Verb.COMMENTED)
def tell_post_watchers_about_a_comment(event: Activity) -> None:
    if event.feedback_id is not None:
        watchers_notify(item=event.feedback, what=COMMENT, actor_id=event.actor_id)


@subscribe(Verb.ANSWERED_FEEDBACK)
def tell_post_watchers_about_an_answer(event: Activity) -> None:
    """The named author and the voters already get "feedback answered"; the other watchers hear it here."""
    post = event.feedback
    told = set(Vote.objects.filter(feedback=post).values_list("person_id", flat=True))
    if post.author_id and not post.is_anonymous:
        told.add(post.author_id)
    watchers_notify(item=post, what=ANSWER, actor_id=event.actor_id, exclude=told)


@subscribe(Verb.POSTED_UPDATE, Verb.WELCOMED)
def tell_movement_watchers_about_an_update(event: Activity) -> None:
    watchers_notify(item=event.movement, what=UPDATE, actor_id=event.actor_id)


@subscribe(Verb.CHANGED_STAGE, Verb.RECORDED_DECISION)
def tell_movement_watchers_about_a_stage_change(event: Activity) -> None:
    watchers_notify(item=event.movement, what=STAGE, actor_id=event.actor_id)


@subscribe(Verb.JOINED)
def tell_leads_a_first_follower_joined(event: Activity) -> None:
    """In the portal at once, so the champion can welcome them while it matters (the email stays the
    24-hour "welcome your follower" nudge, which is cancelled if they were welcomed meanwhile)."""
    membership = Membership.objects.get(pk=event.payload["membership_id"])
    if not membership.is_first_follower or membership.left_at is not None:
        return
    movement_id, person_id = membership.movement_id, membership.person_id
    founder_id = Movement.objects.values_list("founder_id", flat=True).get(pk=movement_id)
    leads = set(Membership.objects.active_leads().filter(movement_id=movement_id).values_list("person_id", flat=True))
    leads.add(founder_id)
    leads.discard(person_id)
    nudges_write(
        drafts=[
            Draft(
                Kind.FOLLOWER_JOINED,
                lead_id,
                f"follower_joined:m{movement_id}:f{person_id}:u{lead_id}",
                movement_id=movement_id,
                subject_person_id=person_id,
                email=False,
            )
            for lead_id in sorted(leads)
        ]
    )


# --- Mentions ---------------------------------------------------------------------------------------


def notify_new_mentions(
    *,
    item,
    old_text: str,
    new_text: str,
    author_id: int | None,
    key: str,
    path: str,
    anonymous: bool = False,
) -> list[int]:
    """Tell the people @mentioned in `new_text` and not already in `old_text` (an edit tells only the new ones).

    `item` is what they must be able to see (the post, or the movement of an update); people who cannot see it
    are told nothing, and nothing says they were left out. `key` names the text once per item ("f12", "c34",
    "u56"): with the dedupe key it makes a person hear of one text at most once, however often it is edited.
    An anonymous text's notification names no author. The first MENTIONS_MAX_PER_ITEM people named are
    told; a named author who named more is told that in the portal. Returns who was told.

    The editing of posts, comments and updates calls this from its edit event's subscriber, with the text
    before and after the edit.
    """
    before = set(mentions.handles_in(old_text))
    handles = [h for h in mentions.handles_in(new_text) if h not in before]
    named = mentions.people_for(handles)
    people = [named[h].pk for h in handles if h in named and named[h].pk != author_id]
    limit = max(settings.MENTIONS_MAX_PER_ITEM, 0)
    over = len(people) > limit
    people = people[:limit]
    allowed = set(User.objects.filter(can_see_q(item), pk__in=people).values_list("pk", flat=True))
    people = [pk for pk in people if pk in allowed]
    is_post = item._meta.label == "feedback.Feedback"
    where = {"feedback_id": item.pk, "movement_id": item.movement_id} if is_post else {"movement_id": item.pk}
    context = {"path": path, "anonymous": bool(anonymous)}
    drafts = [
        Draft(
            Kind.MENTIONED,
            person_id,
            f"mentioned:{key}:u{person_id}",
            subject_person_id=None if anonymous else author_id,
            context=context,
            **where,
        )
        for person_id in people
    ]
    if over and author_id and not anonymous:
        drafts.append(
            Draft(
                Kind.MENTIONED,
                author_id,
                f"mentioned:{key}:limit:u{author_id}",
                subject_person_id=author_id,
                context={**context, "limit": limit},
                email=False,
                **where,
            )
        )
    nudges_write(drafts=drafts)
    return people


@subscribe(Verb.POSTED_FEEDBACK, Verb.FEEDBACK_EDITED)
def tell_people_mentioned_in_a_post(event: Activity) -> None:
    """A named post when it is posted; an anonymous one when its actor-less event is recorded in the
    shuffled batch, so the time of the notification says nothing about the author. An edit tells only the
    handles it added: the text before it is the revision the edit kept."""
    post = event.feedback
    if post is None:
        return
    revision_id = (event.payload or {}).get("revision_id")  # only an edit has one: no query on posting
    revision = FeedbackRevision.objects.filter(pk=revision_id).first() if revision_id else None
    anonymous = post.is_anonymous or event.actor_id is None
    notify_new_mentions(
        item=post,
        old_text=f"{revision.title}\n{revision.body}" if revision else "",
        new_text=f"{post.title}\n{post.body}",
        author_id=None if anonymous else event.actor_id,
        key=f"f{post.pk}",
        path=post.get_absolute_url(),
        anonymous=anonymous,
    )


@subscribe(Verb.COMMENTED, Verb.COMMENT_EDITED)
def tell_people_mentioned_in_a_comment(event: Activity) -> None:
    """A new comment tells everyone it mentions; an edit only the handles it added."""
    comment_id = (event.payload or {}).get("comment_id")
    if comment_id is None:
        return
    comment = Comment.objects.select_related("feedback__movement__department").get(pk=comment_id)
    notify_new_mentions(
        item=comment.feedback,
        old_text=getattr(event, "transient", {}).get("before", ""),
        new_text=comment.body,
        author_id=comment.author_id,
        key=f"c{comment.pk}",
        path=f"{comment.feedback.get_absolute_url()}#comment-{comment.pk}",
    )


@subscribe(Verb.POSTED_UPDATE, Verb.WELCOMED, Verb.UPDATE_EDITED)
def tell_people_mentioned_in_an_update(event: Activity) -> None:
    payload = event.payload or {}
    update_id = payload.get("update_id")
    if update_id is None:
        return
    update = Update.objects.select_related("movement__department").get(pk=update_id)
    revision_id = payload.get("revision_id")  # only an edit has one: no query on posting
    revision = UpdateRevision.objects.filter(pk=revision_id).first() if revision_id else None
    notify_new_mentions(
        item=update.movement,
        old_text=revision.body if revision else "",
        new_text=update.body,
        author_id=update.author_id,
        key=f"u{update.pk}",
        path=f"{update.movement.get_absolute_url()}#update-{update.pk}",
    )


@subscribe(Verb.REPLIED)
def tell_about_a_reply(event: Activity) -> None:
    """The update's author and the movement's watchers hear of it (batched); the people it mentions too."""
    reply = Reply.objects.select_related("update__movement__department").get(pk=event.payload["reply_id"])
    movement = reply.update.movement
    watchers_notify(item=movement, what=REPLY, actor_id=event.actor_id, also={reply.update.author_id})
    notify_new_mentions(
        item=movement,
        old_text="",
        new_text=reply.body,
        author_id=reply.author_id,
        key=f"r{reply.pk}",
        path=f"{movement.get_absolute_url()}#reply-{reply.pk}",
    )
