"""Nudges: sent, read rate and acted-on rate per kind, for the organisation or a department, and for one movement.

Not from daily rollups: a nudge's read_at and acted_on_at are set after it is sent (acted on up to
NUDGES_ACTED_ON_WITHIN_DAYS later, read whenever the person opens it), so a rollup written the night
after would go stale. Instead the hourly rollup task regroups the whole range for each range the page
offers (dashboards.models.NudgeFigures; 0.4-1.2 s at the large scale, too slow per request) and the
page reads those rows and says when they were computed; without a run for today's range (a new day
before the next run, or no beat) the same grouping runs live. A movement's nudges are few and read live
through the movement_id index.

Definitions (the same text is in the page help and the README):
sent          = nudges whose sent_at falls in the range (a cancelled nudge is never sent);
read rate     = of those, the share with read_at set (opened in the portal) / sent;
acted-on rate = of those, the share with acted_on_at set (the recipient did the suggested thing
                within NUDGES_ACTED_ON_WITHIN_DAYS of the nudge; nudges.services.nudges_mark_acted_on) / sent.
A nudge belongs to its recipient's current department.

Privacy: the people a kind reached form a group. A kind that reached fewer than K people in the
selection reads "fewer than K"; and within each department breakdown on the way down to the selected
department, the rule of privacy.py is applied per kind to the people reached, so comparing a
department with its parent never reveals the nudges of fewer than K people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from movements.models import Movement
from nudges.models import Kind

from ..exports import Table
from ..privacy import K_ANONYMITY, SUPPRESSED, hidden_groups
from .common import Window, _fetch, _pct, _ts
from .people import DepartmentNode, Organisation


@dataclass
class _Figures:
    people: int = 0
    sent: int = 0
    read: int = 0
    acted: int = 0

    def add(self, other: _Figures) -> None:
        self.people += other.people
        self.sent += other.sent
        self.read += other.read
        self.acted += other.acted


def _nudge_table(name: str, title: str) -> Table:
    return Table(name, title, [_("Kind"), _("Sent"), _("Read rate (%)"), _("Acted-on rate (%)")])


def _row(kind: str, figures: _Figures | None) -> list:
    label = str(Kind(kind).label)
    if figures is None:
        return [label, SUPPRESSED, SUPPRESSED, SUPPRESSED]
    return [label, figures.sent, _pct(figures.read, figures.sent), _pct(figures.acted, figures.sent)]


def _path_ids(node: DepartmentNode) -> list[int]:
    return [int(p) for p in node.path.strip("/").split("/") if p]


NUDGE_ROWS_SQL = """
    SELECT n.kind, u.department_id, count(DISTINCT n.recipient_id), count(*), count(n.read_at), count(n.acted_on_at)
    FROM nudges_nudge n JOIN people_user u ON u.id = n.recipient_id
    WHERE n.kind = ANY(%(kinds)s) AND n.sent_at >= %(start)s
    GROUP BY n.kind, u.department_id
"""


def nudge_rows(*, start: dt.date) -> list[tuple]:
    """(kind, department id, people, sent, read, acted) of the nudges sent since `start`. One query."""
    return _fetch(NUDGE_ROWS_SQL, {"kinds": list(Kind.values), "start": _ts(start)})


def nudges_by_kind(*, win: Window, org: Organisation, node: DepartmentNode) -> Table:
    """Sent, read rate and acted-on rate per kind of the nudges sent in the range. One query.

    The rows are grouped by kind and the recipient's department (people = distinct recipients): from
    the hourly run (services.nudge_figures_refresh) when it ran for this range today, else live (the
    live part of the query is skipped by PostgreSQL when the run is there); the department filter and
    the k-anonymity rule are applied to those groups here.
    """
    found = _fetch(
        f"""
        WITH run AS (
            SELECT days, computed_at FROM dashboards_nudgefiguresrun
            WHERE %(use_run)s AND days = %(days)s AND start = %(start_day)s
        )
        SELECT r.computed_at, f.kind, f.department_id, f.people, f.sent, f.read, f.acted
        FROM run r LEFT JOIN dashboards_nudgefigures f ON f.run_id = r.days
        UNION ALL
        SELECT NULL, live.* FROM ({NUDGE_ROWS_SQL}) live WHERE NOT EXISTS (SELECT 1 FROM run)
        """,
        {
            "use_run": win.rollup_until is not None,
            "days": win.days,
            "start_day": win.start,
            "kinds": list(Kind.values),
            "start": _ts(win.start),
        },
    )
    as_of = found[0][0] if found else None
    rows = [row[1:] for row in found if row[1] is not None]
    # direct[kind][department id or None] = figures of the people directly in that department.
    direct: dict[str, dict[int | None, _Figures]] = {}
    for kind, department_id, people, sent, read, acted in rows:
        key = department_id if department_id in org.nodes else None
        if key is None and org.unassigned_uncounted:
            continue  # the few people without a department are left out (Organisation.unassigned_uncounted)
        direct.setdefault(kind, {}).setdefault(key, _Figures()).add(_Figures(people, sent, read, acted))

    def subtree(kind: str, target: DepartmentNode) -> _Figures:
        total = _Figures()
        for department_id, figures in direct.get(kind, {}).items():
            if target.id is None or (department_id is not None and target.id in _path_ids(org.nodes[department_id])):
                total.add(figures)
        return total

    def shown(kind: str) -> bool:
        # The chain root -> ... -> selected department: each step must be shown in its parent's breakdown.
        chain = [org.root, *[org.nodes[pk] for pk in _path_ids(node) if pk in org.nodes]] if node.id else [org.root]
        if subtree(kind, org.root).people < K_ANONYMITY:
            return False
        for parent, child in zip(chain, chain[1:], strict=False):
            groups = {c.id: subtree(kind, c).people for c in parent.children}
            groups["direct"] = direct.get(kind, {}).get(parent.id, _Figures()).people
            hidden, all_hidden = hidden_groups(groups)
            if all_hidden or child.id in hidden:
                return False
        return subtree(kind, node).people >= K_ANONYMITY

    table = _nudge_table("nudges", _("Nudges per kind"))
    table.as_of = as_of
    hidden_any = False
    for kind in Kind.values:
        figures = subtree(kind, node)
        if not figures.sent:
            continue
        visible = shown(kind)
        hidden_any |= not visible
        table.rows.append(_row(kind, figures if visible else None))
    if hidden_any:
        table.note = _(
            "A kind that reached fewer than %(k)d people in this selection, or whose figures would reveal "
            "such a group, is hidden."
        ) % {"k": K_ANONYMITY}
    return table


def movement_nudges(*, movement: Movement) -> Table:
    """Its nudges' effect: the nudges about this movement sent so far, per kind. One query.

    Same definitions as nudges_by_kind, over every nudge about the movement since it started; a kind
    that reached fewer than K people reads "fewer than K" (no breakdown, so nothing to subtract).
    """
    rows = _fetch(
        """
        SELECT n.kind, count(DISTINCT n.recipient_id), count(*), count(n.read_at), count(n.acted_on_at)
        FROM nudges_nudge n
        WHERE n.movement_id = %(movement)s AND n.sent_at IS NOT NULL
        GROUP BY n.kind
        """,
        {"movement": movement.pk},
    )
    by_kind = {kind: _Figures(people, sent, read, acted) for kind, people, sent, read, acted in rows}
    table = _nudge_table("movement_nudges", _("Its nudges' effect"))
    hidden_any = False
    for kind in Kind.values:
        figures = by_kind.get(kind)
        if figures is None:
            continue
        visible = figures.people >= K_ANONYMITY
        hidden_any |= not visible
        table.rows.append(_row(kind, figures if visible else None))
    if hidden_any:
        table.note = _("A kind that reached fewer than %(k)d people is hidden.") % {"k": K_ANONYMITY}
    return table
