from django import template

from feedback import selectors

register = template.Library()


@register.simple_tag
def open_report_count() -> int:
    """For the header: base.html asks only when the person can moderate (one COUNT query)."""
    return selectors.open_report_count()
