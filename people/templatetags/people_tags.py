from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from socialbiz import idempotency

from .. import mentions

register = template.Library()


@register.simple_tag
def password_login_enabled() -> bool:
    return settings.PASSWORD_LOGIN_ENABLED


@register.simple_tag
def mentioned_people(*sources) -> dict:
    """Everyone @mentioned on a page, looked up in one query: `{% mentioned_people post.body comments as people %}`.
    Each source is a text, or an iterable of objects with a `body` (comments, updates), or of lists of them."""
    texts: list[str] = []
    for source in sources:
        if isinstance(source, str):
            texts.append(source)
        elif source:
            for item in source:
                # A list of lists (replies grouped by update) counts as its items.
                items = item if isinstance(item, list | tuple) else [item]
                texts.extend(getattr(one, "body", "") or "" for one in items)
    return mentions.people_in(texts)


@register.filter
def with_mentions(text: str, people: dict) -> str:
    """Plain text with its line breaks (like |linebreaksbr) and mentions as links to the person."""
    return mark_safe(mentions.plain_text_with_mentions(text or "", people or {}))  # escaped, then our own links


@register.filter
def html_with_mentions(html: str, people: dict) -> str:
    """Sanitised HTML (a post's body_html) with the mentions in its text as links."""
    return mark_safe(mentions.link_mentions_in_html(html or "", people or {}))  # nh3's output, plus our own links


@register.simple_tag
def idempotency_field() -> str:
    """A create form's one-time key (socialbiz/idempotency.py): Back and Send again does not post twice."""
    return format_html('<input type="hidden" name="{}" value="{}">', idempotency.FIELD, idempotency.new_key())


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
