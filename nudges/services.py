"""Every write of the nudges app: the outbox, delivery with exactly-once claims, sweeps, preferences."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from activity.models import Activity, Verb

from .messages import absolute, message_for
from .models import ALWAYS_IN_APP, Kind, NotificationPreference, Nudge

log = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "nudges.unsubscribe"


# --- Writing the outbox -------------------------------------------------------------------------

@dataclass
class Draft:
    kind: Kind
    recipient_id: int
    dedupe_key: str
    movement_id: int | None = None
    feedback_id: int | None = None
    subject_person_id: int | None = None
    due_at: dt.datetime | None = None
    context: dict | None = None


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
        email = preference.email if preference else True
        in_app = (preference.in_app if preference else True) or draft.kind in ALWAYS_IN_APP
        if not (email or in_app):
            continue
        rows.append(Nudge(
            kind=draft.kind, recipient_id=draft.recipient_id, dedupe_key=draft.dedupe_key,
            movement_id=draft.movement_id, feedback_id=draft.feedback_id, subject_person_id=draft.subject_person_id,
            due_at=draft.due_at or now, created_at=now, context=draft.context or {}, email=email, in_app=in_app,
        ))
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
            sent_at__isnull=True, cancelled_at__isnull=True, claimed_at__isnull=True, due_at__lte=now,
            attempts__lt=settings.NUDGES_MAX_ATTEMPTS,
        ).filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
        if dedupe_keys is not None:
            due = due.filter(dedupe_key__in=dedupe_keys)
        ids = list(due.order_by("due_at").select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        _publish(ids)
        Nudge.objects.filter(pk__in=ids).update(queued_at=now)
    return len(ids)


def _publish(ids: list[int]) -> None:
    """Hand nudges to the workers over one broker connection; fail fast (not after kombu's long retries)
    when the broker is down, because the outbox rows stay and the relay tries again."""
    from socialbiz.celery import app

    from . import tasks

    if not ids:
        return
    if app.conf.task_always_eager:  # the one-machine demo without Redis: deliver inline
        for nudge_id in ids:
            tasks.deliver_nudge.apply_async(kwargs={"nudge_id": nudge_id})
        return
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
        for nudge_id in ids:
            tasks.deliver_nudge.apply_async(kwargs={"nudge_id": nudge_id}, retry=False, connection=connection)


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


# --- Delivery -------------------------------------------------------------------------------------

class Outcome:
    SENT = "sent"
    IN_APP_ONLY = "in_app_only"
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    CANCELLED = "cancelled"


def _local_day_start(person, now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now, person.zoneinfo)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _still_relevant(nudge: Nudge) -> bool:
    """Some nudges lose their point before they go out: the follower was welcomed, the pilot decided."""
    from movements.models import Invitation, InvitationStatus, Membership, Stage

    if not nudge.recipient.is_active:
        return False
    if nudge.kind == Kind.WELCOME_YOUR_FOLLOWER:
        return Membership.objects.filter(
            movement_id=nudge.movement_id, person_id=nudge.subject_person_id, left_at__isnull=True,
            welcomed_at__isnull=True,
        ).exists() and Membership.objects.filter(
            movement_id=nudge.movement_id, person_id=nudge.recipient_id, left_at__isnull=True, is_lead=True
        ).exists()
    if nudge.kind == Kind.FIND_FIRST_FOLLOWER:
        return not Membership.objects.filter(movement_id=nudge.movement_id, position__gt=1, left_at__isnull=True).exists()
    if nudge.kind == Kind.OPEN_ROLES:
        from movements.models import Role

        return Role.objects.filter(movement_id=nudge.movement_id, seats_filled__lt=F("seats")).exists() or bool(
            nudge.context.get("needs_lead"))
    if nudge.kind == Kind.DECISION_DUE:
        return nudge.movement is not None and nudge.movement.stage == Stage.PILOTING
    if nudge.kind == Kind.INVITATION and nudge.context.get("invitation_id"):
        return Invitation.objects.filter(pk=nudge.context["invitation_id"], status=InvitationStatus.PENDING).exists()
    return True


def nudge_deliver(*, nudge_id: int) -> str:
    """Deliver one nudge exactly once: claim it with a conditional UPDATE, send outside any
    transaction, then mark it sent. SMTP errors release the claim and propagate (the task retries)."""
    User = get_user_model()
    now = timezone.now()
    recipient_id = Nudge.objects.filter(pk=nudge_id).values_list("recipient_id", flat=True).first()
    if recipient_id is None:
        return Outcome.SKIPPED
    stuck_before = now - dt.timedelta(seconds=settings.NUDGES_STUCK_CLAIM_SECONDS)
    with transaction.atomic():
        # The person's row is the lock that makes the daily cap hold when two workers send to them at once.
        recipient = User.objects.select_for_update().get(pk=recipient_id)
        claimed = Nudge.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=stuck_before),
            pk=nudge_id, sent_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now,
        ).update(claimed_at=now, attempts=F("attempts") + 1)
        if not claimed:
            return Outcome.SKIPPED
        nudge = Nudge.objects.select_related("movement", "feedback", "subject_person").get(pk=nudge_id)
        nudge.recipient = recipient
        if not _still_relevant(nudge):
            Nudge.objects.filter(pk=nudge_id).update(cancelled_at=now, claimed_at=None)
            return Outcome.CANCELLED
        # The person may have changed their mind since the row was written: their choice now decides.
        preference = NotificationPreference.objects.filter(person=recipient, kind=nudge.kind).first()
        wants_email = nudge.email and (preference.email if preference else True) and bool(recipient.email)
        in_app = nudge.in_app and ((preference.in_app if preference else True) or nudge.kind in ALWAYS_IN_APP)
        if not (wants_email or in_app):
            Nudge.objects.filter(pk=nudge_id).update(cancelled_at=now, claimed_at=None)
            return Outcome.CANCELLED
        if not wants_email:
            Nudge.objects.filter(pk=nudge_id).update(sent_at=now, email=False, in_app=True)
            return Outcome.IN_APP_ONLY
        emailed_today = Nudge.objects.filter(recipient=recipient).exclude(pk=nudge_id).filter(
            Q(emailed_at__gte=_local_day_start(recipient, now))
            | Q(email=True, claimed_at__isnull=False, sent_at__isnull=True)
        ).count()
        if emailed_today >= settings.NUDGES_DAILY_EMAIL_CAP:
            tomorrow = _local_day_start(recipient, now) + dt.timedelta(days=1)
            Nudge.objects.filter(pk=nudge_id).update(
                due_at=tomorrow, claimed_at=None, queued_at=None, attempts=F("attempts") - 1
            )
            return Outcome.DEFERRED
    try:
        _send_email(nudge)
    except Exception as exc:
        Nudge.objects.filter(pk=nudge_id, sent_at__isnull=True).update(
            claimed_at=None, last_error=f"{exc.__class__.__name__}: {exc}"[:2000]
        )
        raise
    sent = timezone.now()
    Nudge.objects.filter(pk=nudge_id).update(sent_at=sent, emailed_at=sent, last_error="", in_app=in_app)
    return Outcome.SENT


def unsubscribe_token(*, person, kind: str) -> str:
    return signing.dumps({"p": person.pk, "k": str(kind)}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, person, kind: str) -> str:
    return absolute(reverse("nudges:unsubscribe", kwargs={"token": unsubscribe_token(person=person, kind=kind)}))


def _send_email(nudge: Nudge) -> None:
    message = message_for(nudge)
    unsubscribe = unsubscribe_url(person=nudge.recipient, kind=nudge.kind)
    context = {
        "message": message, "nudge": nudge, "kind_label": nudge.get_kind_display(), "unsubscribe_url": unsubscribe,
        "preferences_url": absolute(reverse("nudges:preferences")), "SITE_NAME": settings.SITE_NAME,
    }
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=render_to_string("nudges/email/nudge.txt", context),
        to=[nudge.recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Nudge-Key": nudge.dedupe_key,
            "Auto-Submitted": "auto-generated",
        },
        connection=get_connection(timeout=settings.NUDGES_SMTP_TIMEOUT_SECONDS),
    )
    email.attach_alternative(render_to_string("nudges/email/nudge.html", context), "text/html")
    email.send()


@transaction.atomic
def nudge_resend(*, nudge: Nudge) -> Nudge:
    """Send a nudge again on purpose (operations): clear its delivery state and queue it after commit."""
    now = timezone.now()
    Nudge.objects.filter(pk=nudge.pk).update(
        sent_at=None, emailed_at=None, claimed_at=None, queued_at=None, cancelled_at=None, due_at=now,
        attempts=0, last_error="", email=True,
    )
    transaction.on_commit(partial(_relay_after_commit, [nudge.dedupe_key]))
    nudge.refresh_from_db()
    return nudge


# --- In-app reading and preferences -----------------------------------------------------------

@transaction.atomic
def nudge_mark_read(*, nudge: Nudge, person) -> Nudge:
    if nudge.recipient_id != person.pk:
        raise PermissionError("not the recipient")
    if nudge.read_at is None:
        nudge.read_at = timezone.now()
        Nudge.objects.filter(pk=nudge.pk, read_at__isnull=True).update(read_at=nudge.read_at)
    return nudge


@transaction.atomic
def nudges_mark_all_read(*, person) -> int:
    return Nudge.objects.in_app_for(person).unread().update(read_at=timezone.now())


@transaction.atomic
def preferences_update(*, person, choices: dict[str, tuple[bool, bool]]) -> None:
    """Save each kind's (email, in_app) choice; the kinds that cannot be silenced stay in-app."""
    for kind, (email, in_app) in choices.items():
        kind = Kind(kind)
        NotificationPreference.objects.update_or_create(
            person=person, kind=kind, defaults={"email": email, "in_app": in_app or kind in ALWAYS_IN_APP}
        )


@transaction.atomic
def preference_unsubscribe(*, token: str):
    """One-click unsubscribe: turn off email for one kind. Returns (person, kind); raises BadSignature."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    person = get_user_model().objects.get(pk=data["p"])
    kind = Kind(data["k"])
    preference, _created = NotificationPreference.objects.get_or_create(person=person, kind=kind)
    if preference.email:
        preference.email = False
        preference.save(update_fields=["email", "updated_at"])
    # Nudges of this kind not yet out follow the new choice when a worker delivers them.
    return person, kind


# --- Acted on -----------------------------------------------------------------------------------

# What each kind asks the person to do, as activity verbs.
SUGGESTED_VERBS: dict[str, set[str]] = {
    Kind.FIRST_FOLLOWER_WELCOME: {Verb.CLAIMED_ROLE, Verb.INVITED},
    Kind.WELCOME_YOUR_FOLLOWER: {Verb.WELCOMED},
    Kind.FIRST_FOLLOWER_CHECKIN: {Verb.CLAIMED_ROLE, Verb.INVITED, Verb.POSTED_UPDATE, Verb.COMMENTED},
    Kind.FIND_FIRST_FOLLOWER: {Verb.INVITED},
    Kind.OPEN_ROLES: {Verb.CLAIMED_ROLE},
    Kind.DECISION_DUE: {Verb.RECORDED_DECISION, Verb.CHANGED_STAGE},
    Kind.INVITATION: {Verb.JOINED, Verb.ACCEPTED_INVITATION},
    Kind.FEEDBACK_ANSWERED: {Verb.COMMENTED, Verb.VOTED},
    Kind.WEEKLY_DIGEST: {Verb.JOINED, Verb.CLAIMED_ROLE, Verb.POSTED_FEEDBACK, Verb.VOTED, Verb.COMMENTED,
                         Verb.INVITED, Verb.POSTED_UPDATE},
}
# Kinds not tied to one movement: any matching action counts.
ANY_MOVEMENT = {Kind.FEEDBACK_ANSWERED, Kind.WEEKLY_DIGEST}


@transaction.atomic
def nudges_mark_acted_on(*, person, verb: str, movement=None) -> int:
    """The person did what sent nudges suggested within the window: mark them acted on."""
    now = timezone.now()
    kinds = [kind for kind, verbs in SUGGESTED_VERBS.items() if verb in verbs]
    if not kinds:
        return 0
    scoped = Q(kind__in=[k for k in kinds if k in ANY_MOVEMENT])
    if movement is not None:
        scoped |= Q(kind__in=[k for k in kinds if k not in ANY_MOVEMENT], movement=movement)
    return Nudge.objects.filter(scoped).filter(
        recipient=person, acted_on_at__isnull=True, sent_at__isnull=False, cancelled_at__isnull=True,
        sent_at__gte=now - dt.timedelta(days=settings.NUDGES_ACTED_ON_WITHIN_DAYS),
    ).update(acted_on_at=now)


# --- The time-based sweeps ------------------------------------------------------------------------

def nudges_sweep_checkins(*, now: dt.datetime | None = None) -> int:
    """First followers who have done nothing in the movement for N days since joining."""
    from movements.models import Membership

    now = now or timezone.now()
    quiet = now - dt.timedelta(days=settings.NUDGES_CHECKIN_AFTER_DAYS)
    acted = Activity.objects.filter(
        actor=OuterRef("person"), movement=OuterRef("movement"), created_at__gt=OuterRef("joined_at")
    ).exclude(verb__in=[Verb.JOINED, Verb.ACCEPTED_INVITATION])
    memberships = Membership.objects.filter(
        left_at__isnull=True, position__gte=2, position__lte=1 + settings.FIRST_FOLLOWERS_COUNT,
        joined_at__lte=quiet, joined_at__gte=now - dt.timedelta(days=settings.NUDGES_LOOKBACK_DAYS),
        person__is_active=True,
    ).exclude(Exists(acted)).values_list("movement_id", "person_id")
    drafts = [Draft(Kind.FIRST_FOLLOWER_CHECKIN, person_id, f"first_follower_checkin:m{movement_id}:u{person_id}",
                    movement_id=movement_id) for movement_id, person_id in memberships]
    return len(nudges_write(drafts=drafts))


def nudges_sweep_find_first_follower(*, now: dt.datetime | None = None) -> int:
    """Founders still alone N days after starting."""
    from movements.models import Membership, Movement, Stage

    now = now or timezone.now()
    followers = Membership.objects.filter(movement=OuterRef("pk"), position__gt=1, left_at__isnull=True)
    movements = Movement.objects.filter(
        stage=Stage.RECRUITING, founder__is_active=True,
        created_at__lte=now - dt.timedelta(days=settings.NUDGES_FIND_FIRST_FOLLOWER_AFTER_DAYS),
        created_at__gte=now - dt.timedelta(days=settings.NUDGES_LOOKBACK_DAYS),
    ).exclude(Exists(followers)).values_list("pk", "founder_id")
    drafts = [Draft(Kind.FIND_FIRST_FOLLOWER, founder_id, f"find_first_follower:m{pk}", movement_id=pk)
              for pk, founder_id in movements]
    return len(nudges_write(drafts=drafts))


def nudges_sweep_open_roles(*, now: dt.datetime | None = None) -> int:
    """Members without a role in a movement with free seats; at most one per person and movement per period."""
    from movements.models import Membership, Role, RoleAssignment, Stage

    now = now or timezone.now()
    every = settings.NUDGES_OPEN_ROLES_EVERY_DAYS
    open_role = Role.objects.filter(movement=OuterRef("movement"), seats_filled__lt=F("seats"))
    has_role = RoleAssignment.objects.filter(role__movement=OuterRef("movement"), person=OuterRef("person"))
    recently = Nudge.objects.filter(
        kind=Kind.OPEN_ROLES, recipient=OuterRef("person"), movement=OuterRef("movement"),
        created_at__gt=now - dt.timedelta(days=every),
    )
    memberships = Membership.objects.filter(
        left_at__isnull=True, is_lead=False, person__is_active=True,
        movement__stage__in=[Stage.RECRUITING, Stage.PILOTING],
    ).filter(Exists(open_role)).exclude(Exists(has_role)).exclude(Exists(recently)).values_list("movement_id", "person_id")
    period = now.date().toordinal() // max(every, 1)
    drafts = [Draft(Kind.OPEN_ROLES, person_id, f"open_roles:m{movement_id}:u{person_id}:p{period}",
                    movement_id=movement_id) for movement_id, person_id in memberships]
    return len(nudges_write(drafts=drafts))


def nudges_sweep_decision_due(*, now: dt.datetime | None = None) -> int:
    """Leads of pilots whose end date has passed without a decision."""
    from movements.models import Membership, Stage

    now = now or timezone.now()
    last_day = (now - dt.timedelta(days=settings.NUDGES_DECISION_DUE_AFTER_DAYS)).date()
    leads = Membership.objects.filter(
        is_lead=True, left_at__isnull=True, person__is_active=True,
        movement__stage=Stage.PILOTING, movement__pilot_end__lt=last_day,
    ).values_list("movement_id", "movement__pilot_end", "person_id")
    drafts = [Draft(Kind.DECISION_DUE, person_id, f"decision_due:m{movement_id}:e{pilot_end:%Y%m%d}:u{person_id}",
                    movement_id=movement_id) for movement_id, pilot_end, person_id in leads]
    return len(nudges_write(drafts=drafts))


def nudges_sweep_weekly_digest(*, now: dt.datetime | None = None) -> int:
    """One digest per active person per ISO week."""
    now = now or timezone.now()
    year, week, _weekday = now.isocalendar()
    person_ids = get_user_model().objects.filter(is_active=True).values_list("pk", flat=True)
    created = 0
    ids = list(person_ids)
    for start in range(0, len(ids), 1000):
        drafts = [Draft(Kind.WEEKLY_DIGEST, pk, f"weekly_digest:u{pk}:w{year}-{week:02d}") for pk in ids[start:start + 1000]]
        created += len(nudges_write(drafts=drafts))
    return created


def nudges_sweep_time_based(*, now: dt.datetime | None = None) -> dict[str, int]:
    return {
        Kind.FIRST_FOLLOWER_CHECKIN: nudges_sweep_checkins(now=now),
        Kind.FIND_FIRST_FOLLOWER: nudges_sweep_find_first_follower(now=now),
        Kind.OPEN_ROLES: nudges_sweep_open_roles(now=now),
        Kind.DECISION_DUE: nudges_sweep_decision_due(now=now),
    }
