"""What the feedback app does when other apps' events happen (activity/events.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from activity.events import subscribe
from activity.models import Activity, Verb
from movements.services import invitation_create

from . import selectors, services
from .models import Feedback


@subscribe(Verb.STARTED_MOVEMENT)
def link_the_post_a_movement_started_from(event: Activity) -> None:
    """A movement started from a post: the post links to it, and its voters are invited when asked."""
    post_id = event.payload.get("from_feedback")
    if post_id is None:
        return
    post = Feedback.objects.get(pk=post_id)
    services.feedback_turned_into_movement(feedback=post, movement=event.movement)
    if not event.payload.get("invite_voters"):
        return
    note = _("You said “me too” on “%(title)s”. Join as one of the first followers?") % {"title": post.title}
    voters = selectors.feedback_voters(feedback=post).exclude(pk=event.actor_id)
    if event.payload.get("voter_ids") is not None:  # the founder picked whom to invite
        voters = voters.filter(pk__in=event.payload["voter_ids"])
    for voter in voters:
        invitation_create(movement=event.movement, inviter=event.actor, invitee=voter, note=note)


def load_visible_post(*, viewer, pk: int) -> Feedback | None:
    """The start page's origin loader (movements/origins.py): the post when the viewer may see it."""
    return Feedback.objects.visible_to(viewer).filter(pk=pk).first()
