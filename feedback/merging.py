"""Merging a duplicate post into another, and undoing it within MERGE_UNDO_DAYS.

Votes become the union of distinct voters (a person who voted on both keeps one vote) and `vote_count` is set
from the rows in the same transaction, with both posts locked, so counts equal rows also while people vote
(services.vote_set waits on the lock and then votes on the post the duplicate went into). Comments move
with their times; official answers stay in the merged post's history. The merged post's URL redirects to the
target. Logged as a ModerationAction and one event (`merged_feedback`) that tells the named authors and the
voters (nudges/subscribers.py). Nothing here reads or writes who wrote an anonymous post.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.events import event_record
from activity.models import Verb

from .models import Comment, Feedback, FeedbackMerge, ModerationAction, Vote
from .services import can_answer


def can_merge(*, person, post: Feedback) -> bool:
    """Moderators, and the active leads of the movement the post is about: those who may answer it."""
    return can_answer(feedback=post, person=person)


def _check(*, source: Feedback, target: Feedback, actor) -> None:
    if source.pk == target.pk:
        raise ValidationError(_("A post cannot be merged into itself."), code="itself")
    if target.merged_into_id or target.hidden_at:
        raise ValidationError(_("That post is hidden or merged itself: pick the post it went into."), code="target")
    if source.merged_into_id:
        raise ValidationError(_("This post was merged already."), code="merged")
    if source.hidden_at:
        raise ValidationError(_("A hidden post cannot be merged; restore it first."), code="hidden")
    if not Feedback.objects.visible_to(actor).filter(pk=target.pk).exists():
        raise ValidationError(_("Pick a post you can see."), code="target")
    if not can_merge(person=actor, post=source):
        raise PermissionDenied(_("Only moderators and the leads of its movement can merge this post."))


def _lock(*pks: int) -> dict[int, Feedback]:
    """Lock the posts in id order (two merges crossing each other cannot deadlock) and read them fresh."""
    return {post.pk: post for post in Feedback.objects.select_for_update().filter(pk__in=pks).order_by("pk")}


def _recount(*posts: Feedback) -> None:
    for post in posts:
        post.vote_count = Vote.objects.filter(feedback=post).count()
        post.comment_count = Comment.objects.filter(feedback=post, hidden_at__isnull=True).count()
        Feedback.objects.filter(pk=post.pk).update(vote_count=post.vote_count, comment_count=post.comment_count)


@transaction.atomic
def feedback_merge(*, source: Feedback, target: Feedback, actor, reason: str = "") -> FeedbackMerge:
    locked = _lock(source.pk, target.pk)
    source, target = locked[source.pk], locked[target.pk]
    _check(source=source, target=target, actor=actor)
    target_voters = set(Vote.objects.filter(feedback=target).values_list("person_id", flat=True))
    source_votes = list(Vote.objects.filter(feedback=source).values_list("pk", "person_id"))
    moved = [pk for pk, person_id in source_votes if person_id not in target_voters]
    dropped = sorted(person_id for _pk, person_id in source_votes if person_id in target_voters)
    Vote.objects.filter(pk__in=moved).update(feedback=target)
    Vote.objects.filter(feedback=source, person_id__in=dropped).delete()
    comment_ids = list(Comment.objects.filter(feedback=source).values_list("pk", flat=True))
    Comment.objects.filter(pk__in=comment_ids).update(feedback=target)
    now = timezone.now()
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    _recount(source, target)
    try:
        with transaction.atomic():
            merge = FeedbackMerge.objects.create(
                source=source,
                target=target,
                merged_by=actor,
                reason=reason.strip(),
                moved_vote_ids=sorted(moved),
                dropped_voter_ids=dropped,
                moved_comment_ids=sorted(comment_ids),
                created_at=now,
            )
    except IntegrityError:
        raise ValidationError(_("This post was merged already."), code="merged") from None
    ModerationAction.objects.create(
        feedback=source,
        moderator=actor,
        action=ModerationAction.Action.MERGE,
        reason=reason.strip() or _("Merged into post %(id)s.") % {"id": target.pk},
    )
    event_record(
        verb=Verb.MERGED_FEEDBACK,
        actor=actor,
        feedback=target,
        movement=target.movement,
        payload={"merge_id": merge.pk, "source_id": source.pk},
        at=now,
    )
    return merge


def undo_deadline(merge: FeedbackMerge):
    return merge.created_at + timedelta(days=settings.MERGE_UNDO_DAYS)


def can_undo(*, merge: FeedbackMerge, person) -> bool:
    return (
        merge.undone_at is None
        and timezone.now() <= undo_deadline(merge)
        and (person.can_moderate or merge.merged_by_id == person.pk)
    )


@transaction.atomic
def feedback_unmerge(*, merge: FeedbackMerge, actor) -> FeedbackMerge:
    """Move back what the merge moved (votes and comments that still exist), give back the dropped votes of
    people who voted on both, and count again from the rows. Moderators or the person who merged, in time."""
    merge = FeedbackMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was undone already."), code="undone")
    if timezone.now() > undo_deadline(merge):
        raise ValidationError(
            _("A merge can be undone for %(days)s days only.") % {"days": settings.MERGE_UNDO_DAYS}, code="late"
        )
    if not (actor.can_moderate or merge.merged_by_id == actor.pk):
        raise PermissionDenied(_("Only moderators and the person who merged can undo it."))
    locked = _lock(merge.source_id, merge.target_id)
    source, target = locked[merge.source_id], locked[merge.target_id]
    Vote.objects.filter(pk__in=merge.moved_vote_ids, feedback=target).update(feedback=source)
    still_on_target = set(
        Vote.objects.filter(feedback=target, person_id__in=merge.dropped_voter_ids).values_list("person_id", flat=True)
    )
    Vote.objects.bulk_create(
        [
            Vote(feedback=source, person_id=person_id)
            for person_id in merge.dropped_voter_ids
            if person_id in still_on_target
        ],
        ignore_conflicts=True,
    )
    Comment.objects.filter(pk__in=merge.moved_comment_ids, feedback=target).update(feedback=source)
    source.merged_into = None
    source.save(update_fields=["merged_into"])
    _recount(source, target)
    merge.undone_at, merge.undone_by = timezone.now(), actor
    merge.save(update_fields=["undone_at", "undone_by"])
    ModerationAction.objects.create(
        feedback=source, moderator=actor, action=ModerationAction.Action.UNMERGE, reason=_("Merge undone.")
    )
    event_record(
        verb=Verb.UNMERGED_FEEDBACK,
        actor=actor,
        feedback=source,
        movement=source.movement,
        payload={"merge_id": merge.pk, "target_id": target.pk},
    )
    return merge


def merged_target_for(*, person, pk: int) -> Feedback | None:
    """Where a merged post's URL leads: the post it went into (following a chain), if the person can see it."""
    seen = set()
    post = Feedback.objects.filter(pk=pk).only("pk", "merged_into_id").first()
    while post is not None and post.merged_into_id and post.pk not in seen:
        seen.add(post.pk)
        post = Feedback.objects.filter(pk=post.merged_into_id).only("pk", "merged_into_id").first()
    if post is None or post.pk == pk or not Feedback.objects.visible_to(person).filter(pk=post.pk).exists():
        return None
    return post
