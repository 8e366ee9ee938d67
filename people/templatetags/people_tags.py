from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def password_login_enabled() -> bool:
    return settings.PASSWORD_LOGIN_ENABLED


def avatar_html(person, classes: str = "") -> str:
    """A person's picture in a fixed-size circle, or their initials when they have none (decorative: the name
    is always written beside it)."""
    css = f"avatar {classes}".strip()
    if person.avatar_version:
        url = reverse("people:avatar", kwargs={"pk": person.pk, "version": person.avatar_version})
        return format_html(
            '<span class="{} has-picture" aria-hidden="true"><img src="{}" alt="" width="48" height="48" '
            'loading="lazy" decoding="async"></span>',
            css,
            url,
        )
    return format_html('<span class="{}" aria-hidden="true">{}</span>', css, person.initials)


@register.simple_tag
def avatar(person, classes: str = "") -> str:
    return avatar_html(person, classes)
