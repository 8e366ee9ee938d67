"""Reads behind the adoption dashboards. Set-based SQL: one query per section, never one per movement.

Every metric's definition is written next to its query (and repeated in the page help). Days are UTC
days; "the last N days" are the N days ending today, today included. Activity before the newest
rolled-up day is read from the daily rollups (dashboards.models); later days, always including
today, are computed live from the activity log. Both give the same figures (a test proves it); the
one difference by design: on rolled-up days, "active per day" counts a person in the department
they were in when the day was rolled up, not the one they are in now (and so does the active days
behind stickiness). Nudges are regrouped hourly per range, or live
when that has not run today (nudges.py says why).
"""

from .common import (
    DEFAULT_RANGE,
    OWNERSHIP_ROWS_SHOWN,
    RANGE_CHOICES,
    Link,
    Window,
    rolled_through,
    window,
)
from .feedback import feedback_answers, feedback_weekly, unresolved_doesnt
from .movement import movement_analytics, movement_for_analytics
from .movements import movement_funnel, ownership, pilots_overdue
from .nudges import movement_nudges, nudges_by_kind
from .organisation import MyOrganisation, my_organisation
from .overview import Dashboard, cache_key, dashboard, dashboard_for
from .people import DepartmentNode, Organisation, daily_active, organisation, participation

__all__ = [
    "DEFAULT_RANGE",
    "OWNERSHIP_ROWS_SHOWN",
    "RANGE_CHOICES",
    "Dashboard",
    "DepartmentNode",
    "Link",
    "MyOrganisation",
    "Organisation",
    "Window",
    "cache_key",
    "daily_active",
    "dashboard",
    "dashboard_for",
    "feedback_answers",
    "feedback_weekly",
    "movement_analytics",
    "movement_for_analytics",
    "movement_funnel",
    "movement_nudges",
    "my_organisation",
    "nudges_by_kind",
    "organisation",
    "ownership",
    "participation",
    "pilots_overdue",
    "rolled_through",
    "unresolved_doesnt",
    "window",
]
