"""How the movement page and its analytics show the pilot without movements importing this app."""

from django import template

from .. import selectors
from ..charts import measure_chart

register = template.Library()


def measures_context(*, movement, viewer, viewer_is_lead: bool) -> dict:
    """Each measure with its chart, table and status (2 to 5 queries, see selectors.measure_reports)."""
    reports = selectors.measure_reports(movement=movement)
    window = selectors.pilot_window(movement)
    for report in reports:
        report.chart = measure_chart(report, start=window[0], end=window[1]) if window else None
    return {
        "movement": movement,
        "reports": reports,
        "window": window,
        "viewer_is_lead": bool(viewer_is_lead),
        "status_rule": selectors.STATUS_RULE,
    }


@register.inclusion_tag("pilots/movement_measures.html")
def pilot_measures(movement, viewer, viewer_is_lead=False) -> dict:
    return measures_context(movement=movement, viewer=viewer, viewer_is_lead=viewer_is_lead)
