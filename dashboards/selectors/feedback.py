"""Feedback: works vs doesn't per week, official answers, top unresolved "doesn't"."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from feedback.models import UNRESOLVED_STATUSES, Feedback, Kind

from ..exports import Table
from .common import (
    Link,
    Window,
    _days,
    _fetch,
    _pct,
    _ts,
)
from .people import DepartmentNode, _department_filter


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
    table = Table(
        "feedback_weekly",
        _("What Works and What Doesn't per week"),
        [_("Week starting"), _("What Works"), _("What Doesn't")],
    )
    week = win.start - dt.timedelta(days=win.start.weekday())
    while week <= win.today:
        works, doesnt = by_week.get(week, (0, 0))
        table.rows.append([week, works, doesnt])
        week += dt.timedelta(days=7)
    return table


def feedback_answers(*, win: Window, node: DepartmentNode) -> Table:
    """Posts in the range, how many got an official answer, and how fast. One query.

    share answered = posts (not hidden) created in the range with a first official answer / all of them;
    time to first answer = first_answered_at minus created_at, median over the answered posts.
    """
    condition, params = _feedback_filter(node)
    ((total, answered, median),) = _fetch(
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
    table = Table(
        "unresolved_doesnt",
        _("Top unresolved “What Doesn't” by votes"),
        [_("Post"), _("Votes"), _("Status"), _("Posted")],
    )
    statuses = dict(Feedback._meta.get_field("status").choices)
    for pk, title, votes, status, created_at in posts.order_by("-vote_count", "created_at", "pk").values_list(
        "pk", "title", "vote_count", "status", "created_at"
    )[:limit]:
        table.rows.append(
            [
                Link(title, reverse("feedback:detail", kwargs={"pk": pk})),
                votes,
                str(statuses.get(status, status)),
                created_at.date(),
            ]
        )
    return table
