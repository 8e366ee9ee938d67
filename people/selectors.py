from feedback.models import Feedback
from movements.models import Membership, Movement


def home_for(*, person) -> dict:
    """What the home page shows: the person's movements, the newest feedback, and what to do next."""
    my_memberships = list(
        Membership.objects.filter(person=person, left_at__isnull=True)
        .select_related("movement")
        .order_by("-movement__last_activity_at")[:6]
    )
    newest_feedback = list(
        Feedback.objects.visible_to(person).select_related("author").order_by("-created_at")[:5]
    )
    popular_movements = list(
        Movement.objects.visible_to(person)
        .exclude(memberships__person=person, memberships__left_at__isnull=True)
        .select_related("founder")
        .order_by("-follower_count", "-created_at")[:3]
    )
    return {
        "my_memberships": my_memberships,
        "newest_feedback": newest_feedback,
        "suggested_movements": popular_movements,
    }

