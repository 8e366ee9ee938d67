from datetime import timedelta

from django import template
from django.utils.translation import ngettext

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
