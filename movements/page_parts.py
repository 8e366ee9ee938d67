"""The movement page's lower half (pilot measures and pulses, updates with their replies, the timeline,
sponsors, linked feedback), rendered once and kept in the cache under the movement's content version.

Database triggers bump `movement:<id>` in the same transaction as every write to what that half shows
(movements/migrations/0012 lists the tables), `people_names` with any change to a person's name, and
`movement_parts` with a TRUNCATE; the movement's own row is read on every request and is in the key. So
a cached part is never older than what the database holds for it (key-based expiry: nothing is deleted).

What differs between viewers is in the key too, so no one sees another's page: their standing (member,
lead, moderator), the day (measures and pulses are judged against today) and the time zone. Whoever sees
a part differently from everyone else (the author of an update or reply, a sponsor or a person asked to
be one, a person who answered the open pulse) is told by the part itself while it renders
(socialbiz.fragments.PartFacts); those facts are kept under the same version, and the viewer's id is in
the key only when the viewer is one of them. The moments shown as relative time ("5 minutes ago") are
facts too: each one's age, as naturaltime can read it, is in the key, so a relative date is exact.

Costs two cache round trips and one query (the versions) a view; the parts' own queries only on a miss.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.cache import cache
from django.utils import timezone, translation

from socialbiz import fragments, idempotency, versions

from .models import Movement

LOWER_PARTS = ("lower_measures", "lower_updates", "lower_timeline", "lower_columns")
TEMPLATE = "movements/detail.html"
FACTS_SHAPE = 1  # in the key: a deploy that changes what the facts hold never reads the old ones
_IDEMPOTENCY_INPUT = re.compile(rf'(<input type="hidden" name="{re.escape(idempotency.FIELD)}" value=")[^"]*(")')


def movement_row(movement: Movement) -> tuple:
    """Every column of the movement as loaded for this request (title, stage, pilot window, counts...) and
    whether it needs a lead: the parts show some of them, all are in the key."""
    return (
        *(getattr(movement, field.attname) for field in Movement._meta.concrete_fields),
        getattr(movement, "needs_lead", None),
    )


def _fresh_idempotency_keys(html: str) -> str:
    """A create form's one-time key is the viewer's own, new with each page (socialbiz/idempotency.py)."""
    return _IDEMPOTENCY_INPUT.sub(lambda match: f"{match.group(1)}{idempotency.new_key()}{match.group(2)}", html)


def render_lower(request, *, context: dict, lower_context: Callable[[], dict]) -> dict[str, str]:
    """{part name: html} for the page's lower half. `lower_context()` (movements.selectors.movement_lower)
    is called only when a part has to be rendered."""
    movement = context["movement"]
    viewer = request.user
    names = versions.read("movement_parts", "people_names", f"movement:{movement.pk}")
    standing = (
        context["viewer_membership"] is not None,
        bool(context["viewer_is_lead"]),
        bool(viewer.can_moderate),
    )
    now = timezone.now()
    rendered: dict[str, str] = {}

    def render() -> tuple[fragments.PartFacts, dict[str, str]]:
        facts = fragments.PartFacts()
        values = {
            **context,
            **lower_context(),
            fragments.PartFacts.CONTEXT_NAME: facts,
            "csrf_token": fragments.CSRF_PLACEHOLDER,
        }
        fragments.note(values, people=[u.author_id for u in values["updates"]])
        fragments.note(values, moments=[u.created_at for u in values["updates"]])
        parts = {part: fragments.render_part(TEMPLATE, part, values, request) for part in LOWER_PARTS}
        return facts, parts

    if names is None:  # no versions kept (SQLite): rendered every time
        _facts, rendered = render()
    else:
        scope = (
            movement.pk,
            names["movement_parts"],
            names["people_names"],
            names[f"movement:{movement.pk}"],
            movement_row(movement),
            standing,
        )
        day = (now.date(), timezone.localdate(now))
        shared = (
            TEMPLATE,
            fragments.source_digest(TEMPLATE),
            translation.get_language(),
            timezone.get_current_timezone_name(),
        )
        facts_key = f"movement-lower-facts:{FACTS_SHAPE}:{fragments.digest((*scope, day, *shared))}"
        facts = cache.get(facts_key)
        if facts is None:
            facts, rendered = render()
            cache.set(facts_key, facts, timeout=fragments.TIMEOUT_SECONDS)
        key = f"part:movement-lower:{fragments.digest((*scope, day, *shared, facts.key(viewer.pk, now)))}"
        if rendered:
            cache.set(key, rendered, timeout=fragments.TIMEOUT_SECONDS)
        else:
            rendered = cache.get(key)
            if rendered is None:
                again, rendered = render()
                # Filed under this key only if it shows the same people and moments the key was made from
                # (a write that commits between the versions' read and the render is on a newer version).
                if (again.people, again.moments) == (facts.people, facts.moments):
                    cache.set(key, rendered, timeout=fragments.TIMEOUT_SECONDS)
    return fragments.with_viewer_token(request, rendered, transform=_fresh_idempotency_keys)
