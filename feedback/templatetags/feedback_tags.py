"""How other apps' pages show feedback without importing this app: through the template layer."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("feedback/movement_column.html")
def movement_feedback(movement, viewer, limit: int = 5) -> dict:
    """The movement page's "What people say": works beside doesn't, most "me too" first (two queries)."""
    return {"movement": movement, **selectors.feedback_for_movement(person=viewer, movement=movement, limit=limit)}


@register.simple_tag
def open_report_count() -> int:
    """For the header: base.html asks only when the person can moderate (one COUNT query)."""
    return selectors.open_report_count()
