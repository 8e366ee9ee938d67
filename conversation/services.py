"""Writes for watching. Watching is a person's own setting (like notification preferences): it records no event."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Watch, item_filter


@transaction.atomic
def watch_set(*, person, item, watching: bool) -> Watch:
    """The person's own choice: watch or stop watching. Sets the state asked for (never a toggle), so a
    stale second tab or a double click ends in the state the person saw on the button."""
    now = timezone.now()
    watch, created = Watch.objects.get_or_create(
        person=person, **item_filter(item), defaults={"watching": watching, "automatic": False, "changed_at": now}
    )
    if not created and (watch.watching != watching or watch.automatic):
        watch.watching, watch.automatic, watch.changed_at = watching, False, now
        watch.save(update_fields=["watching", "automatic", "changed_at"])
    return watch


def watch_automatically(*, person_ids: Iterable[int], item) -> None:
    """Start watching because of an action (posting, voting, commenting, joining). Someone who once
    stopped watching this item keeps their choice: existing rows are left as they are."""
    now = timezone.now()
    Watch.objects.bulk_create(
        [
            Watch(person_id=pk, automatic=True, created_at=now, changed_at=now, **item_filter(item))
            for pk in sorted(set(person_ids))
        ],
        ignore_conflicts=True,
    )


def watch_stop_automatic(*, person_id: int, item) -> None:
    """Leaving a movement ends the watch that joining started (a watch the person chose stays)."""
    Watch.objects.filter(person_id=person_id, automatic=True, watching=True, **item_filter(item)).update(
        watching=False, changed_at=timezone.now()
    )
