"""One movement's analytics, for its active leads and staff."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from feedback.models import UNRESOLVED_STATUSES, Feedback, Kind
from movements.models import Membership, Movement, Role, following_now
from movements.selectors import chain_bounded

from ..dates import utc_today
from ..exports import Table
from .common import (
    Link,
    _fetch,
    _pct,
    _ts,
    rolled_through,
    window,
)
from .nudges import movement_nudges

CHAIN_TABLE_ROWS = 50


def movement_for_analytics(*, user, slug: str) -> Movement | None:
    """The movement, if the person is staff or one of its active leads; else None (the view answers 404). One query."""
    movements = Movement.objects.select_related("founder")
    if not user.is_staff:
        movements = movements.filter(
            Q(memberships__person=user, memberships__is_lead=True) & following_now("memberships__")
        )
    return movements.filter(slug=slug).first()


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def movement_analytics(
    *,
    movement: Movement,
    today: dt.date | None = None,
    use_rollups: bool = True,
    full_chain: bool = False,
) -> dict:
    """Queries (fixed, whatever the movement's size): weekly joins and leaves, the chain (tree: from the cache
    until the movement's members change; members), the
    chain table's first rows (all of them only for its CSV export), roles with seat counts, rollup boundary,
    weekly activity, feedback counts, top feedback, nudges per kind."""
    today = today or utc_today()
    created = movement.created_at.astimezone(dt.UTC).date()
    weeks = []
    week = _week_start(min(created, today))
    while week <= today:
        weeks.append(week)
        week += dt.timedelta(days=7)

    # Followers at the end of each week = members other than the founder who had joined and not yet left:
    # joins and leaves counted per week in SQL, then summed up week by week.
    moves = _fetch(
        """
        SELECT 'j', date_trunc('week', joined_at AT TIME ZONE 'UTC')::date, count(*)
        FROM movements_membership WHERE movement_id = %(movement)s AND person_id <> %(founder)s GROUP BY 2
        UNION ALL
        SELECT 'l', date_trunc('week', left_at AT TIME ZONE 'UTC')::date, count(*)
        FROM movements_membership WHERE movement_id = %(movement)s AND person_id <> %(founder)s AND left_at IS NOT NULL
        GROUP BY 2
        """,
        {"movement": movement.pk, "founder": movement.founder_id},
    )
    followers = Table(
        "followers", _("Followers over time"), [_("Week starting"), _("Followers at the end of the week")]
    )
    for week in weeks:
        count = sum(n if tag == "j" else -n for tag, moved_week, n in moves if moved_week <= week)
        followers.rows.append([week, count])

    # Invitation chain: who recruited whom (recruited_by), starting from the founder, cut to a few recruits
    # per person and a few levels ("+N more"); people whose recruiter is not a member joined on their own.
    roots, self_joined_more = chain_bounded(movement=movement, include_left=True, orphans_to_founder=False)
    founder_node = next((node for node in roots if node.membership.position == 1), None)
    founder_chain = founder_node.children if founder_node else []
    founder_more = founder_node.more if founder_node else 0
    self_joined = [node for node in roots if node.membership.position != 1]
    chain_table = Table(
        "invitation_chain",
        _("Invitation chain"),
        [_("Join order"), _("Member"), _("Recruited by"), _("Joined"), _("Left")],
    )
    chain_rows = (
        Membership.objects.filter(movement=movement).select_related("person", "recruited_by").order_by("position")
    )
    for m in chain_rows if full_chain else chain_rows[:CHAIN_TABLE_ROWS]:
        chain_table.rows.append(
            [
                m.position,
                m.person.name,
                m.recruited_by.name if m.recruited_by else "",
                m.joined_at.date(),
                m.left_at.date() if m.left_at else "",
            ]
        )

    # Seats: filled = role assignments now; held by others = assignments to someone other than the founder.
    roles = list(
        Role.objects.filter(movement=movement)
        .annotate(
            filled=Count("assignments"),
            by_others=Count("assignments", filter=~Q(assignments__person_id=movement.founder_id)),
        )
        .order_by("created_at", "pk")
    )
    seats = Table(
        "seats", _("Seats filled"), [_("Role"), _("Seats"), _("Filled"), _("Held by others than the founder")]
    )
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
        {
            "movement": movement.pk,
            "founder": movement.founder_id,
            "start": weeks[0],
            "live_day": win.live_from(weeks[0]),
            "live_ts": _ts(win.live_from(weeks[0])),
        },
    )
    by_week = {week: (int(total), int(founder)) for week, total, founder in rows}
    share = Table(
        "ownership_over_time",
        _("Ownership share over time"),
        [_("Week starting"), _("Activity rows"), _("Done by others (%)")],
    )
    for week in weeks:
        total, founder = by_week.get(week, (0, 0))
        share.rows.append([week, total, _pct(total - founder, total)])

    # Its feedback: counts by kind and status (anonymous posts included, tied to no one), then the top posts.
    posts = Feedback.objects.filter(movement=movement, hidden_at__isnull=True)
    counts = posts.aggregate(
        works=Count("pk", filter=Q(kind=Kind.WORKS)),
        doesnt=Count("pk", filter=Q(kind=Kind.DOESNT)),
        unresolved=Count("pk", filter=Q(status__in=UNRESOLVED_STATUSES)),
        answered=Count("pk", filter=Q(first_answered_at__isnull=False)),
    )
    feedback = Table(
        "movement_feedback", _("Its feedback"), [_("Post"), _("Kind"), _("Status"), _("Votes"), _("Posted")]
    )
    kinds = dict(Kind.choices)
    statuses = dict(Feedback._meta.get_field("status").choices)
    for pk, title, kind, status, votes, created_at in posts.order_by("-vote_count", "-created_at").values_list(
        "pk", "title", "kind", "status", "vote_count", "created_at"
    )[:20]:
        feedback.rows.append(
            [
                Link(title, reverse("feedback:detail", kwargs={"pk": pk})),
                str(kinds[kind]),
                str(statuses.get(status, status)),
                votes,
                created_at.date(),
            ]
        )

    nudges = movement_nudges(movement=movement)

    return {
        "movement": movement,
        "followers": followers,
        "follower_now": followers.rows[-1][1] if followers.rows else 0,
        "founder_chain": founder_chain,
        "founder_more": founder_more,
        "self_joined": self_joined,
        "self_joined_more": self_joined_more,
        "chain_table_cut": not full_chain and len(chain_table.rows) == CHAIN_TABLE_ROWS,
        "invitation_chain": chain_table,
        "seats": seats,
        "ownership_over_time": share,
        "feedback_counts": counts,
        "feedback": feedback,
        "nudges": nudges,
        "tables": {t.name: t for t in (followers, chain_table, seats, share, feedback, nudges)},
    }
