"""The whole /dashboards/ page: every section for one range and department."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import get_language

from ..dates import utc_today
from ..exports import Table
from .common import (
    Window,
    rolled_through,
    window,
)
from .feedback import feedback_answers, feedback_weekly, unresolved_doesnt
from .movements import movement_funnel, ownership, pilots_overdue
from .nudges import nudges_by_kind
from .people import DepartmentNode, Organisation, daily_active, organisation, participation
from .pilots import decision_participation, pilot_measures, pulse_response_rates


@dataclass
class Dashboard:
    win: Window
    node: DepartmentNode
    org: Organisation
    department_refused: bool
    participation: dict
    daily_active: Table
    movements: dict
    ownership: dict
    pilots_overdue: Table
    feedback_weekly: Table
    feedback_answers: Table
    unresolved_doesnt: Table
    nudges: Table
    pilot_measures: dict
    decisions: dict
    pulses: dict
    computed_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def tables(self) -> dict[str, Table]:
        tables = [
            self.participation["summary"],
            self.participation["by_department"],
            self.daily_active,
            self.movements["funnel"],
            self.movements["tipping"],
            self.movements["sanctioned"],
            self.ownership["ownership"],
            self.ownership["solo"],
            self.pilots_overdue,
            self.feedback_weekly,
            self.feedback_answers,
            self.unresolved_doesnt,
            self.nudges,
            self.pilot_measures["table"],
            self.decisions["table"],
            self.pulses["table"],
        ]
        return {table.name: table for table in tables}


@dataclass(frozen=True)
class CacheKey:
    """Where the finished figures of a range and department are kept: the UTC day, the newest rolled-up
    day and the language are in the key, so a new rollup or a new day computes them again at once."""

    days: int
    department_id: int | None
    today: dt.date
    rollup_until: dt.date | None

    def __str__(self) -> str:
        return f"dashboards:overview:{self.days}:{self.department_id or 'all'}:{self.today}:{self.rollup_until}:{get_language()}"


def cache_key(*, days: int, department_id: int | None) -> CacheKey:
    """One query: the rollup boundary. dashboard_for(key) computes the figures the key names."""
    return CacheKey(days=days, department_id=department_id, today=utc_today(), rollup_until=rolled_through())


def dashboard_for(key: CacheKey) -> Dashboard:
    """The figures of a key, for its day and rollup boundary (not read again)."""
    return dashboard(days=key.days, department_id=key.department_id, today=key.today, rollup_until=key.rollup_until)


_READ_IT = object()


def dashboard(
    *,
    days: int,
    department_id: int | None,
    today: dt.date | None = None,
    use_rollups: bool = True,
    rollup_until=_READ_IT,
) -> Dashboard:
    """Everything /dashboards/ shows. Queries (fixed): rollup boundary (unless given), departments, people
    per department, daily active, funnel, ownership, overdue pilots, feedback per week, answers,
    unresolved posts, nudges per kind, pilots' measures, decisions, pulses."""
    if rollup_until is _READ_IT:
        rollup_until = rolled_through() if use_rollups else None
    win = window(days=days, today=today, rollup_until=rollup_until)
    org = organisation(win=win)
    node = org.nodes.get(department_id) if department_id else org.root
    refused = department_id is not None and (node is None or not node.selectable)
    if refused:
        node = org.root
    return Dashboard(
        win=win,
        node=node,
        org=org,
        department_refused=refused,
        participation=participation(org=org, node=node),
        daily_active=daily_active(win=win, node=node, without_unassigned=bool(org.unassigned_uncounted)),
        movements=movement_funnel(win=win, node=node),
        ownership=ownership(win=win, node=node),
        pilots_overdue=pilots_overdue(win=win, node=node),
        feedback_weekly=feedback_weekly(win=win, node=node),
        feedback_answers=feedback_answers(win=win, node=node),
        unresolved_doesnt=unresolved_doesnt(node=node),
        nudges=nudges_by_kind(win=win, org=org, node=node),
        pilot_measures=pilot_measures(win=win, node=node),
        decisions=decision_participation(win=win, node=node),
        pulses=pulse_response_rates(win=win, node=node),
    )
