"""Template tags the pages of the apps below use to show conversation parts (the Watch button)."""

from django import template

from ..views import watch_button_context

register = template.Library()


@register.inclusion_tag("conversation/_watch_button.html", takes_context=True)
def watch_button(context, item) -> dict:
    """The Watch button with its state: one query (is the person watching this item?)."""
    return watch_button_context(context["request"], item)
