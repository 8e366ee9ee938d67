"""Shared pieces of the dashboard selectors: the window, the rollup boundary, SQL helpers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connections
from django.db.models import Max

from socialbiz.replica import read_alias

from ..dates import DEFAULT_RANGE, RANGE_CHOICES, day_start, utc_today  # noqa: F401  (re-exported)
from ..models import RollupDay

# Solo project: the one rule of the product, movements.selectors.OwnershipShare.label (others did less than
# half of the activity, or hold less than half of the filled seats), applied to the range's activity.
# Movements with no activity at all in the range are left out of the list (they are dormant, not solo).
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


_ts = day_start  # the SQL parameters name a day by its start


def _fetch(sql: str, params: dict) -> list[tuple]:
    # The replica inside a view's replica_reads() block (socialbiz/replica.py), else the primary.
    with connections[read_alias()].cursor() as cursor:
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
