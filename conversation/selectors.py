"""Reads for watching: the button's state and who hears about an item."""

from __future__ import annotations

from django.db.models import Q

from people.mentions import handle_of
from people.models import User

from .models import Watch, item_filter


def is_watching(*, person, item) -> bool:
    if not person.is_authenticated:
        return False
    return Watch.objects.filter(person=person, watching=True, **item_filter(item)).exists()


def can_see_q(item, prefix: str = "") -> Q:
    """A filter on people (through `prefix`, e.g. "person__") who can see the item now: the same rule as
    Movement/Feedback.objects.visible_to, turned around so one query answers for everybody."""
    movement = item if item._meta.label == "movements.Movement" else item.movement
    rule = Q()
    if movement is not None and movement.department_id is not None:
        rule &= Q(**{f"{prefix}is_staff": True}) | Q(
            **{f"{prefix}department__path__startswith": movement.department.path}
        )
    if item._meta.label == "feedback.Feedback" and item.hidden_at is not None:
        rule &= Q(**{f"{prefix}is_staff": True}) | Q(**{f"{prefix}is_moderator": True})
    return rule & Q(**{f"{prefix}is_active": True})


def watcher_ids(*, item, exclude: set[int] | frozenset[int] = frozenset()) -> list[int]:
    """The people watching the item who can still see it, in id order, without `exclude` (the actor)."""
    return list(
        Watch.objects.active()
        .of_item(item)
        .filter(can_see_q(item, "person__"))
        .exclude(person_id__in=exclude)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )


def mention_candidates(*, words: str, limit: int = 8) -> list:
    """Active colleagues whose name or address matches, for the `@` suggestions (one query)."""
    if not words:
        return []
    people = (
        User.objects.filter(is_active=True)
        .filter(Q(display_name__icontains=words) | Q(email__istartswith=words))
        .select_related("department")
        .order_by("display_name", "email")[:limit]
    )
    return [(person, handle_of(person)) for person in people]
