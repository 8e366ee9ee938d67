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

from collections.abc import Callable

from socialbiz import fragments, idempotency, versions

from .models import Movement

LOWER_PARTS = ("lower_measures", "lower_updates", "lower_timeline", "lower_columns")
TEMPLATE = "movements/detail.html"


def movement_row(movement: Movement) -> tuple:
    """Every column of the movement as loaded for this request (title, stage, pilot window, counts...) and
    whether it needs a lead: the parts show some of them, all are in the key."""
    return (
        *(getattr(movement, field.attname) for field in Movement._meta.concrete_fields),
        getattr(movement, "needs_lead", None),
    )


def render_lower(request, *, context: dict, lower_context: Callable[[], dict]) -> dict[str, str]:
    """{part name: html} for the page's lower half. `lower_context()` (movements.selectors.movement_lower)
    is called only when a part has to be rendered."""
    movement = context["movement"]
    names = versions.read("movement_parts", "people_names", f"movement:{movement.pk}")
    scope = None
    # Not kept: where no versions are kept (SQLite), and an update form sent back with its errors.
    if names is not None and not context["update_form"].is_bound:
        scope = (
            movement.pk,
            names["movement_parts"],
            names["people_names"],
            names[f"movement:{movement.pk}"],
            movement_row(movement),
            # The viewer's standing: the update form, lead links, hidden replies.
            context["viewer_membership"] is not None,
            bool(context["viewer_is_lead"]),
            bool(request.user.can_moderate),
        )

    def full_context(facts: fragments.PartFacts) -> dict:
        values = {**context, **lower_context()}
        # Their authors see Edit on their updates; the updates' times read relatively.
        fragments.note(
            {fragments.PartFacts.CONTEXT_NAME: facts},
            people=[update.author_id for update in values["updates"]],
            moments=[update.created_at for update in values["updates"]],
        )
        return values

    return fragments.render_shared_parts(
        request,
        name="movement-lower",
        template_name=TEMPLATE,
        partials=LOWER_PARTS,
        scope=scope,
        context=full_context,
        transform=idempotency.fresh_keys,
    )
