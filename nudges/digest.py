"""What the weekly digest says. Its own module: the messages need it, and the selectors need the messages."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q
from django.utils import timezone

from feedback.models import Feedback
from movements.models import Movement, Role, following_now


def weekly_digest_for(*, person) -> dict:
    """What the weekly digest says: followed movements with their updates this week, open roles, new feedback."""
    since = timezone.now() - dt.timedelta(days=7)
    movements = list(
        Movement.objects.filter(Q(memberships__person=person) & following_now("memberships__"))
        .annotate(recent_updates=Count("updates", filter=Q(updates__created_at__gte=since)))
        .order_by("-last_activity_at")[:10]
    )
    open_roles = list(
        Role.objects.filter(
            following_now("movement__memberships__"),
            movement__memberships__person=person,
            seats_filled__lt=F("seats"),
        )
        .exclude(assignments__person=person)
        .select_related("movement")[:5]
    )
    new_feedback = Feedback.objects.visible_to(person).filter(created_at__gte=since).count()
    return {"movements": movements, "open_roles": open_roles, "new_feedback": new_feedback}
