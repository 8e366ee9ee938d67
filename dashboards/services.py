"""Writes of the dashboards app: the daily rollups of the activity log.

Rollups are bookkeeping, not something a person did, so they write no activity row.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from activity.models import Activity

from .dates import RANGE_CHOICES, day_bounds, utc_today
from .models import (
    DailyActivePerson,
    DailyDepartmentActive,
    DailyMovementActivity,
    NudgeFigures,
    NudgeFiguresRun,
    PersonLastActive,
    RollupDay,
)
from .selectors.nudges import nudge_rows

# Complete days re-rolled on every run, so rows written just after midnight for the day before still count.
REROLL_DAYS = 2
# Rolling up more days than this at once (the first run, or after an outage) ends with a VACUUM.
BACKFILL_DAYS = 7


@transaction.atomic
def rollup_day(*, day: dt.date) -> None:
    """Recompute one UTC day's rollup rows from the activity log (idempotent: replaces that day)."""
    if day >= utc_today():
        raise ValueError("Only complete days are rolled up; today is always computed live.")
    start, end = day_bounds(day)
    DailyActivePerson.objects.filter(day=day).delete()
    DailyMovementActivity.objects.filter(day=day).delete()
    DailyDepartmentActive.objects.filter(day=day).delete()
    with connection.cursor() as cursor:
        # Active person on a day = the person has at least one activity row that UTC day.
        cursor.execute(
            f"""
            INSERT INTO {DailyActivePerson._meta.db_table} (day, person_id, actions)
            SELECT %s, actor_id, count(*) FROM {Activity._meta.db_table}
            WHERE created_at >= %s AND created_at < %s AND actor_id IS NOT NULL
            GROUP BY actor_id
            """,
            [day, start, end],
        )
        # Activity about a movement that day; founder_actions = rows whose actor is the movement's founder.
        cursor.execute(
            f"""
            INSERT INTO {DailyMovementActivity._meta.db_table} (day, movement_id, actions, founder_actions)
            SELECT %s, a.movement_id, count(*), count(*) FILTER (WHERE a.actor_id = m.founder_id)
            FROM {Activity._meta.db_table} a JOIN movements_movement m ON m.id = a.movement_id
            WHERE a.created_at >= %s AND a.created_at < %s
            GROUP BY a.movement_id
            """,
            [day, start, end],
        )
        # Active people that day per department; deactivated accounts are left out, as on the dashboard.
        cursor.execute(
            f"""
            INSERT INTO {DailyDepartmentActive._meta.db_table} (day, department_id, people)
            SELECT %s, u.department_id, count(*)
            FROM {DailyActivePerson._meta.db_table} d JOIN people_user u ON u.id = d.person_id
            WHERE d.day = %s AND u.is_active
            GROUP BY u.department_id
            """,
            [day, day],
        )
        cursor.execute(
            f"""
            INSERT INTO {PersonLastActive._meta.db_table} (person_id, day)
            SELECT person_id, day FROM {DailyActivePerson._meta.db_table} WHERE day = %s
            ON CONFLICT (person_id) DO UPDATE SET day = GREATEST({PersonLastActive._meta.db_table}.day, EXCLUDED.day)
            """,
            [day],
        )
    RollupDay.objects.update_or_create(day=day)


def rollup_pending(*, today: dt.date | None = None) -> list[dt.date]:
    """Roll up every complete day not done yet (in order, so coverage stays contiguous), plus the last few again.

    Returns the days it rolled up. Each day is its own transaction: a crash part-way keeps the days done.
    """
    today = today or utc_today()
    last = RollupDay.objects.order_by("-day").values_list("day", flat=True).first()
    if last is None:
        first_activity = Activity.objects.order_by("created_at").values_list("created_at", flat=True).first()
        if first_activity is None:
            return []
        start = first_activity.astimezone(dt.UTC).date()
    else:
        start = min(last + dt.timedelta(days=1), today - dt.timedelta(days=REROLL_DAYS))
    days = [start + dt.timedelta(days=n) for n in range((today - start).days)]
    for day in days:
        rollup_day(day=day)
    if len(days) > BACKFILL_DAYS and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # A backfill rewrote each person's last-active row once per day: hundreds of dead row versions
        # per live one, and /dashboards/ read 6x the pages (a plain VACUUM keeps them). The table has
        # one row per person, so rewriting it takes milliseconds.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (FULL, ANALYZE) {PersonLastActive._meta.db_table}")
            for model in (DailyActivePerson, DailyMovementActivity, DailyDepartmentActive):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return days


@transaction.atomic
def nudge_figures_refresh(*, today: dt.date | None = None) -> int:
    """Recompute the nudge figures of every range the dashboard offers (dashboards.models.NudgeFigures).
    Returns the rows written. Runs after each hourly rollup."""

    today = today or utc_today()
    now = timezone.now()
    written = 0
    NudgeFiguresRun.objects.all().delete()
    for days in RANGE_CHOICES:
        start = today - dt.timedelta(days=days - 1)
        run = NudgeFiguresRun.objects.create(days=days, start=start, computed_at=now)
        rows = [
            NudgeFigures(
                run=run, kind=kind, department_id=department_id, people=people, sent=sent, read=read, acted=acted
            )
            for kind, department_id, people, sent, read, acted in nudge_rows(start=start)
        ]
        written += len(NudgeFigures.objects.bulk_create(rows))
    return written
