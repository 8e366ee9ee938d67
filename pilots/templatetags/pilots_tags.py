"""How the movement page and its analytics show the pilot without movements importing this app."""

from django import template

from socialbiz import fragments

from .. import selectors
from ..charts import measure_chart
from ..models import PulseRespondent

register = template.Library()


def measures_context(*, movement, viewer, viewer_is_lead: bool, viewer_is_member: bool = False) -> dict:
    """Each measure with its chart, table and status (1 to 5 queries, see selectors.measure_reports), and the
    pulses (1 to 3 queries, see selectors.pulse_overview)."""
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
        "viewer_is_member": bool(viewer_is_member),
        **selectors.pulse_overview(movement=movement, viewer=viewer),
    }


@register.inclusion_tag("pilots/movement_measures.html", takes_context=True)
def pilot_measures(context, movement, viewer, viewer_is_lead=False, viewer_is_member=False) -> dict:
    result = measures_context(
        movement=movement, viewer=viewer, viewer_is_lead=viewer_is_lead, viewer_is_member=viewer_is_member
    )
    if result["open_pulse"] is not None and context.get(fragments.PartFacts.CONTEXT_NAME) is not None:
        # A page kept for many viewers: who answered the open pulse reads "You have answered it" (one query).
        respondents = PulseRespondent.objects.filter(pulse=result["open_pulse"].pulse)
        fragments.note(context, people=respondents.values_list("person_id", flat=True))
    return result
