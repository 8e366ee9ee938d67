from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from movements.templatetags.movements_tags import chain_html
from socialbiz import l10n

from ..selectors.common import Link

register = template.Library()


@register.simple_tag
def chain_list(nodes) -> str:
    """The analytics chain: each person's name, join order, join day, and whether they left."""
    left = _("left")

    def label(node) -> str:
        membership = node.membership
        return format_html(
            '<span class="chain-member">{}</span> <span class="muted">#{} · {}{}</span>',
            membership.person.name,
            membership.position,
            l10n.short_date(localtime(membership.joined_at)),
            f" · {left}" if membership.left_at else "",
        )

    return chain_html(nodes, label)


@register.simple_tag
def table_rows(rows, columns) -> str:
    """The body rows of a dashboard table: the first cell is the row's header, a Link cell a link, an
    empty cell a dash read out as "no value". In Python: a template loop over every cell was half the
    time of rendering the whole dashboard."""
    if not rows:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), _("Nothing to show for this selection."))
    no_value = format_html('<span aria-hidden="true">—</span><span class="visually-hidden">{}</span>', _("no value"))
    lines = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            if isinstance(cell, Link):
                inner = format_html('<a href="{}">{}</a>', cell.url, cell.text)
            elif cell is None:
                inner = no_value
            else:
                inner = conditional_escape(l10n.value(cell))
            cells.append(f'<th scope="row">{inner}</th>' if index == 0 else f"<td>{inner}</td>")
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n".join(lines))
