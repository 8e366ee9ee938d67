from django.db.models import Exists, OuterRef

from feedback.models import Feedback
from movements.models import Membership, Movement


def home_for(*, person) -> dict:
    """What the home page shows: the person's movements, the newest feedback, and what to do next."""
    my_memberships = list(
        Membership.objects.current()
        .filter(person=person)
        .select_related("movement")
        .order_by("-movement__last_activity_at")[:6]
    )
    newest_feedback = list(Feedback.objects.visible_to(person).select_related("author").order_by("-created_at")[:5])
    # An anti-join on the (movement, person) unique index, read in "most followers" index order.
    popular_movements = list(
        Movement.objects.visible_to(person)
        .filter(~Exists(Membership.objects.current().filter(movement=OuterRef("pk"), person=person)))
        .select_related("founder")
        .order_by("-follower_count", "-created_at", "-pk")[:3]
    )
    return {
        "my_memberships": my_memberships,
        "newest_feedback": newest_feedback,
        "suggested_movements": popular_movements,
    }
