"""Movements: the stage funnel, time to first and third follower, ownership share, overdue pilots."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from movements.models import Movement, Stage
from movements.selectors import SOLO, OwnershipShare

from ..exports import Table
from .common import (
    OWNERSHIP_ROWS_SHOWN,
    Link,
    Window,
    _days,
    _fetch,
    _pct,
    _ts,
)
from .people import DepartmentNode, _department_filter


def movement_funnel(*, win: Window, node: DepartmentNode) -> dict:
    """Movements started in the range (by founders in the selected department). One query.

    started          = movements created in the range (every movement starts recruiting);
    reached piloting = of those, now piloting or adopted, or with a recorded change to piloting;
    adopted / retired = of those, whose current stage is adopted / retired;
    conversion       = reached piloting / started, and adopted / reached piloting;
    time to first / third follower = joined_at of join order 2 / join order 4 minus the movement's
                       created_at (people who left later still count), median over the movements
                       that reached it.
    sanctioned pilots / adoptions = movements (whenever started) now piloting / adopted with an official
                       sanction in force (sponsors.Sanction not withdrawn); counted in the same query.
    """
    condition, params = _department_filter("m.founder_id", node)
    sanctioned_condition, _same_params = _department_filter("s.founder_id", node)
    (
        (
            started,
            piloting,
            adopted,
            retired,
            first_n,
            first_median,
            third_n,
            third_median,
            sanctioned_pilots,
            sanctioned_adoptions,
        ),
    ) = _fetch(
        f"""
        WITH sanctioned AS (
            SELECT s.stage FROM movements_movement s
            WHERE s.stage IN ('piloting', 'adopted') AND {sanctioned_condition} AND EXISTS (
                SELECT 1 FROM sponsors_sanction x WHERE x.movement_id = s.id AND x.withdrawn_at IS NULL)
        )
        SELECT count(*),
               count(*) FILTER (WHERE m.stage IN ('piloting', 'adopted') OR EXISTS (
                   SELECT 1 FROM movements_stagechange sc WHERE sc.movement_id = m.id AND sc.to_stage = 'piloting')),
               count(*) FILTER (WHERE m.stage = 'adopted'),
               count(*) FILTER (WHERE m.stage = 'retired'),
               count(f1.id),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM f1.joined_at - m.created_at)),
               count(f3.id),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM f3.joined_at - m.created_at)),
               (SELECT count(*) FROM sanctioned s WHERE s.stage = 'piloting'),
               (SELECT count(*) FROM sanctioned s WHERE s.stage = 'adopted')
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
    tipping = Table(
        "tipping_point",
        _("Time to first and third follower"),
        [_("Milestone"), _("Movements that reached it"), _("Median days")],
    )
    tipping.rows = [
        [_("First follower"), first_n, _days(first_median)],
        [_("Third follower"), third_n, _days(third_median)],
    ]
    sanctioned = Table(
        "sanctioned", _("Officially sanctioned now"), [_("Stage"), _("Movements with an official sanction")]
    )
    sanctioned.rows = [[_("Piloting"), sanctioned_pilots], [_("Adopted"), sanctioned_adoptions]]
    return {
        "sanctioned_pilots": sanctioned_pilots,
        "sanctioned_adoptions": sanctioned_adoptions,
        "sanctioned": sanctioned,
        "started": started,
        "piloting": piloting,
        "adopted": adopted,
        "retired": retired,
        "first_median_days": _days(first_median),
        "third_median_days": _days(third_median),
        "funnel": funnel,
        "tipping": tipping,
    }


def _analytics_url():
    """slug -> the movement's analytics URL, reversed once (thousands of rows; slugs need no quoting)."""
    pattern = reverse("movement_analytics", kwargs={"slug": "SLUG"})
    return lambda slug: pattern.replace("SLUG", slug)


def ownership(*, win: Window, node: DepartmentNode) -> dict:
    """Ownership share of every movement not retired (founder in the selected department). One query.

    activity share by others = the movement's activity rows in the range whose actor is not the founder
                               (anonymous rows count as others) / all its activity rows in the range;
    seat share by others     = filled seats (role assignments, now) held by someone other than the founder
                               / all filled seats;
    active leads             = members now marked lead who have not left.
    Solo project: movements.selectors.OwnershipShare.label over the range (the product's one rule: others
    did less than half of the activity, or hold less than half of the filled seats); dormant movements
    (no activity in the range) are not listed.
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
    stage_names = {value: str(label) for value, label in Stage.choices}  # translated once, not per row
    url = _analytics_url()
    shares, solo = [], []
    for title, slug, stage, total, founder, filled, by_others, leads in rows:
        total, founder = int(total), int(founder)
        link = Link(title, url(slug))
        activity_share = _pct(total - founder, total)
        shares.append(
            [link, stage_names.get(stage, stage), total, activity_share, filled, _pct(by_others, filled), leads]
        )
        share = OwnershipShare(
            window_days=win.days,
            activity_total=total,
            activity_by_others=total - founder,
            seats_filled=int(filled),
            seats_by_others=int(by_others),
            active_leads=int(leads),
        )
        if total and share.label == SOLO:
            solo.append([link, total, _pct(founder, total), leads])
    # Least shared first; movements without activity in the range last.
    shares.sort(key=lambda row: (row[3] is None, row[3] if row[3] is not None else 0, row[0].text))
    solo.sort(key=lambda row: (-row[2], row[0].text))
    share_table = Table(
        "ownership",
        _("Ownership share"),
        [
            _("Movement"),
            _("Stage"),
            _("Activity rows in range"),
            _("Activity by others (%)"),
            _("Filled seats"),
            _("Seats held by others (%)"),
            _("Active leads"),
        ],
        shares,
    )
    if len(shares) > OWNERSHIP_ROWS_SHOWN:
        share_table.note = _("%(total)d movements, %(shown)d a page; the CSV has all of them.") % {
            "shown": OWNERSHIP_ROWS_SHOWN,
            "total": len(shares),
        }
    solo_table = Table(
        "solo_projects",
        _("Solo projects that need help"),
        [_("Movement"), _("Activity rows in range"), _("Done by the founder (%)"), _("Active leads")],
        solo,
        shown=OWNERSHIP_ROWS_SHOWN,
    )
    return {"ownership": share_table, "solo": solo_table}


def pilots_overdue(*, win: Window, node: DepartmentNode) -> Table:
    """Pilots past their end date without a decision: stage piloting and pilot_end before today. One query.

    (Extending a pilot moves its end date, so an extended pilot is not overdue.)
    """
    movements = Movement.objects.filter(stage=Stage.PILOTING, pilot_end__lt=win.today)
    if node.id is not None:
        movements = movements.filter(founder__department__path__startswith=node.path)
    table = Table(
        "pilots_overdue",
        _("Pilots past their end date without a decision"),
        [_("Movement"), _("Pilot ended"), _("Days overdue")],
        shown=OWNERSHIP_ROWS_SHOWN,
    )
    url = _analytics_url()
    for title, slug, pilot_end in movements.order_by("pilot_end", "title").values_list("title", "slug", "pilot_end"):
        table.rows.append([Link(title, url(slug)), pilot_end, (win.today - pilot_end).days])
    return table
