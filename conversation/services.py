"""Writes of the conversation app. Watching is a person's own setting (like notification preferences): it
records no event; a reply records REPLIED, hiding one MODERATED."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.events import event_record
from activity.models import Verb
from movements.models import Update

from .models import Reply, Watch, item_filter


@transaction.atomic
def watch_set(*, person, item, watching: bool) -> Watch:
    """The person's own choice: watch or stop watching. Sets the state asked for (never a toggle), so a
    stale second tab or a double click ends in the state the person saw on the button."""
    now = timezone.now()
    watch, created = Watch.objects.get_or_create(
        person=person, **item_filter(item), defaults={"watching": watching, "automatic": False, "changed_at": now}
    )
    if not created and (watch.watching != watching or watch.automatic):
        watch.watching, watch.automatic, watch.changed_at = watching, False, now
        watch.save(update_fields=["watching", "automatic", "changed_at"])
    return watch


def watch_automatically(*, person_ids: Iterable[int], item) -> None:
    """Start watching because of an action (posting, voting, commenting, joining). Someone who once
    stopped watching this item keeps their choice: existing rows are left as they are."""
    now = timezone.now()
    Watch.objects.bulk_create(
        [
            Watch(person_id=pk, automatic=True, created_at=now, changed_at=now, **item_filter(item))
            for pk in sorted(set(person_ids))
        ],
        ignore_conflicts=True,
    )


def watch_stop_automatic(*, person_id: int, item) -> None:
    """Leaving a movement ends the watch that joining started (a watch the person chose stays)."""
    Watch.objects.filter(person_id=person_id, automatic=True, watching=True, **item_filter(item)).update(
        watching=False, changed_at=timezone.now()
    )


@transaction.atomic
def reply_add(*, update: Update, author, body: str) -> Reply:
    """Reply to a movement update (the view has checked the person can see the movement and the rate limit)."""
    body = body.strip()
    if not body:
        raise ValidationError(_("Write a reply first."), code="empty")
    reply = Reply.objects.create(update=update, author=author, body=body)
    event_record(
        actor=author,
        verb=Verb.REPLIED,
        movement=update.movement,
        payload={"update_id": update.pk, "reply_id": reply.pk},
    )
    return reply


@transaction.atomic
def reply_delete(*, reply: Reply, person) -> None:
    """Its author deletes it (after a confirmation page): it disappears for everyone."""
    if reply.author_id != person.pk:
        raise PermissionDenied(_("You can delete only your own replies."))
    Reply.objects.filter(pk=reply.pk).delete()


@transaction.atomic
def reply_moderate(*, reply: Reply, moderator, hide: bool) -> Reply:
    """A moderator hides a reply (kept, shown to moderators) or restores it; recorded like other moderation."""
    if not moderator.can_moderate:
        raise PermissionDenied(_("Only moderators can hide replies."))
    reply.hidden_at = timezone.now() if hide else None
    reply.hidden_by = moderator if hide else None
    reply.save(update_fields=["hidden_at", "hidden_by"])
    event_record(
        actor=moderator,
        verb=Verb.MODERATED,
        movement=reply.update.movement,
        payload={"action": "hide" if hide else "restore", "reason": "", "reply_id": reply.pk},
    )
    return reply
