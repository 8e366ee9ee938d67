"""Pulses: a few questions to a pilot's members every PULSE_EVERY_DAYS, answered anonymously.

The guarantees are those of anonymous feedback (feedback/publication.py):
- answering writes two rows in one transaction: the person into the pulse's "who answered" set
  (PulseRespondent: no time, a random id, nothing about the answer; its unique constraint allows one answer
  per person and pulse) and the answer into a queue (PulseQueuedAnswer: no person, no time, a random id);
  no activity row, no sequence value, no session write (the view keeps the session quiet), no log line;
- the beat's tick (every ANONYMOUS_QUEUE_TICK_SECONDS) rewrites the queued answers so their row versions
  carry the tick's transaction id, not the answering one, and VACUUMs the queue table;
- once at least ANONYMITY_MIN_CROWD answers of a pulse are queued, the tick publishes them all in random
  order (PulseAnswer, random ids, no time): every published batch holds at least that many answers, so the
  results before and after a batch differ by at least that many people and cannot be subtracted down to one;
- when the pulse closes, queued answers still fewer than ANONYMITY_MIN_CROWD are dropped, never shown.
Results are shown only from ANONYMITY_MIN_CROWD published answers; no figure adds pulses together.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from activity.events import event_record
from activity.models import Verb
from feedback import publication
from feedback.models import Kind as FeedbackKind
from movements.models import Membership, Movement, Stage
from people.models import User

from .models import DEFAULT_PULSE_QUESTIONS, Pulse, PulseAnswer, PulseQueuedAnswer, PulseRespondent

# Any fixed number: serialises concurrent ticks so two never publish one pulse's queue twice.
_PULSE_LOCK = 7_146_053_222


def open_pulse_of(movement: Movement, *, today: dt.date) -> Pulse | None:
    return (
        Pulse.objects.filter(movement=movement, opens_on__lte=today, closes_on__gt=today, closed_at__isnull=True)
        .order_by("-number")
        .first()
    )


def pulses_open_due(*, now: dt.datetime | None = None) -> int:
    """Open a pulse for every running pilot whose last pulse opened PULSE_EVERY_DAYS ago or more (or never)."""
    now = now or timezone.now()
    today = now.date()
    every = settings.PULSE_EVERY_DAYS
    due = (
        Movement.objects.filter(stage=Stage.PILOTING, pilot_start__lte=today, pilot_end__gte=today)
        .annotate(last_opened=Max("pulses__opens_on"), last_number=Max("pulses__number"))
        .filter(Q(last_opened__isnull=True) | Q(last_opened__lte=today - dt.timedelta(days=every)))
    )
    opened = 0
    for movement in due:
        try:
            _pulse_open(movement=movement, number=(movement.last_number or 0) + 1, today=today, now=now)
        except IntegrityError:
            continue  # another beat opened it first: the constraints keep one pulse per day and number
        opened += 1
    return opened


@transaction.atomic
def _pulse_open(*, movement: Movement, number: int, today: dt.date, now: dt.datetime) -> Pulse:
    pulse = Pulse.objects.create(
        movement=movement,
        number=number,
        opens_on=today,
        closes_on=today + dt.timedelta(days=settings.PULSE_EVERY_DAYS),
        questions=list(DEFAULT_PULSE_QUESTIONS),
    )
    # No actor: nobody opened it. The subscribers ask the members (the nudge outbox).
    event_record(verb=Verb.OPENED_PULSE, movement=movement, payload={"pulse_id": pulse.pk}, at=now)
    return pulse


def _clean_scores(pulse: Pulse, scores: list) -> list[int]:
    if len(scores) != len(pulse.questions):
        raise ValidationError(_("Answer every question from 1 to 5."), code="scores")
    cleaned = []
    for score in scores:
        try:
            value = int(score)
        except (TypeError, ValueError):
            raise ValidationError(_("Answer every question from 1 to 5."), code="scores") from None
        if not 1 <= value <= 5:
            raise ValidationError(_("Answer every question from 1 to 5."), code="scores")
        cleaned.append(value)
    return cleaned


@transaction.atomic
def pulse_answer(
    *,
    pulse: Pulse,
    person: User,
    scores: list[int],
    works: str = "",
    doesnt: str = "",
    share_works: bool = False,
    share_doesnt: bool = False,
) -> None:
    """Answer a pulse once. `person` goes into the pulse's "who answered" set only; the answer is queued
    without them. With the person's explicit choice, a text also becomes an anonymous What Works / What
    Doesn't post about the movement, through the anonymous publication queue."""
    today = timezone.now().date()
    pulse = Pulse.objects.select_related("movement").get(pk=pulse.pk)
    if not Membership.objects.current().filter(movement_id=pulse.movement_id, person=person).exists():
        raise PermissionDenied(_("Only the members of this movement answer its pulse."))
    if pulse.closed_at is not None or not pulse.opens_on <= today < pulse.closes_on:
        raise ValidationError(_("This pulse is closed."), code="closed")
    scores = _clean_scores(pulse, scores)
    works, doesnt = works.strip(), doesnt.strip()
    try:
        with transaction.atomic():
            PulseRespondent.objects.create(pulse=pulse, person=person)
    except IntegrityError:
        raise ValidationError(_("You have already answered this pulse."), code="answered") from None
    PulseQueuedAnswer.objects.create(pulse=pulse, scores=scores, works=works, doesnt=doesnt)
    title = _("From the pulse of “%(movement)s”: %(text)s")
    for share, kind, text in ((share_works, FeedbackKind.WORKS, works), (share_doesnt, FeedbackKind.DOESNT, doesnt)):
        if share and text:
            publication.anonymous_enqueue(
                person=person,
                kind=kind,
                title=Truncator(title % {"movement": pulse.movement.title, "text": text}).chars(200),
                body=text,
                movement=pulse.movement,
            )


def _publish(pulse: Pulse, entries: list[PulseQueuedAnswer]) -> int:
    random.SystemRandom().shuffle(entries)
    PulseAnswer.objects.bulk_create(
        [PulseAnswer(pulse=pulse, scores=e.scores, works=e.works, doesnt=e.doesnt) for e in entries]
    )
    PulseQueuedAnswer.objects.filter(pk__in=[e.pk for e in entries]).delete()
    Pulse.objects.filter(pk=pulse.pk).update(published_count=pulse.published_count + len(entries))
    return len(entries)


@transaction.atomic
def pulses_publish(*, now: dt.datetime | None = None) -> int:
    """Publish each pulse's queue once it holds at least ANONYMITY_MIN_CROWD answers; close the pulses whose
    time is over (dropping fewer than that); rewrite what still waits. Returns the answers published."""
    now = now or timezone.now()
    today = now.date()
    crowd = settings.ANONYMITY_MIN_CROWD
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PULSE_LOCK])
    queued = (
        Pulse.objects.filter(closed_at__isnull=True)
        .annotate(
            waiting=Subquery(
                PulseQueuedAnswer.objects.filter(pulse=OuterRef("pk"))
                .values("pulse")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            )
        )
        .filter(Q(waiting__gte=1) | Q(closes_on__lte=today))
    )
    published = 0
    for pulse in queued:
        waiting = pulse.waiting or 0
        if waiting >= crowd:
            published += _publish(pulse, list(PulseQueuedAnswer.objects.select_for_update().filter(pulse=pulse)))
        if pulse.closes_on <= today:
            if 0 < waiting < crowd:
                PulseQueuedAnswer.objects.filter(pulse=pulse).delete()  # too few to show, ever
            Pulse.objects.filter(pk=pulse.pk).update(closed_at=now)
    PulseQueuedAnswer.objects.update(restamp=uuid.uuid4())
    return published


def pulse_queue_vacuum() -> None:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {PulseQueuedAnswer._meta.db_table}")


def pulses_tick(*, now: dt.datetime | None = None) -> int:
    """The beat task's work: open due pulses, publish or rewrite the queues, VACUUM. Returns answers published."""
    pulses_open_due(now=now)
    published = pulses_publish(now=now)
    pulse_queue_vacuum()
    return published
