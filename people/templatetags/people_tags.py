from django import template
from django.conf import settings
from django.utils.html import format_html

from socialbiz import idempotency

register = template.Library()


@register.simple_tag
def password_login_enabled() -> bool:
    return settings.PASSWORD_LOGIN_ENABLED


@register.simple_tag
def idempotency_field() -> str:
    """A create form's one-time key (socialbiz/idempotency.py): Back and Send again does not post twice."""
    return format_html('<input type="hidden" name="{}" value="{}">', idempotency.FIELD, idempotency.new_key())
