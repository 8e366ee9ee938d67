from datetime import timedelta

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from people.templatetags.people_tags import avatar_html

register = template.Library()


@register.filter
def timedelta_days(value: timedelta | None) -> str:
    """A duration as whole days, or hours when under a day: "3 days", "5 hours"."""
    if value is None:
        return ""
    if value.days >= 1:
        return ngettext("%(count)d day", "%(count)d days", value.days) % {"count": value.days}
    hours = int(value.total_seconds() // 3600)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


# The movement page shows up to ~200 people (members table, leads, invitation chain): rendered here in one
# pass each instead of one template include per person, which cost ~0.25 ms apiece.
@register.simple_tag
def person(membership, first_follower_limit: int) -> str:
    """A member's avatar initials and name, with a badge when their account is deactivated."""
    first = " first-follower" if 1 < membership.position <= first_follower_limit else ""
    left = (
        format_html(' <span class="badge">{}</span>', _("left the company")) if not membership.person.is_active else ""
    )
    return format_html("{} {}{}", avatar_html(membership.person, first.strip()), membership.person.name, left)


def chain_html(nodes, label) -> str:
    """An invitation chain (movements.selectors.ChainNode roots) as nested lists: label(node) for each
    person, then their recruits, then "+N more" for those not shown. Shared by the movement page and
    its analytics."""

    def render(level) -> str:
        items = []
        for node in level:
            children = render(node.children) if node.children else ""
            more = (
                format_html(
                    '<span class="muted chain-more">{}</span>',
                    ngettext("+%(counter)s more", "+%(counter)s more", node.more) % {"counter": node.more},
                )
                if node.more
                else ""
            )
            items.append(format_html("<li>{}{}{}</li>", label(node), children, more))
        return format_html('<ul class="chain">{}</ul>', mark_safe("".join(items)))

    return render(nodes)


@register.simple_tag
def chain_tree(nodes, first_follower_limit: int) -> str:
    """The movement page's chain: each person's avatar, marked founder or "joined on their own"."""
    founder, on_own = _("founder"), _("joined on their own")

    def label(node) -> str:
        membership = node.membership
        if membership.position == 1:
            note = format_html(' <span class="badge">{}</span>', founder)
        elif not membership.recruited_by_id:
            note = format_html(' <span class="muted">({})</span>', on_own)
        else:
            note = ""
        return format_html('<span class="chain-person">{}{}</span>', person(membership, first_follower_limit), note)

    return chain_html(nodes, label)
