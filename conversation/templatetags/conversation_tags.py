"""Template tags the pages of the apps below use to show conversation parts (the Watch button)."""

from django import template

from socialbiz import fragments

from ..models import Reply
from ..views import watch_button_context

register = template.Library()


@register.inclusion_tag("conversation/_watch_button.html", takes_context=True)
def watch_button(context, item) -> dict:
    """The Watch button with its state: one query (is the person watching this item?)."""
    return watch_button_context(context["request"], item)


@register.simple_tag(takes_context=True)
def update_replies(context, updates) -> dict:
    """The replies to these updates that the person may see, by update id, in one query (+ their authors)."""
    ids = [update.pk for update in updates or ()]
    if not ids:
        return {}
    request = context["request"]
    by_update: dict[int, list] = {pk: [] for pk in ids}
    for reply in Reply.objects.shown_to(request.user).filter(update_id__in=ids).select_related("author"):
        reply.can_delete = reply.author_id == request.user.pk
        by_update[reply.update_id].append(reply)
    # A page kept for many viewers: its authors see Delete, and the replies' times read relatively.
    replies = [reply for shown in by_update.values() for reply in shown]
    fragments.note(
        context, people=[reply.author_id for reply in replies], moments=[reply.created_at for reply in replies]
    )
    return by_update


@register.filter
def replies_of(by_update: dict, update) -> list:
    return (by_update or {}).get(update.pk, [])
