"""The time-based kinds: beat runs these sweeps; each is safe to run twice (dedupe keys)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from activity.models import Activity, Verb
from movements.models import Membership, Movement, Role, RoleAssignment, Stage
from sponsors.models import Sponsorship

from ..models import Kind, Nudge, SweepPart
from .outbox import Draft, hand_to_workers, nudges_write

logger = logging.getLogger(__name__)

# --- The time-based sweeps ------------------------------------------------------------------------
#
# Each sweep takes `share`: it then handles only the memberships (and, for the sweeps over movements,
# the movements) whose ids fall in the share's ranges, so several workers share one sweep without doing
# anything twice (nudges_sweep_plan / nudges_sweep_part below). Id ranges, not `id % n`: the planner
# estimates a range from its statistics, while a modulo filter misled it into a plan seven times slower
# than the whole sweep's (measured on the large seed). Without `share` a sweep handles everything.


@dataclass(frozen=True)
class Share:
    memberships: tuple[int, int | None]  # [from, to); to None: no upper end
    movements: tuple[int, int | None]


def _in_share(queryset, field: str, bounds: tuple[int, int | None] | None):
    if bounds is None:
        return queryset
    low, high = bounds
    queryset = queryset.filter(**{f"{field}__gte": low})
    return queryset.filter(**{f"{field}__lt": high}) if high is not None else queryset


def nudges_sweep_checkins(*, now: dt.datetime | None = None, share: Share | None = None) -> int:
    """First followers who have done nothing in the movement for N days since joining."""

    now = now or timezone.now()
    quiet = now - dt.timedelta(days=settings.NUDGES_CHECKIN_AFTER_DAYS)
    acted = Activity.objects.filter(
        actor=OuterRef("person"), movement=OuterRef("movement"), created_at__gt=OuterRef("joined_at")
    ).exclude(verb__in=[Verb.JOINED, Verb.ACCEPTED_INVITATION])
    memberships = (
        Membership.objects.current()
        .filter(
            position__gte=2,
            position__lte=1 + settings.FIRST_FOLLOWERS_COUNT,
            joined_at__lte=quiet,
            joined_at__gte=now - dt.timedelta(days=settings.NUDGES_LOOKBACK_DAYS),
            person__is_active=True,
        )
        .exclude(Exists(acted))
    )
    memberships = _in_share(memberships, "pk", share and share.memberships).values_list("movement_id", "person_id")
    drafts = [
        Draft(
            Kind.FIRST_FOLLOWER_CHECKIN,
            person_id,
            f"first_follower_checkin:m{movement_id}:u{person_id}",
            movement_id=movement_id,
        )
        for movement_id, person_id in memberships
    ]
    return len(nudges_write(drafts=drafts))


def nudges_sweep_find_first_follower(*, now: dt.datetime | None = None, share: Share | None = None) -> int:
    """Founders still alone N days after starting."""

    now = now or timezone.now()
    followers = Membership.objects.current().filter(movement=OuterRef("pk"), position__gt=1)
    movements = Movement.objects.filter(
        stage=Stage.RECRUITING,
        founder__is_active=True,
        created_at__lte=now - dt.timedelta(days=settings.NUDGES_FIND_FIRST_FOLLOWER_AFTER_DAYS),
        created_at__gte=now - dt.timedelta(days=settings.NUDGES_LOOKBACK_DAYS),
    ).exclude(Exists(followers))
    movements = _in_share(movements, "pk", share and share.movements).values_list("pk", "founder_id")
    drafts = [
        Draft(Kind.FIND_FIRST_FOLLOWER, founder_id, f"find_first_follower:m{pk}", movement_id=pk)
        for pk, founder_id in movements
    ]
    return len(nudges_write(drafts=drafts))


def nudges_sweep_open_roles(*, now: dt.datetime | None = None, share: Share | None = None) -> int:
    """Members without a role in a movement with free seats; at most one per person and movement per period."""

    now = now or timezone.now()
    every = settings.NUDGES_OPEN_ROLES_EVERY_DAYS
    open_role = Role.objects.filter(movement=OuterRef("movement"), seats_filled__lt=F("seats"))
    has_role = RoleAssignment.objects.filter(role__movement=OuterRef("movement"), person=OuterRef("person"))
    recently = Nudge.objects.filter(
        kind=Kind.OPEN_ROLES,
        recipient=OuterRef("person"),
        movement=OuterRef("movement"),
        created_at__gt=now - dt.timedelta(days=every),
    )
    memberships = (
        Membership.objects.current()
        .filter(is_lead=False, person__is_active=True, movement__stage__in=[Stage.RECRUITING, Stage.PILOTING])
        .filter(Exists(open_role))
        .exclude(Exists(has_role))
        .exclude(Exists(recently))
    )
    memberships = _in_share(memberships, "pk", share and share.memberships).values_list("movement_id", "person_id")
    period = now.date().toordinal() // max(every, 1)
    drafts = [
        Draft(Kind.OPEN_ROLES, person_id, f"open_roles:m{movement_id}:u{person_id}:p{period}", movement_id=movement_id)
        for movement_id, person_id in memberships
    ]
    return len(nudges_write(drafts=drafts))


def nudges_sweep_decision_due(*, now: dt.datetime | None = None, share: Share | None = None) -> int:
    """Leads of pilots whose end date has passed without a decision."""

    now = now or timezone.now()
    last_day = (now - dt.timedelta(days=settings.NUDGES_DECISION_DUE_AFTER_DAYS)).date()
    leads = Membership.objects.active_leads().filter(
        person__is_active=True, movement__stage=Stage.PILOTING, movement__pilot_end__lt=last_day
    )
    leads = _in_share(leads, "movement_id", share and share.movements).values_list(
        "movement_id", "movement__pilot_end", "person_id"
    )
    drafts = [
        Draft(
            Kind.DECISION_DUE,
            person_id,
            f"decision_due:m{movement_id}:e{pilot_end:%Y%m%d}:u{person_id}",
            movement_id=movement_id,
        )
        for movement_id, pilot_end, person_id in leads
    ]
    return len(nudges_write(drafts=drafts))


def nudges_sweep_find_a_sponsor(*, now: dt.datetime | None = None) -> int:
    """Leads of pilots that started SPONSOR_NUDGE_AFTER_DAYS ago or more and still have no sponsor."""
    now = now or timezone.now()
    latest_start = (now - dt.timedelta(days=settings.SPONSOR_NUDGE_AFTER_DAYS)).date()
    earliest_start = latest_start - dt.timedelta(days=settings.NUDGES_LOOKBACK_DAYS)
    sponsored = Sponsorship.objects.accepted().filter(movement=OuterRef("movement"), sponsor__is_active=True)
    leads = (
        Membership.objects.active_leads()
        .filter(
            person__is_active=True,
            movement__stage=Stage.PILOTING,
            movement__pilot_start__lte=latest_start,
            movement__pilot_start__gte=earliest_start,
        )
        .exclude(Exists(sponsored))
        .values_list("movement_id", "movement__pilot_start", "person_id")
    )
    drafts = [
        Draft(
            Kind.FIND_A_SPONSOR,
            person_id,
            f"find_a_sponsor:m{movement_id}:p{pilot_start:%Y%m%d}:u{person_id}",
            movement_id=movement_id,
        )
        for movement_id, pilot_start, person_id in leads
    ]
    return len(nudges_write(drafts=drafts))


def nudges_sweep_sponsor_monthly(*, now: dt.datetime | None = None) -> int:
    """Once a month, each sponsor gets a short summary of each movement they sponsor (sponsors since before
    the month began; movements not retired)."""
    now = now or timezone.now()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    sponsorships = (
        Sponsorship.objects.accepted()
        .filter(answered_at__lt=month_start, sponsor__is_active=True)
        .exclude(movement__stage=Stage.RETIRED)
        .values_list("movement_id", "sponsor_id")
    )
    drafts = [
        Draft(
            Kind.SPONSOR_MONTHLY,
            sponsor_id,
            f"sponsor_monthly:m{movement_id}:u{sponsor_id}:{month_start:%Y-%m}",
            movement_id=movement_id,
        )
        for movement_id, sponsor_id in sponsorships
    ]
    return len(nudges_write(drafts=drafts))


def nudges_sweep_weekly_digest(*, now: dt.datetime | None = None) -> int:
    """One digest per active person per ISO week."""
    now = now or timezone.now()
    year, week, _weekday = now.isocalendar()
    person_ids = get_user_model().objects.filter(is_active=True).values_list("pk", flat=True)
    created = 0
    ids = list(person_ids)
    for start in range(0, len(ids), 1000):
        drafts = [
            Draft(Kind.WEEKLY_DIGEST, pk, f"weekly_digest:u{pk}:w{year}-{week:02d}") for pk in ids[start : start + 1000]
        ]
        created += len(nudges_write(drafts=drafts))
    return created


def nudges_sweep_time_based(*, now: dt.datetime | None = None, share: Share | None = None) -> dict[str, int]:
    first = share is None or share.movements[0] == 0
    return {
        Kind.FIRST_FOLLOWER_CHECKIN: nudges_sweep_checkins(now=now, share=share),
        Kind.FIND_FIRST_FOLLOWER: nudges_sweep_find_first_follower(now=now, share=share),
        Kind.OPEN_ROLES: nudges_sweep_open_roles(now=now, share=share),
        Kind.DECISION_DUE: nudges_sweep_decision_due(now=now, share=share),
        # The sponsor sweeps are small (pilots, sponsorships): the first part does them, whole.
        Kind.FIND_A_SPONSOR: nudges_sweep_find_a_sponsor(now=now) if first else 0,
        Kind.SPONSOR_MONTHLY: nudges_sweep_sponsor_monthly(now=now) if first else 0,
    }


# --- One sweep shared by several workers ----------------------------------------------------------


def nudges_sweep_plan(*, now: dt.datetime | None = None, parts: int | None = None) -> str:
    """Cut this hour's time-based sweep into `parts` rows (NUDGES_SWEEP_PARTS) that any worker can claim.

    Beat calls it; a second beat planning the same hour adds nothing (the rows' key is unique). Returns
    the run key; the parts are handed to the workers after commit (and the planner's next run hands out
    again any part nobody finished).
    """
    now = now or timezone.now()
    parts = parts or settings.NUDGES_SWEEP_PARTS
    run_key = f"time-based:{now:%Y-%m-%dT%H}"
    with transaction.atomic():
        SweepPart.objects.bulk_create(
            [
                SweepPart(run_key=run_key, part=index, parts=parts, planned_for=now, **bounds)
                for index, bounds in enumerate(_cut(parts))
            ],
            ignore_conflicts=True,
        )
        stale = now - dt.timedelta(seconds=settings.NUDGES_STUCK_CLAIM_SECONDS)
        open_parts = list(
            SweepPart.objects.filter(done_at__isnull=True)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .values_list("pk", flat=True)
        )
        transaction.on_commit(partial(_hand_out, open_parts))
    return run_key


def _cut(parts: int) -> list[dict]:
    """Equal id ranges over today's memberships and movements; the last part is open-ended (rows added
    after planning fall in it)."""

    def ranges(top: int) -> list[tuple[int, int | None]]:
        step = max(1, -(-(top + 1) // parts))
        cuts = [index * step for index in range(parts)] + [None]
        return [(cuts[index], cuts[index + 1]) for index in range(parts)]

    memberships = ranges(Membership.objects.aggregate(top=Max("pk"))["top"] or 0)
    movements = ranges(Movement.objects.aggregate(top=Max("pk"))["top"] or 0)
    return [
        {"membership_from": m_from, "membership_to": m_to, "movement_from": v_from, "movement_to": v_to}
        for (m_from, m_to), (v_from, v_to) in zip(memberships, movements, strict=True)
    ]


def _hand_out(part_ids: list[int]) -> None:
    """The parts are committed: when the broker is down they stay open and the next planning hands them out."""
    try:
        hand_to_workers(task_name="nudges.tasks.sweep_part", argument="part_id", ids=part_ids)
    except Exception as error:  # kombu's and redis's errors alike
        logger.warning("broker unreachable, %d sweep parts wait for the next planning: %s", len(part_ids), error)


def nudges_sweep_part(*, part_id: int, worker: str = "") -> dict[str, int] | None:
    """Claim one part (a conditional UPDATE: one worker wins), sweep its share, mark it done.

    Returns None when another worker has it (or it is done). A worker that dies mid-part leaves the
    claim; after NUDGES_STUCK_CLAIM_SECONDS the planner hands the part out again, and the sweeps' dedupe
    keys make the second run write nothing twice."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.NUDGES_STUCK_CLAIM_SECONDS)
    claimed = (
        SweepPart.objects.filter(pk=part_id, done_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now, claimed_by=worker[:100])
    )
    if not claimed:
        return None
    row = SweepPart.objects.get(pk=part_id)
    with transaction.atomic():
        share = Share(
            memberships=(row.membership_from, row.membership_to), movements=(row.movement_from, row.movement_to)
        )
        counts = nudges_sweep_time_based(now=row.planned_for, share=share)
        SweepPart.objects.filter(pk=part_id).update(
            done_at=timezone.now(), counts={str(k): v for k, v in counts.items()}
        )
    return counts
