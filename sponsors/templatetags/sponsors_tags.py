"""How the movement page shows its sponsors without movements importing this app: through the template layer."""

from django import template

from ..selectors import movement_sponsors as movement_sponsors_context

register = template.Library()


@register.inclusion_tag("sponsors/movement_column.html", takes_context=True)
def movement_sponsors(context, movement, viewer, viewer_is_lead: bool = False) -> dict:
    """The sponsors with their endorsement lines, the sanction, the latest requests for help (three queries)."""
    return {
        **movement_sponsors_context(movement=movement, viewer=viewer, viewer_is_lead=bool(viewer_is_lead)),
        "csrf_token": context.get("csrf_token"),
    }
