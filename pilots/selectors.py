"""Reads that feed the pilot's pages: each measure over the pilot window with its status.

A page reads the measures (one query), the hand-recorded values (one query) and, when a measure is computed
from the portal, three aggregate queries (activity, memberships, updates) whatever the number of members,
rows or points: every point is one filtered aggregate of the same query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, FloatField, IntegerField, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.models import Activity
from movements.models import Membership, Movement, Stage, Update

from .models import (
    Direction,
    Measure,
    MeasureValue,
    Proposal,
    ProposalStatus,
    Pulse,
    PulseAnswer,
    PulseRespondent,
    Source,
)

POINT_EVERY_DAYS = 7
WINDOW_DAYS = 7

# The rule the page's help text states (keep them in step).
STATUS_RULE = _(
    "Met: the latest value has reached the target. On track: it is at least where a straight line from the "
    "baseline on the pilot's first day to the target on its last day would be today. Off track: it is behind "
    "that line. A computed measure is read every 7 days from the pilot's start and on its last day (or today)."
)


class Status:
    MET = "met"
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    NO_VALUE = "no_value"


STATUS_LABELS = {
    Status.MET: _("Met"),
    Status.ON_TRACK: _("On track"),
    Status.OFF_TRACK: _("Off track"),
    Status.NO_VALUE: _("No value yet"),
}


@dataclass
class Point:
    day: dt.date
    value: Decimal
    note: str = ""
    recorded_by: str = ""


@dataclass
class MeasureReport:
    measure: Measure
    points: list[Point] = field(default_factory=list)
    status: str = Status.NO_VALUE
    expected_now: Decimal | None = None

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def pilot_window(movement: Movement, *, today: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """The days the measures are shown over: the pilot's start to its end (None before a pilot)."""
    if not movement.pilot_start or not movement.pilot_end:
        return None
    return movement.pilot_start, movement.pilot_end


@dataclass(frozen=True)
class DecisionWindow:
    """When the members answer a pilot's decision. `end` is exclusive (as iCalendar's DTEND). Dates (whole days)
    while it is only planned; the exact times once a lead has proposed."""

    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    proposal_id: int | None  # None: planned, nobody has proposed yet


def decision_windows(*, movements: list[Movement]) -> dict[int, DecisionWindow]:
    """Each pilot's decision window (pilots/decisions.py opens a proposal for DECISION_WINDOW_DAYS): an open
    proposal's; once the decision is final (adopted or retired), the recorded proposal's, up to when it was
    recorded; otherwise the planned one, DECISION_WINDOW_DAYS from the pilot's end day, when the leads are
    asked to propose (after an extension, the new end). Queries: the proposals, none withdrawn."""
    latest: dict[int, Proposal] = {}
    proposals = Proposal.objects.filter(movement__in=[m.pk for m in movements]).exclude(status=ProposalStatus.WITHDRAWN)
    for proposal in proposals.order_by("movement_id", "-opened_at", "-pk"):
        latest.setdefault(proposal.movement_id, proposal)
    windows = {}
    for movement in movements:
        proposal = latest.get(movement.pk)
        if proposal and proposal.status == ProposalStatus.OPEN:
            windows[movement.pk] = DecisionWindow(proposal.opened_at, proposal.closes_at, proposal.pk)
        elif proposal and movement.stage in (Stage.ADOPTED, Stage.RETIRED):
            closed = min(proposal.closes_at, proposal.recorded_at or proposal.closes_at)
            windows[movement.pk] = DecisionWindow(proposal.opened_at, closed, proposal.pk)
        elif movement.pilot_end:
            end = movement.pilot_end + dt.timedelta(days=settings.DECISION_WINDOW_DAYS + 1)
            windows[movement.pk] = DecisionWindow(movement.pilot_end, end, None)
    return windows


def sample_days(movement: Movement, *, today: dt.date) -> list[dt.date]:
    """Every 7 days from the pilot's start, and its last day so far (its end, or today while it runs)."""
    window = pilot_window(movement)
    if window is None or today < window[0]:
        return []
    start, end = window
    last = min(end, today)
    days = [start + dt.timedelta(days=i) for i in range(0, (last - start).days + 1, POINT_EVERY_DAYS)]
    if days[-1] != last:
        days.append(last)
    return days


def _day_end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def computed_series(movement: Movement, days: list[dt.date], sources: set[str]) -> dict[str, list[Decimal | None]]:
    """Each computed source's value on each day: one aggregate query per table needed (at most three)."""
    if not days or not sources:
        return {}
    ends = [_day_end(day) for day in days]
    starts = [end - dt.timedelta(days=WINDOW_DAYS) for end in ends]
    result: dict[str, list[Decimal | None]] = {}
    if sources & {Source.ACTIVE_MEMBERS, Source.SHARE_BY_OTHERS}:
        members = Membership.objects.filter(movement=movement).values("person_id")
        aggregates = {}
        for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
            window = Q(created_at__gte=start, created_at__lt=end)
            aggregates[f"active{i}"] = Count("actor", distinct=True, filter=window & Q(actor_id__in=members))
            aggregates[f"total{i}"] = Count("pk", filter=window)
            aggregates[f"others{i}"] = Count("pk", filter=window & ~Q(actor_id=movement.founder_id))
        row = Activity.objects.filter(
            movement=movement, actor__isnull=False, created_at__gte=starts[0], created_at__lt=ends[-1]
        ).aggregate(**aggregates)
        result[Source.ACTIVE_MEMBERS] = [Decimal(row[f"active{i}"]) for i in range(len(days))]
        result[Source.SHARE_BY_OTHERS] = [
            (Decimal(row[f"others{i}"] * 100) / row[f"total{i}"]).quantize(Decimal("0.1")) if row[f"total{i}"] else None
            for i in range(len(days))
        ]
    if Source.FOLLOWERS in sources:
        aggregates = {
            f"followers{i}": Count("pk", filter=Q(joined_at__lt=end) & (Q(left_at__isnull=True) | Q(left_at__gte=end)))
            for i, end in enumerate(ends)
        }
        row = (
            Membership.objects.filter(movement=movement).exclude(person_id=movement.founder_id).aggregate(**aggregates)
        )
        result[Source.FOLLOWERS] = [Decimal(row[f"followers{i}"]) for i in range(len(days))]
    if Source.UPDATES_PER_WEEK in sources:
        aggregates = {
            f"updates{i}": Count("pk", filter=Q(created_at__gte=start, created_at__lt=end))
            for i, (start, end) in enumerate(zip(starts, ends, strict=True))
        }
        row = Update.objects.filter(movement=movement, created_at__gte=starts[0], created_at__lt=ends[-1]).aggregate(
            **aggregates
        )
        result[Source.UPDATES_PER_WEEK] = [Decimal(row[f"updates{i}"]) for i in range(len(days))]
    return result


def measure_status(
    measure: Measure, latest: Decimal | None, *, movement: Movement, today: dt.date
) -> tuple[str, Decimal | None]:
    """The rule of STATUS_RULE: met, on track or off track against the straight line from baseline to target."""
    if latest is None:
        return Status.NO_VALUE, None
    up = measure.direction == Direction.UP
    if (up and latest >= measure.target) or (not up and latest <= measure.target):
        return Status.MET, None
    window = pilot_window(movement)
    if window is None:
        return Status.OFF_TRACK, measure.baseline
    start, end = window
    length = max((end - start).days, 1)
    elapsed = min(max((today - start).days, 0), length)
    expected = measure.baseline + (measure.target - measure.baseline) * Decimal(elapsed) / Decimal(length)
    expected = expected.quantize(Decimal("0.01"))
    on_track = latest >= expected if up else latest <= expected
    return (Status.ON_TRACK if on_track else Status.OFF_TRACK), expected


def measure_reports(*, movement: Movement, today: dt.date | None = None) -> list[MeasureReport]:
    """Every measure of the movement with its points over the window and its status (2 to 5 queries)."""
    today = today or timezone.now().date()
    measures = list(Measure.objects.filter(movement=movement).select_related("recorder_role"))
    if not measures:
        return []
    reports = {m.pk: MeasureReport(measure=m) for m in measures}
    by_hand = [m.pk for m in measures if m.source == Source.BY_HAND]
    if by_hand:
        for value in MeasureValue.objects.filter(measure_id__in=by_hand).select_related("recorded_by"):
            reports[value.measure_id].points.append(
                Point(
                    day=value.measured_on,
                    value=value.value,
                    note=value.note,
                    recorded_by=value.recorded_by.name if value.recorded_by else "",
                )
            )
    days = sample_days(movement, today=today)
    series = computed_series(movement, days, {m.source for m in measures} - {Source.BY_HAND})
    for measure in measures:
        if measure.source != Source.BY_HAND:
            reports[measure.pk].points = [
                Point(day=day, value=value)
                for day, value in zip(days, series.get(measure.source, []), strict=False)
                if value is not None
            ]
    for report in reports.values():
        latest = report.latest.value if report.latest else None
        report.status, report.expected_now = measure_status(report.measure, latest, movement=movement, today=today)
    return list(reports.values())


def can_record(*, measure: Measure, person, is_lead: bool, held_role_ids: set[int]) -> bool:
    return measure.source == Source.BY_HAND and (is_lead or measure.recorder_role_id in held_role_ids)


def held_role_ids(*, movement: Movement, person) -> set[int]:
    """The roles of this movement the person holds (one query)."""
    if not person.is_authenticated:
        return set()
    return set(movement.roles.filter(assignments__person=person).values_list("pk", flat=True))


def measures_recordable_by(*, movement: Movement, person, is_lead: bool) -> list[Measure]:
    """The hand-recorded measures this person may enter values for (leads: all of them)."""
    measures = Measure.objects.filter(movement=movement, source=Source.BY_HAND)
    if not is_lead:
        measures = measures.filter(recorder_role__assignments__person=person)
    return list(measures.order_by("created_at", "pk").distinct())


# --- pulses --------------------------------------------------------------------------------------


@dataclass
class PulseRow:
    pulse: object
    respondents: int
    shown: bool
    means: list[float | None]
    is_open: bool


def pulse_overview(*, movement: Movement, viewer, today: dt.date | None = None) -> dict:
    """The movement's pulses with their results, shown only from ANONYMITY_MIN_CROWD published answers
    (published in batches of at least that many, so no two states of the page differ by fewer people).
    Queries: the pulses with their counts and means (1), the texts of the latest shown pulse (1), whether the
    viewer answered the open pulse (1, when one is open)."""
    today = today or timezone.now().date()
    crowd = settings.ANONYMITY_MIN_CROWD
    respondents = (
        PulseRespondent.objects.filter(pulse=OuterRef("pk")).values("pulse").annotate(n=Count("pk")).values("n")[:1]
    )
    means = {
        f"mean{i}": Subquery(
            PulseAnswer.objects.filter(pulse=OuterRef("pk"))
            .values("pulse")
            .annotate(m=Avg(Cast(KeyTextTransform(str(i), "scores"), FloatField())))
            .values("m")[:1]
        )
        for i in range(3)
    }
    pulses = list(
        Pulse.objects.filter(movement=movement)
        .annotate(respondent_count=Coalesce(Subquery(respondents, output_field=IntegerField()), 0), **means)
        .order_by("-number")
    )
    rows = []
    for pulse in pulses:
        shown = pulse.published_count >= crowd
        rows.append(
            PulseRow(
                pulse=pulse,
                respondents=pulse.respondent_count,
                shown=shown,
                means=[
                    round(getattr(pulse, f"mean{i}"), 1) if shown and getattr(pulse, f"mean{i}") is not None else None
                    for i in range(len(pulse.questions))
                ],
                is_open=pulse.closed_at is None and pulse.opens_on <= today < pulse.closes_on,
            )
        )
    latest_shown = next((row for row in rows if row.shown), None)
    texts = {"works": [], "doesnt": []}
    if latest_shown is not None:
        # Ordered by the random id: the order says nothing about when or by whom.
        for works, doesnt in (
            PulseAnswer.objects.filter(pulse=latest_shown.pulse).order_by("pk").values_list("works", "doesnt")
        ):
            if works:
                texts["works"].append(works)
            if doesnt:
                texts["doesnt"].append(doesnt)
    open_row = next((row for row in rows if row.is_open), None)
    viewer_answered = bool(
        open_row
        and viewer.is_authenticated
        and PulseRespondent.objects.filter(pulse=open_row.pulse, person=viewer).exists()
    )
    return {
        "pulse_rows": rows,
        "latest_shown": latest_shown,
        "pulse_texts": texts,
        "open_pulse": open_row,
        "viewer_answered": viewer_answered,
        "crowd": crowd,
    }
