"""Reads that feed the nudges pages, the bell and the operations command."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from .messages import action_path, headline
from .models import ALWAYS_IN_APP, PERSON_KINDS, NotificationPreference, Nudge


def unread_count(*, person) -> int:
    return Nudge.objects.in_app_for(person).unread().count()


def notifications_page(*, person, page_number) -> Page:
    """A page of the person's notifications, newest first, each with its headline and link.

    Queries: the count for the paginator, the page of nudges with movement, feedback and the other person.
    """
    nudges = (
        Nudge.objects.in_app_for(person)
        .select_related("movement", "feedback", "subject_person")
        .order_by("-sent_at", "-pk")
    )
    page = Paginator(nudges, 20).get_page(page_number)
    for nudge in page.object_list:
        nudge.headline = headline(nudge)
        nudge.link = action_path(nudge)
    return page


def preferences_for(*, person) -> list[dict]:
    """Every kind with the person's choice (on by default) and whether in-app can be turned off."""
    saved = {p.kind: p for p in NotificationPreference.objects.filter(person=person)}
    rows = []
    for kind in PERSON_KINDS:
        preference = saved.get(kind.value)
        rows.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "email": preference.email if preference else True,
                "in_app": (preference.in_app if preference else True) or kind in ALWAYS_IN_APP,
                "in_app_locked": kind in ALWAYS_IN_APP,
            }
        )
    return rows


def nudges_due(*, now: dt.datetime | None = None) -> QuerySet[Nudge]:
    now = now or timezone.now()
    return (
        Nudge.objects.filter(
            sent_at__isnull=True,
            cancelled_at__isnull=True,
            claimed_at__isnull=True,
            due_at__lte=now,
            attempts__lt=settings.NUDGES_MAX_ATTEMPTS,
        )
        .select_related("recipient")
        .order_by("due_at")
    )


def nudges_stuck(*, now: dt.datetime | None = None) -> QuerySet[Nudge]:
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=settings.NUDGES_STUCK_CLAIM_SECONDS)
    return (
        Nudge.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True, claimed_at__lt=limit)
        .select_related("recipient")
        .order_by("claimed_at")
    )


def nudges_failed() -> QuerySet[Nudge]:
    """Unsent nudges whose last attempt failed (they may still be retrying) or that ran out of attempts."""
    return (
        Nudge.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True)
        .filter(~Q(last_error="") | Q(attempts__gte=settings.NUDGES_MAX_ATTEMPTS))
        .select_related("recipient")
        .order_by("-attempts", "pk")
    )
