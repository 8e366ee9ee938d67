"""Participation: the department tree, people figures, k-anonymous breakdowns, active people per day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from people.models import Department

from ..exports import Table
from ..privacy import K_ANONYMITY, SUPPRESSED, hidden_groups
from .common import (
    Window,
    _active_pairs_sql,
    _fetch,
    _pct,
    _ts,
)


@dataclass
class DepartmentNode:
    id: int | None
    name: str
    path: str
    parent_id: int | None
    # Figures of the people directly in this department (not its sub-departments).
    direct: dict = field(default_factory=dict)
    # Figures of the department and all its sub-departments.
    subtree: dict = field(default_factory=dict)
    children: list = field(default_factory=list)
    selectable: bool = False
    depth: int = 0

    @property
    def indented_name(self) -> str:
        return "– " * self.depth + self.name


PEOPLE_FIGURES = ("headcount", "in_movement", "active7", "active28", "active_range", "active_days28")


def _department_stats(win: Window) -> list[tuple]:
    """Per department (NULL = no department): people figures. One query.

    headcount    = active accounts (is_active) in the department;
    in_movement  = of those, people with a current membership (left_at empty) in at least one movement;
    active7/28   = of those, people with any activity row in the last 7 / 28 days;
    active_range = of those, people with any activity row in the selected range;
    active_days28 = the sum over those people of the days (of the last 28) on which they were active,
                    so stickiness = (active_days28 / 28) / active28 = average daily active / 28-day active.
    """
    if win.rollup_until is None:
        return _department_stats_live(win)
    return _department_stats_rolled(win)


def _department_stats_live(win: Window) -> list[tuple]:
    """Without rollups: every day of the range is read from the activity log, person by person."""
    since = min(win.start, win.since(28))
    sql = f"""
        WITH active AS ({_active_pairs_sql()}),
        per_person AS (
            SELECT person_id,
                   bool_or(day >= %(d7)s) AS a7, bool_or(day >= %(d28)s) AS a28,
                   bool_or(day >= %(range_start)s) AS ar,
                   count(*) FILTER (WHERE day >= %(d28)s) AS days28
            FROM active GROUP BY person_id
        )
        SELECT u.department_id, count(*),
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM movements_membership ms WHERE ms.person_id = u.id AND ms.left_at IS NULL)),
               count(*) FILTER (WHERE pp.a7), count(*) FILTER (WHERE pp.a28), count(*) FILTER (WHERE pp.ar),
               COALESCE(sum(pp.days28), 0)
        FROM people_user u LEFT JOIN per_person pp ON pp.person_id = u.id
        WHERE u.is_active
        GROUP BY u.department_id
    """
    live_day = win.live_from(since)
    return _fetch(
        sql,
        {
            "since": since,
            "live_day": live_day,
            "live_ts": _ts(live_day),
            "d7": win.since(7),
            "d28": win.since(28),
            "range_start": win.start,
        },
    )


def _department_stats_rolled(win: Window) -> list[tuple]:
    """With rollups, nothing is read person by person over past days:
    - active in the last 7 / 28 days / the range: the person's last rolled-up active day
      (PersonLastActive) falls in it, or they did something since the rollup (read live);
    - active days of the last 28: the rolled-up days' per-department counts (DailyDepartmentActive,
      people counted in the department they were in that day), plus the live days per person.
    """
    d28 = win.since(28)
    live_day = win.live_from(d28)
    sql = """
        WITH live AS (
            SELECT actor_id AS person_id, bool_or(day >= %(d7)s) AS a7, bool_or(day >= %(range_start)s) AS ar, count(*) AS days
            FROM (SELECT DISTINCT actor_id, (created_at AT TIME ZONE 'UTC')::date AS day FROM activity_activity
                  WHERE actor_id IS NOT NULL AND created_at >= %(live_ts)s) pairs
            GROUP BY actor_id
        ),
        rolled_days AS (
            SELECT department_id, sum(people) AS days FROM dashboards_dailydepartmentactive
            WHERE day >= %(d28)s AND day < %(live_day)s GROUP BY department_id
        ),
        people AS (
            SELECT u.department_id, count(*) AS headcount,
                   count(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM movements_membership ms WHERE ms.person_id = u.id AND ms.left_at IS NULL)) AS in_movement,
                   count(*) FILTER (WHERE l.a7 OR la.day >= %(d7)s) AS a7,
                   count(*) FILTER (WHERE l.person_id IS NOT NULL OR la.day >= %(d28)s) AS a28,
                   count(*) FILTER (WHERE l.ar OR la.day >= %(range_start)s) AS ar,
                   COALESCE(sum(l.days), 0) AS live_days
            FROM people_user u
            LEFT JOIN live l ON l.person_id = u.id
            LEFT JOIN dashboards_personlastactive la ON la.person_id = u.id AND la.day < %(live_day)s
            WHERE u.is_active
            GROUP BY u.department_id
        )
        SELECT p.department_id, p.headcount, p.in_movement, p.a7, p.a28, p.ar, p.live_days + COALESCE(r.days, 0)
        FROM people p LEFT JOIN rolled_days r ON r.department_id IS NOT DISTINCT FROM p.department_id
    """
    return _fetch(
        sql, {"live_day": live_day, "live_ts": _ts(live_day), "d7": win.since(7), "d28": d28, "range_start": win.start}
    )


def _empty_figures() -> dict:
    return dict.fromkeys(PEOPLE_FIGURES, 0)


@dataclass
class Organisation:
    """The department tree with people figures, and which departments may be shown on their own."""

    root: DepartmentNode
    nodes: dict
    # People without a department, while they are fewer than K: counted in the headcount only. As a group
    # of their own they would be hidden, and hiding them would hide the smallest real department too (the
    # total minus the rest would reveal them), so their activity is left out of every figure instead.
    unassigned_uncounted: int = 0

    def partition(self, node: DepartmentNode) -> list[tuple[str, DepartmentNode | None, dict]]:
        """The groups a selection splits into: its sub-departments, plus its own direct members."""
        groups = [(child.name, child, child.subtree) for child in node.children if child.subtree["headcount"]]
        if node.direct["headcount"]:
            label = _("No department") if node.id is None else _("%(name)s (directly)") % {"name": node.name}
            groups.append((label, None, node.direct))
        return groups

    def choices(self) -> list[DepartmentNode]:
        ordered: list[DepartmentNode] = []

        def walk(node: DepartmentNode) -> None:
            for child in node.children:
                if child.selectable:
                    ordered.append(child)
                    walk(child)

        walk(self.root)
        return ordered


def organisation(*, win: Window) -> Organisation:
    """Two queries: the departments, and the per-department people figures."""

    root = DepartmentNode(
        id=None,
        name=_("Whole organisation"),
        path="",
        parent_id=None,
        direct=_empty_figures(),
        subtree=_empty_figures(),
        selectable=True,
    )
    nodes: dict[int, DepartmentNode] = {}
    for pk, name, path, parent_id in Department.objects.order_by("path").values_list("id", "name", "path", "parent_id"):
        nodes[pk] = DepartmentNode(pk, name, path, parent_id, direct=_empty_figures(), subtree=_empty_figures())
    for node in nodes.values():
        parent = nodes.get(node.parent_id, root) if node.parent_id else root
        parent.children.append(node)
        node.depth = len([p for p in node.path.strip("/").split("/") if p]) - 1
    for node in [root, *nodes.values()]:
        node.children.sort(key=lambda child: (child.name.lower(), child.id))
    unassigned_uncounted = 0
    for department_id, *figures in _department_stats(win):
        values = dict(zip(PEOPLE_FIGURES, (int(value) for value in figures), strict=True))
        if not department_id and values["headcount"] < K_ANONYMITY:
            unassigned_uncounted = values["headcount"]
            continue
        direct_node = nodes.get(department_id, root) if department_id else root
        direct_node.direct = values
        targets = [root] + (
            [nodes[int(p)] for p in direct_node.path.strip("/").split("/") if p and int(p) in nodes]
            if department_id
            else []
        )
        for target in targets:
            for key in PEOPLE_FIGURES:
                target.subtree[key] += values[key]
    org = Organisation(root=root, nodes=nodes, unassigned_uncounted=unassigned_uncounted)

    # A department may be picked only when its row is shown in its parent's breakdown (privacy.py).
    def mark(node: DepartmentNode) -> None:
        groups = org.partition(node)
        hidden, all_hidden = hidden_groups({index: g[2]["headcount"] for index, g in enumerate(groups)})
        for index, (_label, child, _figures) in enumerate(groups):
            if child is not None and not all_hidden and index not in hidden:
                child.selectable = True
                mark(child)

    if root.subtree["headcount"] >= K_ANONYMITY:
        mark(root)
    return org


def participation(*, org: Organisation, node: DepartmentNode) -> dict:
    """Headline people figures of the selection and its breakdown by department, with small groups hidden."""
    figures = node.subtree
    uncounted = org.unassigned_uncounted if node.id is None else 0
    hidden_all = figures["headcount"] + uncounted < K_ANONYMITY
    stickiness = None
    if figures["active28"]:
        # Stickiness = average daily active people over the last 28 days / people active in those 28 days.
        stickiness = round(100 * (float(figures["active_days28"]) / 28) / figures["active28"], 1)
    summary = Table("participation_summary", _("Participation"), [_("Metric"), _("Value")])
    rows = [
        (_("People (headcount)"), figures["headcount"] + uncounted),
        (_("People in at least one movement"), figures["in_movement"]),
        (_("Participation rate (%)"), _pct(figures["in_movement"], figures["headcount"])),
        (_("Active in the last 7 days"), figures["active7"]),
        (_("Active in the last 28 days"), figures["active28"]),
        (_("Active in the selected range"), figures["active_range"]),
        (_("Stickiness: daily ÷ 28-day active (%)"), stickiness),
    ]
    summary.rows = [[label, SUPPRESSED if hidden_all else value] for label, value in rows]
    if uncounted:
        summary.note = _(
            "People without a department are counted in the headcount only, until there are at least %(k)d "
            "of them: their activity is not in the other figures."
        ) % {"k": K_ANONYMITY}

    groups = org.partition(node)
    hidden, all_hidden = hidden_groups({index: g[2]["headcount"] for index, g in enumerate(groups)})
    by_department = Table(
        "participation_by_department",
        _("Participation by department"),
        [_("Department"), _("People"), _("In a movement"), _("Participation rate (%)"), _("Active in range")],
    )
    chart_labels, chart_values = [], []
    for index, (label, _child, values) in enumerate(groups):
        if all_hidden or index in hidden:
            by_department.rows.append([label, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED])
            continue
        rate = _pct(values["in_movement"], values["headcount"])
        by_department.rows.append([label, values["headcount"], values["in_movement"], rate, values["active_range"]])
        chart_labels.append(label)
        chart_values.append(rate or 0)
    if hidden or all_hidden:
        by_department.note = _(
            "Groups of fewer than %(k)d people are hidden, and so is at least one more group, "
            "so the total cannot be used to work them out."
        ) % {"k": K_ANONYMITY}
    return {
        "figures": None if hidden_all else figures,
        "stickiness": stickiness,
        "summary": summary,
        "by_department": by_department,
        "rate_labels": chart_labels,
        "rate_values": chart_values,
    }


def _department_filter(alias: str, node: DepartmentNode) -> tuple[str, dict]:
    """SQL condition: the person column `alias` belongs to the selected department or one below it."""
    if node.id is None:
        return "TRUE", {}
    return (
        f"{alias} IN (SELECT u.id FROM people_user u JOIN people_department d ON d.id = u.department_id "
        f"WHERE d.path LIKE %(department_path)s)",
        {"department_path": node.path + "%"},
    )


def _in_subtree(column: str, node: DepartmentNode) -> tuple[str, dict]:
    """SQL condition: the department column is the selected department or one below it."""
    if node.id is None:
        return "TRUE", {}
    return (
        f"{column} IN (SELECT id FROM people_department WHERE path LIKE %(department_path)s)",
        {"department_path": node.path + "%"},
    )


def daily_active(*, win: Window, node: DepartmentNode, without_unassigned: bool = False) -> Table:
    """People active per day in the range (active = any activity row that UTC day). One query.

    Rolled-up days read the per-department daily counts (people counted in the department they were
    in when the day was rolled up); later days, always including today, are counted live.
    """
    rolled_condition, params = _in_subtree("r.department_id", node)
    live_condition, _params = _in_subtree("pu.department_id", node)
    live_day = win.live_from(win.start)
    if without_unassigned:  # the few people without a department (Organisation.unassigned_uncounted)
        rolled_condition += " AND r.department_id IS NOT NULL"
        live_condition += " AND pu.department_id IS NOT NULL"
    rows = _fetch(
        f"""
        SELECT r.day, sum(r.people) FROM dashboards_dailydepartmentactive r
        WHERE r.day >= %(since)s AND r.day < %(live_day)s AND {rolled_condition}
        GROUP BY r.day
        UNION ALL
        SELECT a.day, count(*) FROM (
            SELECT DISTINCT actor_id, (created_at AT TIME ZONE 'UTC')::date AS day FROM activity_activity
            WHERE actor_id IS NOT NULL AND created_at >= %(live_ts)s
        ) a JOIN people_user pu ON pu.id = a.actor_id
        WHERE pu.is_active AND {live_condition}
        GROUP BY a.day
        """,
        {"since": win.start, "live_day": live_day, "live_ts": _ts(live_day), **params},
    )
    counts = {day: int(count) for day, count in rows}
    table = Table("daily_active", _("People active per day"), [_("Day"), _("Active people")])
    for offset in range(win.days):
        day = win.start + dt.timedelta(days=offset)
        table.rows.append([day, counts.get(day, 0)])
    return table
