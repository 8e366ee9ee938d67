"""Pilots (issue 15): how their success measures stand, how many members took part in their decisions, how
many answered their pulses. Three queries, whatever the number of pilots. A movement belongs to its founder's
department (as everywhere on the page).

Definitions (the same text is in the page help):
measures      = pilots that ran during the range (started by its last day, ended on or after its first); each
                measure's status by pilots.selectors.STATUS_RULE, read on the pilot's last day or the range's
                last day, whichever comes first (a hand-recorded measure: its latest value up to that day; a
                computed one: its figure on that day);
participation = proposals recorded in the range: members who responded / members when it was recorded;
pulse answers = pulses opened in the range: members who answered / members on the day it opened; shown only
                once its results are (ANONYMITY_MIN_CROWD published answers), else "fewer than 5".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DateTimeField, ExpressionWrapper, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from movements.models import Membership, Movement
from pilots.models import Measure, ProposalStatus, Pulse, PulseRespondent
from pilots.selectors import STATUS_LABELS, Status, measure_status

from ..exports import Table
from ..privacy import SUPPRESSED
from .common import Link, Window, _fetch, _pct, _ts
from .movements import _analytics_url
from .people import DepartmentNode, _department_filter

# Each measure's latest value on its pilot's evaluation day: the same figures as pilots.selectors.computed_series
# (the 7 days up to the end of that day), one correlated subquery per measure row.
_MEASURES_SQL = """
WITH pilot AS (
    SELECT m.id, m.title, m.slug, m.stage, m.founder_id, m.pilot_start, m.pilot_end,
           (LEAST(m.pilot_end, %(today)s::date) + 1)::timestamp AT TIME ZONE 'UTC' AS eval_end
    FROM movements_movement m
    WHERE m.pilot_start IS NOT NULL AND m.pilot_end IS NOT NULL
      AND m.pilot_start <= %(today)s::date AND m.pilot_end >= %(start)s::date AND {department}
)
SELECT p.id, p.title, p.slug, p.stage, p.pilot_start, p.pilot_end,
       me.direction, me.baseline, me.target,
       CASE me.source
       WHEN 'by_hand' THEN (
           SELECT v.value FROM pilots_measurevalue v
           WHERE v.measure_id = me.id AND v.measured_on < (p.eval_end AT TIME ZONE 'UTC')::date
           ORDER BY v.measured_on DESC LIMIT 1)
       WHEN 'followers' THEN (
           SELECT count(*) FROM movements_membership ms
           WHERE ms.movement_id = p.id AND ms.person_id <> p.founder_id AND ms.joined_at < p.eval_end
             AND (ms.left_at IS NULL OR ms.left_at >= p.eval_end))
       WHEN 'active_members' THEN (
           SELECT count(DISTINCT a.actor_id) FROM activity_activity a
           WHERE a.movement_id = p.id AND a.created_at >= p.eval_end - interval '{window} days'
             AND a.created_at < p.eval_end
             AND a.actor_id IN (SELECT ms.person_id FROM movements_membership ms WHERE ms.movement_id = p.id))
       WHEN 'updates_per_week' THEN (
           SELECT count(*) FROM movements_update u
           WHERE u.movement_id = p.id AND u.created_at >= p.eval_end - interval '{window} days'
             AND u.created_at < p.eval_end)
       WHEN 'share_by_others' THEN (
           SELECT round(100.0 * count(*) FILTER (WHERE a.actor_id <> p.founder_id) / NULLIF(count(*), 0), 1)
           FROM activity_activity a
           WHERE a.movement_id = p.id AND a.actor_id IS NOT NULL
             AND a.created_at >= p.eval_end - interval '{window} days' AND a.created_at < p.eval_end)
       END AS latest
FROM pilot p LEFT JOIN pilots_measure me ON me.movement_id = p.id
ORDER BY p.pilot_end, p.title, p.id, me.id
"""

_STATUSES = [Status.MET, Status.ON_TRACK, Status.OFF_TRACK, Status.NO_VALUE]


def pilot_measures(*, win: Window, node: DepartmentNode) -> dict:
    """Per pilot of the range: how many of its measures are met, on track, off track or without a value;
    and how many pilots have at least one measure off track / all measures met. One query."""
    from pilots.selectors import WINDOW_DAYS

    department, params = _department_filter("m.founder_id", node)
    rows = _fetch(
        _MEASURES_SQL.format(department=department, window=int(WINDOW_DAYS)),
        {"today": win.today, "start": win.start, **params},
    )
    url = _analytics_url()
    pilots: dict[int, dict] = {}
    for pid, title, slug, stage, start, end, direction, baseline, target, latest in rows:
        pilot = pilots.setdefault(
            pid, {"title": title, "slug": slug, "stage": stage, "counts": dict.fromkeys(_STATUSES, 0)}
        )
        if direction is None:
            continue  # a pilot without measures
        measure = Measure(direction=direction, baseline=baseline, target=target)
        status, _expected = measure_status(
            measure,
            Decimal(latest) if latest is not None else None,
            movement=Movement(pilot_start=start, pilot_end=end),
            today=min(end, win.today),
        )
        pilot["counts"][status] += 1
    table = Table(
        "pilot_measures",
        _("Pilots and their success measures"),
        [_("Movement"), _("Stage"), *(str(STATUS_LABELS[s]) for s in _STATUSES)],
    )
    # A pilot is off track if any of its measures is; met if all are; on track if none is behind or unmeasured;
    # else not measured yet (no measure, or one without a value).
    summary = {"pilots": len(pilots), "met": 0, "on_track": 0, "off_track": 0, "unmeasured": 0}
    for pilot in pilots.values():
        counts = pilot["counts"]
        table.rows.append(
            [
                Link(pilot["title"], url(pilot["slug"])),
                str(Movement(stage=pilot["stage"]).get_stage_display()),
                *(counts[s] for s in _STATUSES),
            ]
        )
        total = sum(counts.values())
        if counts[Status.OFF_TRACK]:
            summary["off_track"] += 1
        elif total and counts[Status.MET] == total:
            summary["met"] += 1
        elif total and not counts[Status.NO_VALUE]:
            summary["on_track"] += 1
        else:
            summary["unmeasured"] += 1
    return {"table": table, "summary": summary}


def decision_participation(*, win: Window, node: DepartmentNode) -> dict:
    """Proposals recorded in the range: who responded of the members the record counted. One query."""
    from pilots.models import Proposal

    proposals = Proposal.objects.filter(
        status=ProposalStatus.RECORDED,
        recorded_at__gte=_ts(win.start),
        recorded_at__lt=_ts(win.today + dt.timedelta(days=1)),
    )
    if node.id is not None:
        proposals = proposals.filter(movement__founder__department__path__startswith=node.path)
    table = Table(
        "decision_participation",
        _("Decisions taken together"),
        [_("Movement"), _("Decision"), _("Recorded"), _("Responded"), _("Members"), _("Participation (%)")],
    )
    url = _analytics_url()
    responded_total = members_total = 0
    for title, slug, decision, recorded_at, record in proposals.order_by("recorded_at", "pk").values_list(
        "movement__title", "movement__slug", "decision", "recorded_at", "record"
    ):
        responded = sum(int(n) for n in (record.get("counts") or {}).values())
        members = int(record.get("member_count") or 0)
        responded_total += responded
        members_total += members
        label = {"adopt": _("Adopt"), "extend": _("Extend"), "retire": _("Retire")}.get(decision, decision)
        table.rows.append(
            [
                Link(title, url(slug)),
                str(label),
                recorded_at.date(),
                responded,
                members,
                _pct(responded, members),
            ]
        )
    return {"table": table, "share": _pct(responded_total, members_total), "proposals": len(table.rows)}


def pulse_response_rates(*, win: Window, node: DepartmentNode) -> dict:
    """Pulses opened in the range: members who answered / members on its first day, shown only once the pulse's
    results are (ANONYMITY_MIN_CROWD published answers). One query."""
    crowd = settings.ANONYMITY_MIN_CROWD
    day_end = ExpressionWrapper(OuterRef("opens_on") + dt.timedelta(days=1), output_field=DateTimeField())
    day_after_open = Subquery(
        Membership.objects.filter(movement_id=OuterRef("movement_id"))
        .filter(joined_at__lt=day_end)
        .filter(Q(left_at__isnull=True) | Q(left_at__gte=day_end))
        .values("movement_id")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    answered = Subquery(
        PulseRespondent.objects.filter(pulse=OuterRef("pk")).values("pulse").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )
    pulses = Pulse.objects.filter(opens_on__gte=win.start, opens_on__lte=win.today)
    if node.id is not None:
        pulses = pulses.filter(movement__founder__department__path__startswith=node.path)
    pulses = pulses.annotate(members=Coalesce(day_after_open, 0), answered=Coalesce(answered, 0))
    table = Table(
        "pulse_response_rates",
        _("Pulse answers"),
        [_("Movement"), _("Pulse"), _("Opened"), _("Answered"), _("Members"), _("Response rate (%)")],
    )
    url = _analytics_url()
    answered_total = members_total = 0
    for title, slug, number, opens_on, published, members, n in pulses.order_by("opens_on", "pk").values_list(
        "movement__title", "movement__slug", "number", "opens_on", "published_count", "members", "answered"
    ):
        if published >= crowd:
            answered_total += n
            members_total += members
            cells = [n, members, _pct(n, members)]
        else:
            cells = [SUPPRESSED, members, SUPPRESSED]
        table.rows.append([Link(title, url(slug)), number, opens_on, *cells])
    return {"table": table, "rate": _pct(answered_total, members_total), "pulses": len(table.rows)}
