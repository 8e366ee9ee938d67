from django.utils import timezone

from .models import Activity, Verb


def activity_record(*, actor, verb: Verb, movement=None, feedback=None, subject_person=None, at=None) -> Activity:
    """Append one row to the activity log. Call it inside the service's transaction."""
    return Activity.objects.create(
        actor=actor,
        verb=verb,
        movement=movement,
        feedback=feedback,
        subject_person=subject_person,
        created_at=at or timezone.now(),
    )
