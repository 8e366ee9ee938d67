"""Every write to feedback: posting, votes, comments, official answers, reports and moderation.

Anonymous posts: the author is never stored, hashed or logged, the time is rounded to the day, and
the activity row has no actor and the same rounded time.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activity.events import event_record
from activity.models import Verb
from movements.models import Membership, Movement

from . import topics
from .models import (
    Comment,
    Feedback,
    FeedbackRevision,
    Kind,
    ModerationAction,
    Report,
    Status,
    StatusChange,
    Tag,
    Vote,
)
from .rendering import render_markdown


def round_to_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def tags_get_or_create(*, names: list[str], person=None) -> list[Tag]:
    """Existing topics by name, new ones proposed (feedback/topics.py: they wait for a moderator)."""
    return topics.tags_get_or_create(names=names, person=person)


@transaction.atomic
def feedback_post(
    *,
    person,
    kind: str,
    title: str,
    body: str,
    anonymous: bool,
    movement: Movement | None = None,
    tags: list[Tag] | None = None,
    new_tag_names: list[str] | None = None,
    cause: str = "",
) -> Feedback:
    """Post What Works / What Doesn't. With anonymous=True nothing that points to `person` is written."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose What Works or What Doesn't.")})
    if movement is not None and not Movement.objects.visible_to(person).filter(pk=movement.pk).exists():
        raise ValidationError({"movement": _("Choose a movement you can see.")})
    now = timezone.now()
    fields = dict(
        kind=kind,
        title=title.strip(),
        body=body,
        body_html=render_markdown(body),
        cause=cause.strip(),
        author=None if anonymous else person,
        is_anonymous=anonymous,
        movement=movement,
        created_at=round_to_day(now) if anonymous else now,
    )
    post = _create_anonymous(fields) if anonymous else Feedback.objects.create(**fields)
    all_tags = list(tags or []) + tags_get_or_create(names=new_tag_names or [], person=None if anonymous else person)
    if all_tags:
        post.tags.add(*{tag.pk: tag for tag in all_tags}.values())
    if not anonymous:
        event_record(actor=person, verb=Verb.POSTED_FEEDBACK, feedback=post, movement=movement, at=now)
    # Anonymous posts get their (actor-less) activity row later, in a shuffled daily batch: see
    # anonymous_activity_record. Written now, its id would sit between the author's own rows.
    return post


ANONYMOUS_ID_RANGE = (2**40, 2**52)  # far above the sequence, and exact in JavaScript numbers


def _create_anonymous(fields: dict) -> Feedback:
    """A random id instead of the next one in the sequence: neighbouring ids would date the post to the minute."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                low, high = ANONYMOUS_ID_RANGE
                return Feedback.objects.create(pk=low + secrets.randbelow(high - low), **fields)
        except IntegrityError:
            continue  # the id was taken (one in hundreds of billions): draw again
    raise IntegrityError("Could not find a free id for an anonymous post.")


@transaction.atomic
def anonymous_activity_record(*, now: datetime | None = None) -> int:
    """Write the activity rows of anonymous posts from before today, in random order, with no actor.

    Posts of the current day wait until the day is over, so the rows' ids and insert order do not
    follow the authors' own activity. Safe to run again and concurrently: it locks the posts it handles.
    """
    today = round_to_day(now or timezone.now())
    posts = list(
        Feedback.objects.select_for_update(skip_locked=True)
        .filter(is_anonymous=True, created_at__lt=today)
        .exclude(activities__verb=Verb.POSTED_FEEDBACK)
    )
    random.SystemRandom().shuffle(posts)
    for post in posts:
        event_record(actor=None, verb=Verb.POSTED_FEEDBACK, feedback=post, movement=post.movement, at=post.created_at)
    return len(posts)


def _unless_merged(feedback: Feedback) -> Feedback:
    """Lock the post's row; a merge (feedback/merging.py) holds it while it moves the votes, so a vote racing it
    waits here and then counts on the post the duplicate went into."""
    for _hop in range(5):
        merged_into = (
            Feedback.objects.select_for_update(no_key=True)
            .filter(pk=feedback.pk)
            .values_list("merged_into_id", flat=True)
            .first()
        )
        if not merged_into:
            return feedback
        feedback = Feedback.objects.get(pk=merged_into)
    return feedback


@transaction.atomic
def vote_set(*, feedback: Feedback, person, voted: bool) -> tuple[Feedback, bool]:
    """Put the person's "me too" in the state they asked for: vote (voted=True) or take it back.

    Idempotent, never a toggle: a stale second tab asking to vote again keeps the vote. The post's row is
    locked first, so requests of the same post are applied one after the other in the order they reach the
    database (the last click wins) and the F() count, moved in the same transaction as the row, always
    equals the rows. Only a new vote records an event.
    """
    # Locks the post's row and follows a merge: a vote on a stale page of a duplicate counts on the post it went into.
    feedback = _unless_merged(feedback)
    if voted:
        # Under the lock nobody else can add this person's vote between the check and the insert.
        if not Vote.objects.filter(feedback=feedback, person=person).exists():
            Vote.objects.create(feedback=feedback, person=person)
            Feedback.objects.filter(pk=feedback.pk).update(vote_count=F("vote_count") + 1)
            event_record(actor=person, verb=Verb.VOTED, feedback=feedback, movement=feedback.movement)
    else:
        deleted, _ignored = Vote.objects.filter(feedback=feedback, person=person).delete()
        if deleted:
            Feedback.objects.filter(pk=feedback.pk).update(vote_count=Greatest(F("vote_count") - 1, 0))
    feedback.refresh_from_db(fields=["vote_count"])
    return feedback, voted


def _comment_body(body: str) -> str:
    """The comment's text as kept; an empty one is refused (adding and editing alike)."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")})
    return body


@transaction.atomic
def comment_add(*, feedback: Feedback, author, body: str) -> Comment:
    body = _comment_body(body)
    comment = Comment.objects.create(feedback=feedback, author=author, body=body)
    Feedback.objects.filter(pk=feedback.pk).update(comment_count=F("comment_count") + 1)
    event_record(
        actor=author,
        verb=Verb.COMMENTED,
        feedback=feedback,
        movement=feedback.movement,
        payload={"comment_id": comment.pk},
    )
    return comment


def comment_can_change(*, comment: Comment, person) -> bool:
    """Only its author, and only within FEEDBACK_COMMENT_EDIT_MINUTES of writing it."""
    window = timedelta(minutes=settings.FEEDBACK_COMMENT_EDIT_MINUTES)
    return comment.author_id == person.pk and timezone.now() - comment.created_at <= window


@transaction.atomic
def comment_edit(*, comment: Comment, person, body: str) -> Comment:
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not comment_can_change(comment=comment, person=person):
        raise PermissionDenied(
            _("You can edit your own comment only in the first %(minutes)d minutes.")
            % {"minutes": settings.FEEDBACK_COMMENT_EDIT_MINUTES}
        )
    body = _comment_body(body)
    before = comment.body
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    # People @mentioned by the edit and not before are told (nudges/conversation.py); the text before is handed
    # to the subscriber, not stored in the log.
    feedback = Feedback.objects.select_related("movement").get(pk=comment.feedback_id)
    event_record(
        actor=person,
        verb=Verb.COMMENT_EDITED,
        feedback=feedback,
        movement=feedback.movement,
        payload={"comment_id": comment.pk},
        transient={"before": before},
    )
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, person) -> None:
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not comment_can_change(comment=comment, person=person):
        raise PermissionDenied(
            _("You can delete your own comment only in the first %(minutes)d minutes.")
            % {"minutes": settings.FEEDBACK_COMMENT_EDIT_MINUTES}
        )
    if comment.hidden_at is None:
        Feedback.objects.filter(pk=comment.feedback_id).update(comment_count=Greatest(F("comment_count") - 1, 0))
    comment.delete()


def can_answer(*, feedback: Feedback, person) -> bool:
    """Moderators, and the active leads of the movement the post is about."""
    if not person.is_authenticated:
        return False
    if person.can_moderate:
        return True
    if feedback.movement_id is None:
        return False
    return Membership.objects.active_leads().filter(movement_id=feedback.movement_id, person=person).exists()


@transaction.atomic
def feedback_answer(*, feedback: Feedback, person, status: str, response: str) -> StatusChange:
    """An official answer: new status plus a written response, kept in the history; nudges author and voters."""
    if not can_answer(feedback=feedback, person=person):
        raise PermissionDenied(_("Only moderators and leads of the linked movement can answer."))
    if status not in Status.values:
        raise ValidationError({"status": _("Choose one of the listed statuses.")})
    response = response.strip()
    if not response:
        raise ValidationError({"response": _("Write the official response.")})
    post = Feedback.objects.select_for_update().get(pk=feedback.pk)
    now = timezone.now()
    change = StatusChange.objects.create(
        feedback=post, from_status=post.status, to_status=status, response=response, answered_by=person, created_at=now
    )
    post.status = status
    update_fields = ["status"]
    if post.first_answered_at is None:
        post.first_answered_at = now
        update_fields.append("first_answered_at")
    post.save(update_fields=update_fields)
    event_record(
        actor=person,
        verb=Verb.ANSWERED_FEEDBACK,
        feedback=post,
        movement=post.movement,
        at=now,
        payload={"status_change_id": change.pk, "from_status": change.from_status, "to_status": change.to_status},
    )
    return change


@transaction.atomic
def report_create(*, reporter, reason: str, feedback: Feedback | None = None, comment: Comment | None = None) -> Report:
    """Report a post or a comment for moderators. A second open report by the same person is the same report."""
    if (feedback is None) == (comment is None):
        raise ValueError("Report exactly one post or one comment.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say briefly what is wrong.")})
    existing = Report.objects.filter(
        reporter=reporter, feedback=feedback, comment=comment, resolved_at__isnull=True
    ).first()
    if existing:
        return existing
    report = Report.objects.create(reporter=reporter, reason=reason, feedback=feedback, comment=comment)
    event_record(
        actor=reporter,
        verb=Verb.REPORTED,
        feedback=feedback if feedback is not None else comment.feedback,
        payload={"report_id": report.pk},
    )
    return report


def _moderate(
    *, moderator, action: str, reason: str, feedback: Feedback | None, comment: Comment | None
) -> ModerationAction:
    if not moderator.can_moderate:
        raise PermissionDenied(_("Only moderators can do this."))
    if (feedback is None) == (comment is None):
        raise ValueError("Moderate exactly one post or one comment.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason; it is kept in the moderation log.")})
    now = timezone.now()
    target = feedback or comment
    model = type(target)
    target = model.objects.select_for_update().get(pk=target.pk)
    if action == ModerationAction.Action.HIDE and target.hidden_at is None:
        model.objects.filter(pk=target.pk).update(hidden_at=now)
        if comment is not None:
            Feedback.objects.filter(pk=target.feedback_id).update(comment_count=Greatest(F("comment_count") - 1, 0))
    elif action == ModerationAction.Action.RESTORE and target.hidden_at is not None:
        model.objects.filter(pk=target.pk).update(hidden_at=None)
        if comment is not None:
            Feedback.objects.filter(pk=target.feedback_id).update(comment_count=F("comment_count") + 1)
    reports = Report.objects.filter(resolved_at__isnull=True)
    reports = reports.filter(feedback=target) if feedback is not None else reports.filter(comment=target)
    if action in (ModerationAction.Action.HIDE, ModerationAction.Action.DISMISS):
        reports.update(resolved_at=now)
    moderation = ModerationAction.objects.create(
        feedback=target if feedback is not None else None,
        comment=target if comment is not None else None,
        moderator=moderator,
        action=action,
        reason=reason,
        created_at=now,
    )
    # The event names the post, not its movement: moderating is nobody's share of a movement's work.
    event_record(
        actor=moderator,
        verb=Verb.MODERATED,
        feedback=target if feedback is not None else target.feedback,
        at=now,
        payload={"action": action, "reason": reason, "comment_id": target.pk if comment is not None else None},
    )
    return moderation


@transaction.atomic
def moderation_act(
    *, moderator, action: str, reason: str, feedback: Feedback | None = None, comment: Comment | None = None
) -> ModerationAction:
    """Hide, restore, or dismiss the reports on a post or comment; always logged with who and why."""
    if action not in ModerationAction.Action.values:
        raise ValidationError({"action": _("Choose hide, restore or dismiss.")})
    return _moderate(moderator=moderator, action=action, reason=reason, feedback=feedback, comment=comment)


@transaction.atomic
def feedback_turned_into_movement(*, feedback: Feedback, movement: Movement) -> Feedback:
    """Record that a movement was started from this post (feedback/subscribers.py, on STARTED_MOVEMENT).

    The post then links to the movement instead of offering "Turn into a movement" again; a second
    movement from the same post is refused, and the start rolls back with it.
    """
    updated = Feedback.objects.filter(pk=feedback.pk, resulting_movement__isnull=True).update(
        resulting_movement=movement
    )
    if not updated:
        raise ValidationError(_("A movement was already started from this post."), code="already_started")
    feedback.refresh_from_db(fields=["resulting_movement"])
    return feedback


# --- editing and withdrawing a named post --------------------------------------------------------

ANONYMOUS_UNEDITABLE = gettext_lazy(
    "Anonymous posts cannot be edited or withdrawn: nothing links them to anyone, not even to the person who "
    "wrote them, so nobody can show it is theirs."
)


def feedback_can_edit(*, feedback: Feedback, person) -> bool:
    """The named author of a post that is neither withdrawn nor hidden by a moderator."""
    return (
        not feedback.is_anonymous
        and feedback.author_id is not None
        and feedback.author_id == getattr(person, "pk", None)
        and feedback.withdrawn_at is None
        and feedback.hidden_at is None
    )


def _lock_own_post(*, feedback: Feedback, person) -> Feedback:
    post = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if post.is_anonymous:
        raise PermissionDenied(ANONYMOUS_UNEDITABLE)
    if not feedback_can_edit(feedback=post, person=person):
        raise PermissionDenied(_("Only the author of a post can change it, and not after it was withdrawn or hidden."))
    return post


@transaction.atomic
def feedback_edit(*, feedback: Feedback, person, title: str, body: str) -> Feedback:
    """The author corrects a named post. The version it replaces is kept as a revision (the visible history);
    the body goes through the same Markdown and nh3 pipeline as a new post. No change, no revision."""
    post = _lock_own_post(feedback=feedback, person=person)
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give it a title.")})
    if not body.strip():
        raise ValidationError({"body": _("Say what works or what doesn't.")})
    if title == post.title and body == post.body:
        return post
    now = timezone.now()
    revision = FeedbackRevision.objects.create(
        feedback=post,
        title=post.title,
        body=post.body,
        body_html=post.body_html,
        written_at=post.edited_at or post.created_at,
        replaced_at=now,
    )
    post.title, post.body, post.body_html, post.edited_at = title, body, render_markdown(body), now
    post.save(update_fields=["title", "body", "body_html", "edited_at"])
    event_record(
        actor=person,
        verb=Verb.FEEDBACK_EDITED,
        feedback=post,
        movement=post.movement,
        at=now,
        payload={"revision_id": revision.pk},
    )
    return post


@transaction.atomic
def feedback_withdraw(*, feedback: Feedback, person) -> Feedback:
    """The author takes a named post back. Its words and their history go; a tombstone stays, so the
    comments and official answers around it still read as a thread. Doing it twice changes nothing."""
    post = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if post.withdrawn_at is not None and post.author_id == person.pk:
        return post
    post = _lock_own_post(feedback=post, person=person)
    now = timezone.now()
    post.revisions.all().delete()
    post.tags.clear()
    post.title, post.body, post.body_html, post.withdrawn_at = "", "", "", now
    post.save(update_fields=["title", "body", "body_html", "withdrawn_at"])
    event_record(actor=person, verb=Verb.FEEDBACK_WITHDRAWN, feedback=post, movement=post.movement, at=now)
    return post
