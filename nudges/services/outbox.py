"""Writing the outbox and handing due rows to the workers (after commit, by beat's relay, after a stuck claim)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from socialbiz.celery import app as celery_app

from ..models import ALWAYS_IN_APP, Kind, NotificationPreference, Nudge

log = logging.getLogger(__name__)


# --- Writing the outbox -------------------------------------------------------------------------


@dataclass
class Draft:
    kind: Kind
    recipient_id: int | None
    dedupe_key: str
    movement_id: int | None = None
    feedback_id: int | None = None
    subject_person_id: int | None = None
    due_at: dt.datetime | None = None
    context: dict | None = None
    # False for a portal-only notification (the first follower's join: the email comes with the 24-hour nudge).
    email: bool = True
    # With recipient_id None: an address without an account, reached by email only.
    to_address: str = ""


@transaction.atomic
def nudges_write(*, drafts: list[Draft]) -> list[str]:
    """Write outbox rows in the caller's transaction; the database drops duplicates by dedupe key.

    People who turned a kind off on both channels get no row. Returns the dedupe keys written (or
    already present). Delivery is handed to the workers only after commit.
    """
    if not drafts:
        return []
    preferences = {
        (p.person_id, p.kind): p
        for p in NotificationPreference.objects.filter(
            person_id__in={d.recipient_id for d in drafts}, kind__in={d.kind for d in drafts}
        )
    }
    now = timezone.now()
    rows = []
    for draft in drafts:
        preference = preferences.get((draft.recipient_id, draft.kind))
        email = (preference.email if preference else True) and draft.email
        in_app = (preference.in_app if preference else True) or draft.kind in ALWAYS_IN_APP
        if draft.recipient_id is None:
            email, in_app = True, False  # nobody to show it to in the portal, and no preferences yet
        if not (email or in_app):
            continue
        rows.append(
            Nudge(
                kind=draft.kind,
                recipient_id=draft.recipient_id,
                to_address=draft.to_address,
                dedupe_key=draft.dedupe_key,
                movement_id=draft.movement_id,
                feedback_id=draft.feedback_id,
                subject_person_id=draft.subject_person_id,
                due_at=draft.due_at or now,
                created_at=now,
                context=draft.context or {},
                email=email,
                in_app=in_app,
            )
        )
    Nudge.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.dedupe_key for row in rows if row.due_at <= now]
    if keys:
        transaction.on_commit(partial(_relay_after_commit, keys))
    return [row.dedupe_key for row in rows]


def _relay_after_commit(keys: list[str]) -> None:
    """Hand the new rows to the workers now. If the broker is down, the beat relay sends them later."""
    try:
        nudges_relay(dedupe_keys=keys)
    except Exception:  # the outbox row is committed; losing this shortcut only delays delivery
        log.warning("nudges: could not queue %d new nudges now; the relay will", len(keys), exc_info=True)


def nudges_relay(*, dedupe_keys: list[str] | None = None, limit: int = 500) -> int:
    """Queue due, unsent nudges for the workers. Rows are locked with SKIP LOCKED, so two relays
    running at once hand out disjoint sets; a row queued long ago and never claimed (the broker
    lost the message) is queued again. Returns how many were queued."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.NUDGES_REQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        due = Nudge.objects.filter(
            sent_at__isnull=True,
            cancelled_at__isnull=True,
            claimed_at__isnull=True,
            due_at__lte=now,
            attempts__lt=settings.NUDGES_MAX_ATTEMPTS,
        ).filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
        if dedupe_keys is not None:
            due = due.filter(dedupe_key__in=dedupe_keys)
        ids = list(due.order_by("due_at").select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        _publish(ids)
        Nudge.objects.filter(pk__in=ids).update(queued_at=now)
    return len(ids)


def _publish(ids: list[int]) -> None:
    """Hand nudges to the workers; when the broker is down the outbox rows stay and the relay tries again."""
    hand_to_workers(task_name="nudges.tasks.deliver_nudge", argument="nudge_id", ids=ids)


def hand_to_workers(*, task_name: str, argument: str, ids: list[int]) -> None:
    """Queue one task per id over one broker connection, failing fast (not after kombu's long retries) when
    the broker is down: callers keep their rows and hand them out again later."""
    if not ids:
        return
    # By name from Celery's registry: the tasks module imports these services, not the other way round.
    task = celery_app.tasks[task_name]
    if celery_app.conf.task_always_eager:  # the one-machine demo without Redis: run inline
        for pk in ids:
            task.apply_async(kwargs={argument: pk})
        return
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
        for pk in ids:
            task.apply_async(kwargs={argument: pk}, retry=False, connection=connection)


def nudges_requeue_stuck(*, older_than_seconds: int | None = None) -> int:
    """Release claims held longer than the limit (a worker died mid-send) and queue those nudges again."""
    limit = settings.NUDGES_STUCK_CLAIM_SECONDS if older_than_seconds is None else older_than_seconds
    now = timezone.now()
    with transaction.atomic():
        stuck = Nudge.objects.filter(
            sent_at__isnull=True, cancelled_at__isnull=True, claimed_at__lt=now - dt.timedelta(seconds=limit)
        )
        ids = list(stuck.select_for_update(skip_locked=True).values_list("pk", flat=True))
        Nudge.objects.filter(pk__in=ids).update(claimed_at=None, queued_at=now)
        for nudge_id in ids:
            log.warning("nudges: claim on nudge %s was stuck; queueing it again", nudge_id)
        _publish(ids)
    return len(ids)
