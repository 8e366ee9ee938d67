"""The dashboards' days: every figure counts whole UTC days, and the ranges people can pick."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

RANGE_CHOICES = (7, 28, 90, 365)
DEFAULT_RANGE = 28


def utc_today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC day as [start, end)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def day_start(day: dt.date) -> dt.datetime:
    return day_bounds(day)[0]
