"""Template filters for numbers in the reader's language (a builtin library: no {% load %} needed).

{{ share|percent }}                       42.5 -> "42.5%" in English, "42,5 %" in German
{% percent_of part whole %}               2 of 6 -> "33%" (rounded to a whole percent)
"""

from django import template

from . import l10n

register = template.Library()


@register.filter
def percent(value) -> str:
    if value is None or value == "":
        return ""
    return l10n.percent(value)


@register.simple_tag
def percent_of(part, whole) -> str:
    if not whole:
        return ""
    return l10n.percent(round(100 * part / whole))
