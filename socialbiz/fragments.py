"""Rendered cards kept in the cache under a key made of everything they show (key-based expiry).

A list page renders 20 cards; the template engine spends most of a page's CPU on them. Each card's
key is a digest of every value it shows (title, counts, names, the relative date as it reads now, the
viewer's own vote, the page's query string, the language), so a write never has to find and delete
anything: changed content has a new key, and the old entry simply ages out. Nothing per session is
cached: the CSRF token is rendered as a placeholder and replaced with the viewer's token afterwards.

Costs one cache round trip (get_many) per list, plus one set_many for the cards that missed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

# Cards age out of the cache after a day unseen; a new look or text (a deploy) changes TEMPLATE_VERSION.
TIMEOUT_SECONDS = 60 * 60 * 24
CSRF_PLACEHOLDER = "csrf-token-of-the-viewer-0f6c2b"


def age_bucket(moment: datetime, now: datetime) -> int:
    """A value that changes exactly when `moment|naturaltime` can read differently: seconds under a
    minute, whole minutes under an hour, whole hours after that (naturaltime says "4 days, 3 hours ago").
    Cheaper than formatting naturaltime itself for every card's key."""
    age = int((now - moment).total_seconds())
    if age < 60:
        return age
    return age // 60 * 60 if age < 3600 else age // 3600 * 3600


def digest(values: Iterable[Any]) -> str:
    return hashlib.blake2b(repr(tuple(values)).encode(), digest_size=16).hexdigest()


def render_cards(
    request,
    items: list,
    *,
    template_name: str,
    name: str,
    shows: Callable[[Any], Iterable[Any]],
    extra: dict | None = None,
    vary_on_path: bool = True,
) -> None:
    """Set `item.card` to each item's rendered card, from the cache where its key is there.

    `shows(item)` lists every value the card displays; `extra` is context every card gets (it is part
    of the key too). The page's path and query string are in the key (cards may link with `{% querystring %}`)
    unless `vary_on_path` is False, for cards that do not depend on the page they are on.
    """
    if not items:
        return
    path = request.get_full_path() if vary_on_path else ""
    context_key = (template_name, translation.get_language(), path, sorted((extra or {}).items()))
    keys = {item.pk: f"card:{name}:{item.pk}:{digest((*context_key, *shows(item)))}" for item in items}
    found = cache.get_many(list(keys.values()))
    missing = {}
    template = get_template(template_name)
    for item in items:
        html = found.get(keys[item.pk])
        if html is None:
            # Our csrf_token sits above the context processors' one (Django pushes the dict last).
            context = {name: item, "csrf_token": CSRF_PLACEHOLDER, **(extra or {})}
            html = missing[keys[item.pk]] = str(template.render(context, request))
        item.card = html
    if missing:
        cache.set_many(missing, timeout=TIMEOUT_SECONDS)
    token = get_token(request)
    for item in items:
        item.card = mark_safe(item.card.replace(CSRF_PLACEHOLDER, token))  # noqa: S308 (rendered by our template)


def source_digest(template_name: str) -> str:
    """The template file's text (a deploy that changes the look changes every key made with it)."""
    return digest([get_template(template_name.split("#")[0]).template.source])


def render_part(template_name: str, part: str, context: dict, request) -> str:
    """One named partial of a template, as text to keep (its CSRF token is the placeholder in `context`)."""
    return str(get_template(f"{template_name}#{part}").render(context, request)).strip()


def with_viewer_token(request, parts: dict[str, str], transform: Callable[[str], str] | None = None) -> dict[str, str]:
    """Kept parts with the viewer's own CSRF token in place of the placeholder (and `transform` applied)."""
    token = get_token(request)
    return {
        part: mark_safe((transform or str)(html.replace(CSRF_PLACEHOLDER, token)))  # noqa: S308 (our template)
        for part, html in parts.items()
    }


def render_parts(
    request,
    *,
    name: str,
    template_name: str,
    partials: Iterable[str],
    shows: Iterable[Any],
    context: Callable[[], dict],
) -> dict[str, str]:
    """Named partials of one page, rendered together and kept under a digest of everything they show
    (`shows`), the language, the time zone and the template's text: {partial name: html}.

    `context()` is called only when the parts are not in the cache, so the queries that feed them are
    made only then. The CSRF token is a placeholder in the cache and the viewer's own in the result.
    """
    partials = list(partials)
    values = (
        template_name,
        source_digest(template_name),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        *shows,
    )
    key = f"part:{name}:{digest(values)}"
    found = cache.get(key)
    if found is None:
        # Our csrf_token sits above the context processors' one (Django pushes the dict last).
        values = {**context(), "csrf_token": CSRF_PLACEHOLDER}
        found = {part: render_part(template_name, part, values, request) for part in partials}
        cache.set(key, found, timeout=TIMEOUT_SECONDS)
    return with_viewer_token(request, found)


class PartFacts:
    """What a part rendered once for many viewers must add to its key, collected while it renders: the
    people who see it differently from everyone else (an author sees Edit, a sponsor sees Answer), and the
    moments it shows as relative time ("3 minutes ago"). The template tags of the apps that fill the part
    tell it through `note()`; the key then holds the viewer's id only when the viewer is one of those
    people, and each moment's age as naturaltime can read it, so a relative date is never stale."""

    CONTEXT_NAME = "part_facts"

    def __init__(self) -> None:
        self.people: set[int] = set()
        self.moments: list[datetime] = []
        self.deadlines: list[datetime] = []

    def key(self, viewer_id: int | None, now: datetime) -> tuple:
        return (
            viewer_id if viewer_id in self.people else 0,
            tuple(age_bucket(moment, now) for moment in self.moments),
            tuple(now <= deadline for deadline in self.deadlines),
        )

    def same_as(self, other: PartFacts) -> bool:
        return (self.people, self.moments, self.deadlines) == (other.people, other.moments, other.deadlines)


def note(
    context,
    *,
    people: Iterable[int] = (),
    moments: Iterable[datetime] = (),
    deadlines: Iterable[datetime] = (),
) -> None:
    """Tell the part being rendered (if it is kept for many viewers) whom it shows differently, which
    moments it shows relatively, and the deadlines at which it reads differently (a comment can be edited
    until...). A no-op outside such a part."""
    facts = context.get(PartFacts.CONTEXT_NAME)
    if facts is not None:
        facts.people.update(pk for pk in people if pk is not None)
        facts.moments.extend(moment for moment in moments if moment is not None)
        facts.deadlines.extend(deadline for deadline in deadlines if deadline is not None)


def render_shared_parts(
    request,
    *,
    name: str,
    template_name: str,
    partials: Iterable[str],
    scope: tuple | None,
    context: Callable[[PartFacts], dict],
    transform: Callable[[str], str] | None = None,
) -> dict[str, str]:
    """Named partials rendered once for every viewer who sees them alike: {partial name: html}.

    `scope` holds the content versions the parts are filed under and the viewer's standing (None: nothing is
    kept, everything rendered). `context(facts)` builds the context (its queries run only on a miss) and may
    note facts itself. The parts' facts (PartFacts) are kept under the scope, the parts under the scope and
    the facts as they apply to this viewer now. The day (local and UTC), language, time zone and template
    text are in both keys."""
    partials = list(partials)
    now = timezone.now()

    def render() -> tuple[PartFacts, dict[str, str]]:
        facts = PartFacts()
        values = {**context(facts), PartFacts.CONTEXT_NAME: facts, "csrf_token": CSRF_PLACEHOLDER}
        return facts, {part: render_part(template_name, part, values, request) for part in partials}

    if scope is None:
        _facts, rendered = render()
        return with_viewer_token(request, rendered, transform)
    shared = (
        *scope,
        now.date(),
        timezone.localdate(now),
        template_name,
        source_digest(template_name),
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )
    facts_key = f"part-facts:{name}:{digest(shared)}"
    facts = cache.get(facts_key)
    rendered = None
    if facts is None:
        facts, rendered = render()
        cache.set(facts_key, facts, timeout=TIMEOUT_SECONDS)
    key = f"part:{name}:{digest((*shared, facts.key(request.user.pk, now)))}"
    if rendered is not None:
        cache.set(key, rendered, timeout=TIMEOUT_SECONDS)
    else:
        rendered = cache.get(key)
        if rendered is None:
            again, rendered = render()
            # Filed under this key only if it shows the same people, moments and deadlines the key was made
            # from (a write that commits between the versions' read and the render is on a newer version).
            if again.same_as(facts):
                cache.set(key, rendered, timeout=TIMEOUT_SECONDS)
    return with_viewer_token(request, rendered, transform)
