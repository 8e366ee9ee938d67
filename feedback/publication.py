"""Anonymous posts are published in shuffled batches, so neither the database nor the list dates them.

Posting anonymously (anonymous_enqueue) writes one queue row with no author, no time and a random id, and
nothing else: no post, no tag, no activity row. Celery beat runs anonymous_queue_tick every minute:
- once ANONYMOUS_PUBLISH_MINUTES have passed since the last batch and at least ANONYMITY_MIN_CROWD distinct
  people were active in that time (any activity row, or a sign-in), the whole queue is published in
  random order in one transaction: the posts carry the publication day as their date and random ids,
  and their tags are created then;
- otherwise the queued rows are rewritten, so their transaction id is the tick's, not the posting's;
- either way the queue table is VACUUMed, so the old row versions (dead tuples) do not stay in the heap.
A post therefore says only "written by one of the people active between two batches".
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import Activity
from movements.models import Movement
from people.models import User

from . import services
from .models import AnonymousBatch, AnonymousQueueEntry, Kind, Tag
from .rendering import render_markdown

# Any fixed number: serialises concurrent ticks so two batches never split one crowd.
_PUBLISH_LOCK = 7_146_053_221


@transaction.atomic
def anonymous_enqueue(
    *,
    person,
    kind: str,
    title: str,
    body: str,
    movement: Movement | None = None,
    tags: list[Tag] | None = None,
    new_tag_names: list[str] | None = None,
    cause: str = "",
) -> None:
    """Queue an anonymous post. `person` is used only to check what they may see; it is not stored."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose What Works or What Doesn't.")})
    if movement is not None and not Movement.objects.visible_to(person).filter(pk=movement.pk).exists():
        raise ValidationError({"movement": _("Choose a movement you can see.")})
    AnonymousQueueEntry.objects.create(
        kind=kind,
        title=title.strip(),
        body=body,
        cause=cause.strip(),
        movement=movement,
        tag_ids=sorted({tag.pk for tag in tags or []}),
        new_tag_names=list(new_tag_names or []),
    )


def active_people_count(*, since: datetime, until: datetime) -> int:
    """Distinct active people who did something (an activity row) or signed in between `since` and `until`."""
    acted = Activity.objects.filter(created_at__gte=since, created_at__lte=until, actor__isnull=False)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=acted.values("actor_id")) | Q(last_login__gte=since, last_login__lte=until))
        .count()
    )


@transaction.atomic
def anonymous_publish(*, now: datetime | None = None) -> int:
    """Publish the whole queue in random order when the crowd and the time allow; returns how many."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PUBLISH_LOCK])
    window = timedelta(minutes=settings.ANONYMOUS_PUBLISH_MINUTES)
    last = AnonymousBatch.objects.order_by("-published_at").first()
    if last is not None and now - last.published_at < window:
        return 0
    entries = list(AnonymousQueueEntry.objects.select_for_update(skip_locked=True))
    if not entries:
        return 0
    since = last.published_at if last is not None else now - window
    if active_people_count(since=since, until=now) < settings.ANONYMITY_MIN_CROWD:
        return 0
    random.SystemRandom().shuffle(entries)
    day = services.round_to_day(now)
    for entry in entries:
        post = services._create_anonymous(
            dict(
                kind=entry.kind,
                title=entry.title,
                body=entry.body,
                body_html=render_markdown(entry.body),
                cause=entry.cause,
                author=None,
                is_anonymous=True,
                movement_id=entry.movement_id,
                created_at=day,
            )
        )
        tags = list(
            Tag.objects.filter(pk__in=entry.tag_ids, approved_at__isnull=False, retired_at__isnull=True)
        ) + services.tags_get_or_create(names=entry.new_tag_names)
        if tags:
            post.tags.add(*{tag.pk: tag for tag in tags}.values())
    AnonymousQueueEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
    AnonymousBatch.objects.create(published_at=now)
    return len(entries)


def anonymous_queue_restamp() -> int:
    """Rewrite every queued row, so each carries the transaction id of this tick instead of its posting's."""
    return AnonymousQueueEntry.objects.update(restamp=uuid.uuid4())


def anonymous_queue_vacuum() -> None:
    """Remove the queue's dead row versions (published or rewritten rows) from the table's pages."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # VACUUM cannot run inside a transaction; the next tick does it
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {AnonymousQueueEntry._meta.db_table}")


def anonymous_queue_tick(*, now: datetime | None = None) -> int:
    """The beat task's work: publish when allowed, else rewrite the queue; then VACUUM. Returns posts published."""
    published = anonymous_publish(now=now)
    if not published:
        with transaction.atomic():
            anonymous_queue_restamp()
    anonymous_queue_vacuum()
    return published


def queued_count() -> int:
    return AnonymousQueueEntry.objects.count()


def queue_is_full() -> bool:
    """Anonymous posts waiting for their batch, for everyone together, have reached ANONYMOUS_QUEUE_MAX."""
    return AnonymousQueueEntry.objects.count() >= settings.ANONYMOUS_QUEUE_MAX
