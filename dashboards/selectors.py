"""Reads behind the adoption dashboards. Set-based SQL: one query per section, never one per movement.

Every metric's definition is written next to its query (and repeated in the page help). Days are UTC
days; "the last N days" are the N days ending today, today included. Activity before the newest
rolled-up day is read from the daily rollups (dashboards.models); later days, always including
today, are computed live from the activity log, so the figures are the same either way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from feedback.models import UNRESOLVED_STATUSES, Feedback, Kind
from movements.models import Membership, Movement, Role, Stage

from .exports import Table
from .models import RollupDay
from .privacy import K_ANONYMITY, SUPPRESSED, hidden_groups
from .services import day_bounds, utc_today

RANGE_CHOICES = (7, 28, 90, 365)
DEFAULT_RANGE = 28
# Solo project: the founder did at least this share of the movement's activity rows in the window...
SOLO_FOUNDER_SHARE = 0.7
# ...and the window holds at least this many activity rows (fewer is too little to judge).
SOLO_MIN_ACTIVITY = 3
OWNERSHIP_ROWS_SHOWN = 25


@dataclass(frozen=True)
class Link:
    """A table cell that links somewhere on the page; exported as its text."""

    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Window:
    """The last `days` UTC days ending `today` (today included), and the newest rolled-up day to read."""

    days: int
    today: dt.date
    # Rollup rows are read up to and including this day; later days are read live. None: all live.
    rollup_until: dt.date | None = None

    @property
    def start(self) -> dt.date:
        return self.today - dt.timedelta(days=self.days - 1)

    def since(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days - 1)

    def live_from(self, since: dt.date) -> dt.date:
        """First day read live from the activity log when reading from `since`; today is always live."""
        if self.rollup_until is None:
            return min(since, self.today)
        return min(max(self.rollup_until + dt.timedelta(days=1), since), self.today)


def rolled_through() -> dt.date | None:
    """The newest rolled-up day (the rollup task keeps the rolled days contiguous). One query."""
    return RollupDay.objects.aggregate(last=Max("day"))["last"]


def window(*, days: int, today: dt.date | None = None, rollup_until: dt.date | None = None) -> Window:
    return Window(days=days, today=today or utc_today(), rollup_until=rollup_until)


def _ts(day: dt.date) -> dt.datetime:
    return day_bounds(day)[0]


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _active_pairs_sql() -> str:
    """(person_id, day) for every person active on a day since %(since)s: rollups, then live rows.

    Active = did anything in the activity log that UTC day (any verb). Anonymous rows have no actor
    and make nobody active.
    """
    return """
        SELECT person_id, day FROM dashboards_dailyactiveperson
        WHERE day >= %(since)s AND day < %(live_day)s
        UNION ALL
        SELECT DISTINCT actor_id, (created_at AT TIME ZONE 'UTC')::date FROM activity_activity
        WHERE actor_id IS NOT NULL AND created_at >= %(live_ts)s
    """


def _pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _days(seconds: float | None) -> float | None:
    return round(seconds / 86400, 1) if seconds is not None else None


# --- Departments and participation -------------------------------------------------------------


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
    The last 28 days are read day by day (rollup rows, then live rows); a longer range adds the people
    whose last rolled-up active day (PersonLastActive) falls in it, so a year is not scanned day by day.
    """
    d28 = win.since(28)
    since = min(win.start, d28)
    live_day = win.live_from(since)
    use_rollups = win.rollup_until is not None
    sql = f"""
        WITH active AS ({_active_pairs_sql()}),
        per_person AS (
            SELECT person_id,
                   bool_or(day >= %(d7)s) AS a7, bool_or(day >= %(d28)s) AS a28,
                   bool_or(day >= %(range_start)s) AS ar,
                   count(*) FILTER (WHERE day >= %(d28)s) AS days28
            FROM active GROUP BY person_id
        ),
        earlier AS (
            SELECT person_id FROM dashboards_personlastactive
            WHERE %(use_rollups)s AND day >= %(range_start)s AND day < %(live_day)s
        )
        SELECT u.department_id, count(*),
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM movements_membership ms WHERE ms.person_id = u.id AND ms.left_at IS NULL)),
               count(*) FILTER (WHERE pp.a7), count(*) FILTER (WHERE pp.a28),
               count(*) FILTER (WHERE pp.ar OR e.person_id IS NOT NULL),
               COALESCE(sum(pp.days28), 0)
        FROM people_user u
        LEFT JOIN per_person pp ON pp.person_id = u.id
        LEFT JOIN earlier e ON e.person_id = u.id
        WHERE u.is_active
        GROUP BY u.department_id
    """
    return _fetch(sql, {
        # With rollups, only the last 28 days are read day by day; without, the whole range is.
        "since": d28 if use_rollups else since, "live_day": live_day, "live_ts": _ts(live_day),
        "d7": win.since(7), "d28": d28, "range_start": win.start, "use_rollups": use_rollups,
    })


def _empty_figures() -> dict:
    return dict.fromkeys(PEOPLE_FIGURES, 0)


@dataclass
class Organisation:
    """The department tree with people figures, and which departments may be shown on their own."""

    root: DepartmentNode
    nodes: dict

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
    from people.models import Department

    root = DepartmentNode(id=None, name=_("Whole organisation"), path="", parent_id=None,
                          direct=_empty_figures(), subtree=_empty_figures(), selectable=True)
    nodes: dict[int, DepartmentNode] = {}
    for pk, name, path, parent_id in Department.objects.order_by("path").values_list("id", "name", "path", "parent_id"):
        nodes[pk] = DepartmentNode(pk, name, path, parent_id, direct=_empty_figures(), subtree=_empty_figures())
    for node in nodes.values():
        parent = nodes.get(node.parent_id, root) if node.parent_id else root
        parent.children.append(node)
        node.depth = len([p for p in node.path.strip("/").split("/") if p]) - 1
    for node in [root, *nodes.values()]:
        node.children.sort(key=lambda child: (child.name.lower(), child.id))
    for department_id, *figures in _department_stats(win):
        values = dict(zip(PEOPLE_FIGURES, (int(value) for value in figures)))
        direct_node = nodes.get(department_id, root) if department_id else root
        direct_node.direct = values
        targets = [root] + ([nodes[int(p)] for p in direct_node.path.strip("/").split("/") if p and int(p) in nodes]
                            if department_id else [])
        for target in targets:
            for key in PEOPLE_FIGURES:
                target.subtree[key] += values[key]
    org = Organisation(root=root, nodes=nodes)

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
    hidden_all = figures["headcount"] < K_ANONYMITY
    stickiness = None
    if figures["active28"]:
        # Stickiness = average daily active people over the last 28 days / people active in those 28 days.
        stickiness = round(100 * (float(figures["active_days28"]) / 28) / figures["active28"], 1)
    summary = Table("participation_summary", _("Participation"), [_("Metric"), _("Value")])
    rows = [
        (_("People (headcount)"), figures["headcount"]),
        (_("People in at least one movement"), figures["in_movement"]),
        (_("Participation rate (%)"), _pct(figures["in_movement"], figures["headcount"])),
        (_("Active in the last 7 days"), figures["active7"]),
        (_("Active in the last 28 days"), figures["active28"]),
        (_("Active in the selected range"), figures["active_range"]),
        (_("Stickiness: daily ÷ 28-day active (%)"), stickiness),
    ]
    summary.rows = [[label, SUPPRESSED if hidden_all else value] for label, value in rows]

    groups = org.partition(node)
    hidden, all_hidden = hidden_groups({index: g[2]["headcount"] for index, g in enumerate(groups)})
    by_department = Table(
        "participation_by_department", _("Participation by department"),
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
    return (f"{column} IN (SELECT id FROM people_department WHERE path LIKE %(department_path)s)",
            {"department_path": node.path + "%"})


def daily_active(*, win: Window, node: DepartmentNode) -> Table:
    """People active per day in the range (active = any activity row that UTC day). One query.

    Rolled-up days read the per-department daily counts (people counted in the department they were
    in when the day was rolled up); later days, always including today, are counted live.
    """
    rolled_condition, params = _in_subtree("r.department_id", node)
    live_condition, _params = _in_subtree("pu.department_id", node)
    live_day = win.live_from(win.start)
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
        table.rows.append([day.isoformat(), counts.get(day, 0)])
    return table


# --- Movements ---------------------------------------------------------------------------------


def movement_funnel(*, win: Window, node: DepartmentNode) -> dict:
    """Movements started in the range (by founders in the selected department). One query.

    started          = movements created in the range (every movement starts recruiting);
    reached piloting = of those, now piloting or adopted, or with a recorded change to piloting;
    adopted / retired = of those, whose current stage is adopted / retired;
    conversion       = reached piloting / started, and adopted / reached piloting;
    time to first / third follower = joined_at of join order 2 / join order 4 minus the movement's
                       created_at (people who left later still count), median over the movements
                       that reached it.
    """
    condition, params = _department_filter("m.founder_id", node)
    (started, piloting, adopted, retired, first_n, first_median, third_n, third_median), = _fetch(
        f"""
        SELECT count(*),
               count(*) FILTER (WHERE m.stage IN ('piloting', 'adopted') OR EXISTS (
                   SELECT 1 FROM movements_stagechange sc WHERE sc.movement_id = m.id AND sc.to_stage = 'piloting')),
               count(*) FILTER (WHERE m.stage = 'adopted'),
               count(*) FILTER (WHERE m.stage = 'retired'),
               count(f1.id),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM f1.joined_at - m.created_at)),
               count(f3.id),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM f3.joined_at - m.created_at))
        FROM movements_movement m
        LEFT JOIN movements_membership f1 ON f1.movement_id = m.id AND f1.position = 2
        LEFT JOIN movements_membership f3 ON f3.movement_id = m.id AND f3.position = 4
        WHERE m.created_at >= %(start)s AND {condition}
        """,
        {"start": _ts(win.start), **params},
    )
    funnel = Table("funnel", _("Stage funnel"), [_("Stage"), _("Movements"), _("Conversion from the step before (%)")])
    funnel.rows = [
        [_("Started (recruiting)"), started, None],
        [_("Reached piloting"), piloting, _pct(piloting, started)],
        [_("Adopted"), adopted, _pct(adopted, piloting)],
        [_("Retired"), retired, _pct(retired, started)],
    ]
    tipping = Table("tipping_point", _("Time to first and third follower"),
                    [_("Milestone"), _("Movements that reached it"), _("Median days")])
    tipping.rows = [
        [_("First follower"), first_n, _days(first_median)],
        [_("Third follower"), third_n, _days(third_median)],
    ]
    return {
        "started": started, "piloting": piloting, "adopted": adopted, "retired": retired,
        "first_median_days": _days(first_median), "third_median_days": _days(third_median),
        "funnel": funnel, "tipping": tipping,
    }


def ownership(*, win: Window, node: DepartmentNode) -> dict:
    """Ownership share of every movement not retired (founder in the selected department). One query.

    activity share by others = the movement's activity rows in the range whose actor is not the founder
                               (anonymous rows count as others) / all its activity rows in the range;
    seat share by others     = filled seats (role assignments, now) held by someone other than the founder
                               / all filled seats;
    active leads             = members now marked lead who have not left.
    Solo project: the founder did >= 70% of the activity rows in the range AND the range holds >= 3 rows.
    """
    condition, params = _department_filter("m.founder_id", node)
    rows = _fetch(
        f"""
        WITH acts AS (
            SELECT movement_id, sum(actions) AS total, sum(founder_actions) AS founder FROM (
                SELECT movement_id, actions, founder_actions FROM dashboards_dailymovementactivity
                WHERE day >= %(start)s AND day < %(live_day)s
                UNION ALL
                SELECT a.movement_id, count(*), count(*) FILTER (WHERE a.actor_id = mv.founder_id)
                FROM activity_activity a JOIN movements_movement mv ON mv.id = a.movement_id
                WHERE a.created_at >= %(live_ts)s
                GROUP BY a.movement_id
            ) x GROUP BY movement_id
        ), seats AS (
            SELECT r.movement_id, count(*) AS filled, count(*) FILTER (WHERE ra.person_id <> mv.founder_id) AS by_others
            FROM movements_roleassignment ra
            JOIN movements_role r ON r.id = ra.role_id
            JOIN movements_movement mv ON mv.id = r.movement_id
            GROUP BY r.movement_id
        ), leads AS (
            SELECT movement_id, count(*) AS n FROM movements_membership
            WHERE is_lead AND left_at IS NULL GROUP BY movement_id
        )
        SELECT m.title, m.slug, m.stage, COALESCE(acts.total, 0), COALESCE(acts.founder, 0),
               COALESCE(seats.filled, 0), COALESCE(seats.by_others, 0), COALESCE(leads.n, 0)
        FROM movements_movement m
        LEFT JOIN acts ON acts.movement_id = m.id
        LEFT JOIN seats ON seats.movement_id = m.id
        LEFT JOIN leads ON leads.movement_id = m.id
        WHERE m.stage <> 'retired' AND {condition}
        """,
        {"start": win.start, "live_day": win.live_from(win.start), "live_ts": _ts(win.live_from(win.start)), **params},
    )
    stage_names = dict(Stage.choices)
    shares, solo = [], []
    for title, slug, stage, total, founder, filled, by_others, leads in rows:
        total, founder = int(total), int(founder)
        link = Link(title, reverse("movement_analytics", kwargs={"slug": slug}))
        activity_share = _pct(total - founder, total)
        shares.append([link, str(stage_names.get(stage, stage)), total, activity_share, filled,
                       _pct(by_others, filled), leads])
        if total >= SOLO_MIN_ACTIVITY and founder >= SOLO_FOUNDER_SHARE * total:
            solo.append([link, total, _pct(founder, total), leads])
    # Least shared first; movements without activity in the range last.
    shares.sort(key=lambda row: (row[3] is None, row[3] if row[3] is not None else 0, row[0].text))
    solo.sort(key=lambda row: (-row[2], row[0].text))
    share_table = Table(
        "ownership", _("Ownership share"),
        [_("Movement"), _("Stage"), _("Activity rows in range"), _("Activity by others (%)"),
         _("Filled seats"), _("Seats held by others (%)"), _("Active leads")],
        shares,
    )
    if len(shares) > OWNERSHIP_ROWS_SHOWN:
        share_table.note = _("%(total)d movements, %(shown)d a page; the CSV has all of them.") % {
            "shown": OWNERSHIP_ROWS_SHOWN, "total": len(shares)}
    solo_table = Table("solo_projects", _("Solo projects that need help"),
                       [_("Movement"), _("Activity rows in range"), _("Done by the founder (%)"), _("Active leads")], solo)
    return {"ownership": share_table, "solo": solo_table}


def pilots_overdue(*, win: Window, node: DepartmentNode) -> Table:
    """Pilots past their end date without a decision: stage piloting and pilot_end before today. One query.

    (Extending a pilot moves its end date, so an extended pilot is not overdue.)
    """
    movements = Movement.objects.filter(stage=Stage.PILOTING, pilot_end__lt=win.today)
    if node.id is not None:
        movements = movements.filter(founder__department__path__startswith=node.path)
    table = Table("pilots_overdue", _("Pilots past their end date without a decision"),
                  [_("Movement"), _("Pilot ended"), _("Days overdue")])
    for title, slug, pilot_end in movements.order_by("pilot_end", "title").values_list("title", "slug", "pilot_end"):
        table.rows.append([Link(title, reverse("movement_analytics", kwargs={"slug": slug})),
                           pilot_end.isoformat(), (win.today - pilot_end).days])
    return table


# --- Feedback ----------------------------------------------------------------------------------


def _feedback_filter(node: DepartmentNode) -> tuple[str, dict]:
    # Anonymous posts have no author: they count in the whole organisation's totals only and are
    # never tied to a department (the author filter leaves them out).
    return _department_filter("f.author_id", node)


def feedback_weekly(*, win: Window, node: DepartmentNode) -> Table:
    """What Works vs What Doesn't posted per week (weeks start on Monday, UTC), hidden posts left out. One query."""
    condition, params = _feedback_filter(node)
    rows = _fetch(
        f"""
        SELECT date_trunc('week', f.created_at AT TIME ZONE 'UTC')::date,
               count(*) FILTER (WHERE f.kind = 'works'), count(*) FILTER (WHERE f.kind = 'doesnt')
        FROM feedback_feedback f
        WHERE f.created_at >= %(start)s AND f.hidden_at IS NULL AND {condition}
        GROUP BY 1
        """,
        {"start": _ts(win.start), **params},
    )
    by_week = {week: (works, doesnt) for week, works, doesnt in rows}
    table = Table("feedback_weekly", _("What Works and What Doesn't per week"),
                  [_("Week starting"), _("What Works"), _("What Doesn't")])
    week = win.start - dt.timedelta(days=win.start.weekday())
    while week <= win.today:
        works, doesnt = by_week.get(week, (0, 0))
        table.rows.append([week.isoformat(), works, doesnt])
        week += dt.timedelta(days=7)
    return table


def feedback_answers(*, win: Window, node: DepartmentNode) -> Table:
    """Posts in the range, how many got an official answer, and how fast. One query.

    share answered = posts (not hidden) created in the range with a first official answer / all of them;
    time to first answer = first_answered_at minus created_at, median over the answered posts.
    """
    condition, params = _feedback_filter(node)
    (total, answered, median), = _fetch(
        f"""
        SELECT count(*), count(f.first_answered_at),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM f.first_answered_at - f.created_at))
        FROM feedback_feedback f
        WHERE f.created_at >= %(start)s AND f.hidden_at IS NULL AND {condition}
        """,
        {"start": _ts(win.start), **params},
    )
    table = Table("feedback_answers", _("Official answers"), [_("Metric"), _("Value")])
    table.rows = [
        [_("Posts in the range"), total],
        [_("Answered officially"), answered],
        [_("Share answered (%)"), _pct(answered, total)],
        [_("Median days to the first official answer"), _days(median)],
    ]
    return table


def unresolved_doesnt(*, node: DepartmentNode, limit: int = 10) -> Table:
    """Top unresolved What Doesn't by votes: status new/acknowledged/planned/in progress, not hidden, any age. One query."""
    posts = Feedback.objects.filter(kind=Kind.DOESNT, status__in=UNRESOLVED_STATUSES, hidden_at__isnull=True)
    if node.id is not None:
        posts = posts.filter(author__department__path__startswith=node.path)
    table = Table("unresolved_doesnt", _("Top unresolved “What Doesn't” by votes"),
                  [_("Post"), _("Votes"), _("Status"), _("Posted")])
    statuses = dict(Feedback._meta.get_field("status").choices)
    for pk, title, votes, status, created_at in posts.order_by("-vote_count", "created_at", "pk").values_list(
        "pk", "title", "vote_count", "status", "created_at"
    )[:limit]:
        table.rows.append([Link(title, reverse("feedback:detail", kwargs={"pk": pk})),
                           votes, str(statuses.get(status, status)), created_at.date().isoformat()])
    return table


# --- The whole page ----------------------------------------------------------------------------


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

    @property
    def tables(self) -> dict[str, Table]:
        tables = [
            self.participation["summary"], self.participation["by_department"], self.daily_active,
            self.movements["funnel"], self.movements["tipping"], self.ownership["ownership"], self.ownership["solo"],
            self.pilots_overdue, self.feedback_weekly, self.feedback_answers, self.unresolved_doesnt,
        ]
        return {table.name: table for table in tables}


def dashboard(*, days: int, department_id: int | None, today: dt.date | None = None, use_rollups: bool = True) -> Dashboard:
    """Everything /dashboards/ shows. Queries (fixed): rollup boundary, departments, people per department,
    daily active, funnel, ownership, overdue pilots, feedback per week, answers, unresolved posts."""
    rollup_until = rolled_through() if use_rollups else None
    win = window(days=days, today=today, rollup_until=rollup_until)
    org = organisation(win=win)
    node = org.nodes.get(department_id) if department_id else org.root
    refused = department_id is not None and (node is None or not node.selectable)
    if refused:
        node = org.root
    return Dashboard(
        win=win, node=node, org=org, department_refused=refused,
        participation=participation(org=org, node=node),
        daily_active=daily_active(win=win, node=node),
        movements=movement_funnel(win=win, node=node),
        ownership=ownership(win=win, node=node),
        pilots_overdue=pilots_overdue(win=win, node=node),
        feedback_weekly=feedback_weekly(win=win, node=node),
        feedback_answers=feedback_answers(win=win, node=node),
        unresolved_doesnt=unresolved_doesnt(node=node),
    )


# --- One movement's analytics ------------------------------------------------------------------


def movement_for_analytics(*, user, slug: str) -> Movement | None:
    """The movement, if the person is staff or one of its active leads; else None (the view answers 404). One query."""
    movements = Movement.objects.select_related("founder")
    if not user.is_staff:
        movements = movements.filter(
            Q(memberships__person=user, memberships__is_lead=True, memberships__left_at__isnull=True)
        )
    return movements.filter(slug=slug).first()


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def movement_analytics(*, movement: Movement, today: dt.date | None = None, use_rollups: bool = True) -> dict:
    """Queries (fixed): rollup boundary, memberships with people, roles with seat counts, weekly activity,
    feedback counts, top feedback."""
    today = today or utc_today()
    created = movement.created_at.astimezone(dt.UTC).date()
    weeks = []
    week = _week_start(min(created, today))
    while week <= today:
        weeks.append(week)
        week += dt.timedelta(days=7)

    # Followers at the end of each week = members other than the founder who had joined and not yet left.
    memberships = list(
        Membership.objects.filter(movement=movement).select_related("person", "recruited_by").order_by("position")
    )
    followers = Table("followers", _("Followers over time"), [_("Week starting"), _("Followers at the end of the week")])
    for week in weeks:
        week_end = _ts(week + dt.timedelta(days=7))
        count = sum(
            1 for m in memberships
            if m.person_id != movement.founder_id and m.joined_at < week_end and (m.left_at is None or m.left_at >= week_end)
        )
        followers.rows.append([week.isoformat(), count])

    # Invitation chain: who recruited whom (recruited_by), starting from the founder.
    by_recruiter: dict[int | None, list[Membership]] = {}
    member_ids = {m.person_id for m in memberships}
    for m in memberships:
        if m.person_id == movement.founder_id:
            continue
        recruiter = m.recruited_by_id if m.recruited_by_id in member_ids else None
        by_recruiter.setdefault(recruiter, []).append(m)

    def chain(person_id: int, seen: frozenset) -> list[dict]:
        return [
            {"membership": m, "recruits": chain(m.person_id, seen | {m.person_id}) if m.person_id not in seen else []}
            for m in by_recruiter.get(person_id, [])
        ]

    founder_chain = chain(movement.founder_id, frozenset({movement.founder_id}))
    self_joined = [{"membership": m, "recruits": chain(m.person_id, frozenset({m.person_id}))}
                   for m in by_recruiter.get(None, [])]
    chain_table = Table("invitation_chain", _("Invitation chain"),
                        [_("Join order"), _("Member"), _("Recruited by"), _("Joined"), _("Left")])
    for m in memberships:
        chain_table.rows.append([m.position, m.person.name, m.recruited_by.name if m.recruited_by else "",
                                 m.joined_at.date().isoformat(), m.left_at.date().isoformat() if m.left_at else ""])

    # Seats: filled = role assignments now; held by others = assignments to someone other than the founder.
    roles = list(
        Role.objects.filter(movement=movement)
        .annotate(filled=Count("assignments"),
                  by_others=Count("assignments", filter=~Q(assignments__person_id=movement.founder_id)))
        .order_by("created_at", "pk")
    )
    seats = Table("seats", _("Seats filled"), [_("Role"), _("Seats"), _("Filled"), _("Held by others than the founder")])
    seats.rows = [[role.name, role.seats, role.filled, role.by_others] for role in roles]

    # Ownership share per week = activity rows about the movement whose actor is not the founder / all its rows.
    win = window(days=(today - weeks[0]).days + 1, today=today, rollup_until=rolled_through() if use_rollups else None)
    rows = _fetch(
        """
        SELECT week, sum(actions), sum(founder_actions) FROM (
            SELECT date_trunc('week', day)::date AS week, actions, founder_actions
            FROM dashboards_dailymovementactivity
            WHERE movement_id = %(movement)s AND day >= %(start)s AND day < %(live_day)s
            UNION ALL
            SELECT date_trunc('week', created_at AT TIME ZONE 'UTC')::date, 1,
                   CASE WHEN actor_id = %(founder)s THEN 1 ELSE 0 END
            FROM activity_activity WHERE movement_id = %(movement)s AND created_at >= %(live_ts)s
        ) x GROUP BY week
        """,
        {"movement": movement.pk, "founder": movement.founder_id, "start": weeks[0],
         "live_day": win.live_from(weeks[0]), "live_ts": _ts(win.live_from(weeks[0]))},
    )
    by_week = {week: (int(total), int(founder)) for week, total, founder in rows}
    share = Table("ownership_over_time", _("Ownership share over time"),
                  [_("Week starting"), _("Activity rows"), _("Done by others (%)")])
    for week in weeks:
        total, founder = by_week.get(week, (0, 0))
        share.rows.append([week.isoformat(), total, _pct(total - founder, total)])

    # Its feedback: counts by kind and status (anonymous posts included, tied to no one), then the top posts.
    posts = Feedback.objects.filter(movement=movement, hidden_at__isnull=True)
    counts = posts.aggregate(
        works=Count("pk", filter=Q(kind=Kind.WORKS)),
        doesnt=Count("pk", filter=Q(kind=Kind.DOESNT)),
        unresolved=Count("pk", filter=Q(status__in=UNRESOLVED_STATUSES)),
        answered=Count("pk", filter=Q(first_answered_at__isnull=False)),
    )
    feedback = Table("movement_feedback", _("Its feedback"), [_("Post"), _("Kind"), _("Status"), _("Votes"), _("Posted")])
    kinds = dict(Kind.choices)
    statuses = dict(Feedback._meta.get_field("status").choices)
    for pk, title, kind, status, votes, created_at in posts.order_by("-vote_count", "-created_at").values_list(
        "pk", "title", "kind", "status", "vote_count", "created_at"
    )[:20]:
        feedback.rows.append([Link(title, reverse("feedback:detail", kwargs={"pk": pk})), str(kinds[kind]),
                              str(statuses.get(status, status)), votes, created_at.date().isoformat()])

    return {
        "movement": movement,
        "followers": followers,
        "follower_now": followers.rows[-1][1] if followers.rows else 0,
        "founder_chain": founder_chain,
        "self_joined": self_joined,
        "invitation_chain": chain_table,
        "seats": seats,
        "ownership_over_time": share,
        "feedback_counts": counts,
        "feedback": feedback,
        "tables": {t.name: t for t in (followers, chain_table, seats, share, feedback)},
    }
