"""What the movements app does when other apps' events happen (activity/events.py)."""

from __future__ import annotations

from activity.events import subscribe
from activity.models import Activity, Verb

from .models import Invitation


@subscribe(Verb.ERASED)
def forget_the_erased_persons_address(event: Activity) -> None:
    """Invitations sent to the erased person's address keep their history, not the address."""
    old_email, placeholder = event.transient["old_email"], event.transient["placeholder"]
    Invitation.objects.filter(email__iexact=old_email).update(email=placeholder)
