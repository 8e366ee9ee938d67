"""@mentions: the syntax, who a handle names, and mentions turned into links.

A mention is `@` and a colleague's handle, the part of their email address before the `@`
(`@ana.lopez` for ana.lopez@example.com), typed by hand or picked from the suggestions. `@` right after a
letter or digit is part of an address, not a mention. A handle that names nobody, or more than one active
person, stays plain text. Links are made when the page is rendered, never stored, so they always follow the
directory; the notifications are the conversation app's (conversation/mentions.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape, format_html, linebreaks

from .models import User

MENTION = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9])?)")
# More distinct handles than this in one text are not even looked up (a paste of 10,000 @s costs one small query).
HANDLES_LOOKED_UP = 100
_SKIP_INSIDE = ("a", "code", "pre")
_TAG = re.compile(r"(<[^>]*>)")


def handles_in(text: str) -> list[str]:
    """The distinct handles in the order they first appear, lower-cased."""
    seen: dict[str, None] = {}
    for match in MENTION.finditer(text or ""):
        seen.setdefault(match.group(1).lower(), None)
        if len(seen) >= HANDLES_LOOKED_UP:
            break
    return list(seen)


def people_for(handles: Iterable[str]) -> dict[str, User]:
    """Handle -> the one active person it names (one query; ambiguous or unknown handles are left out)."""
    handles = list(dict.fromkeys(h.lower() for h in handles))[:HANDLES_LOOKED_UP]
    if not handles:
        return {}
    match = Q()
    for handle in handles:
        match |= Q(email__istartswith=f"{handle}@")
    found: dict[str, list[User]] = {}
    for person in User.objects.filter(match, is_active=True).select_related("department"):
        handle = person.email.rsplit("@", 1)[0].lower()
        if handle in handles:
            found.setdefault(handle, []).append(person)
    return {handle: people[0] for handle, people in found.items() if len(people) == 1}


def people_in(texts: Iterable[str]) -> dict[str, User]:
    """Everyone mentioned in these texts (a page's comments), in one query."""
    handles: dict[str, None] = {}
    for text in texts:
        handles.update(dict.fromkeys(handles_in(text)))
    return people_for(handles)


def handle_of(person: User) -> str:
    return person.email.rsplit("@", 1)[0].lower()


def person_url(person: User) -> str:
    """Where a mention leads: the colleague's page (portal app, reversed by name: people sits below it)."""
    return reverse("person", args=[person.pk])


def _link(match: re.Match, people: dict[str, User]) -> str:
    person = people.get(match.group(1).lower())
    if person is None:
        return match.group(0)
    return format_html(
        '<a class="mention" href="{}" title="{}">@{}</a>', person_url(person), match.group(0), person.name
    )


def link_mentions_in_html(html: str, people: dict[str, User]) -> str:
    """Turn mentions in the text of safe HTML into links, leaving links, code and tags alone."""
    if not people:
        return html
    out, skipping = [], 0
    for part in _TAG.split(html):
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if name and name.group(1).lower() in _SKIP_INSIDE and not part.endswith("/>"):
                skipping += -1 if part.startswith("</") else 1
                skipping = max(skipping, 0)
            out.append(part)
        elif skipping:
            out.append(part)
        else:
            out.append(MENTION.sub(lambda m: _link(m, people), part))
    return "".join(out)


def plain_text_with_mentions(text: str, people: dict[str, User], *, paragraphs: bool = False) -> str:
    """Escaped plain text with its line breaks (like |linebreaksbr, or |linebreaks) and mentions as links."""
    html = linebreaks(escape(text)) if paragraphs else escape(text).replace("\r\n", "\n").replace("\n", "<br>")
    return link_mentions_in_html(html, people)
