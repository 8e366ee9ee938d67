"""How the movement page shows its sponsors without movements importing this app: through the template layer."""

from django import template

from socialbiz import fragments

from ..selectors import movement_sponsors as movement_sponsors_context

register = template.Library()


@register.inclusion_tag("sponsors/movement_column.html", takes_context=True)
def movement_sponsors(context, movement, viewer, viewer_is_lead: bool = False) -> dict:
    """The sponsors with their endorsement lines, the sanction, the latest requests for help (three queries)."""
    column = movement_sponsors_context(movement=movement, viewer=viewer, viewer_is_lead=bool(viewer_is_lead))
    # A page kept for many viewers: a sponsor, and a person asked to be one, see the column differently.
    fragments.note(context, people=column.pop("asked_ids"))
    return {**column, "csrf_token": context.get("csrf_token")}
