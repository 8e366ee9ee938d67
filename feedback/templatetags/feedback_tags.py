"""How other apps' pages show feedback without importing this app: through the template layer."""

from django import template

from ..selectors import feedback_for_movement

register = template.Library()


@register.inclusion_tag("feedback/movement_column.html")
def movement_feedback(movement, viewer, limit: int = 5) -> dict:
    """The movement page's "What people say": works beside doesn't, most "me too" first (two queries)."""
    return {"movement": movement, **feedback_for_movement(person=viewer, movement=movement, limit=limit)}
