"""The hooks other apps' services call, inside their own transaction, when something nudge-worthy happens.

They write outbox rows (nudges.Nudge) in the caller's transaction, so a nudge is never lost when
the broker is down, and never sent for an event that rolled back: the rows are handed to the
workers only after commit (and by the beat relay, whatever happens to the broker).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .models import Kind
from .services import Draft, nudges_mark_acted_on, nudges_write


def member_joined(*, membership) -> None:
    """A person followed a movement (first-follower welcome, welcome-your-follower)."""
    if not membership.is_first_follower or membership.left_at is not None:
        return
    from movements.models import Membership

    movement_id, person_id = membership.movement_id, membership.person_id
    drafts = [
        Draft(
            Kind.FIRST_FOLLOWER_WELCOME,
            person_id,
            f"first_follower_welcome:m{movement_id}:u{person_id}",
            movement_id=movement_id,
        )
    ]
    lead_ids = (
        Membership.objects.filter(movement_id=movement_id, is_lead=True, left_at__isnull=True)
        .exclude(person_id=person_id)
        .values_list("person_id", flat=True)
    )
    due = membership.joined_at + dt.timedelta(hours=settings.NUDGES_WELCOME_YOUR_FOLLOWER_AFTER_HOURS)
    drafts += [
        Draft(
            Kind.WELCOME_YOUR_FOLLOWER,
            lead_id,
            f"welcome_your_follower:m{movement_id}:f{person_id}:u{lead_id}",
            movement_id=movement_id,
            subject_person_id=person_id,
            due_at=due,
        )
        for lead_id in lead_ids
    ]
    nudges_write(drafts=drafts)


def invitation_created(*, invitation) -> None:
    """A member invited a colleague (only colleagues with an account can be nudged here)."""
    invitee_id = invitation.invitee_id
    if invitee_id is None and invitation.email:
        from django.contrib.auth import get_user_model

        invitee_id = (
            get_user_model().objects.filter(email__iexact=invitation.email).values_list("pk", flat=True).first()
        )
    if invitee_id is None or invitee_id == invitation.inviter_id:
        return
    nudges_write(
        drafts=[
            Draft(
                Kind.INVITATION,
                invitee_id,
                f"invitation:i{invitation.pk}",
                movement_id=invitation.movement_id,
                subject_person_id=invitation.inviter_id,
                context={"invitation_id": invitation.pk, "note": (invitation.note or "")[:500]},
            )
        ]
    )


def feedback_answered(*, status_change) -> None:
    """A champion or moderator changed a post's status with an official response: tell the named author and voters."""
    from feedback.models import Vote

    feedback = status_change.feedback
    recipients = set(Vote.objects.filter(feedback=feedback).values_list("person_id", flat=True))
    if feedback.author_id and not feedback.is_anonymous:
        recipients.add(feedback.author_id)
    recipients.discard(status_change.answered_by_id)
    context = {
        "status_change_id": status_change.pk,
        "status_label": str(status_change.get_to_status_display()),
        "response": status_change.response[:1000],
    }
    nudges_write(
        drafts=[
            Draft(
                Kind.FEEDBACK_ANSWERED,
                person_id,
                f"feedback_answered:s{status_change.pk}:u{person_id}",
                feedback_id=feedback.pk,
                movement_id=feedback.movement_id,
                context=context,
            )
            for person_id in sorted(recipients)
        ]
    )


def person_acted(*, person, verb: str, movement=None) -> None:
    """A person did something a nudge may have suggested (acted-on tracking)."""
    nudges_mark_acted_on(person=person, verb=verb, movement=movement)


def movement_needs_lead(*, movement) -> None:
    """A movement's last active lead was deactivated or left: tell its members it needs a lead.

    The co-lead seat is an open role in all but name, so members get an open-roles nudge now
    (at most one per person and movement per period, like the weekly sweep).
    """
    from django.utils import timezone

    from movements.models import Membership

    period = timezone.now().date().toordinal() // max(settings.NUDGES_OPEN_ROLES_EVERY_DAYS, 1)
    members = Membership.objects.filter(movement=movement, left_at__isnull=True, person__is_active=True).values_list(
        "person_id", flat=True
    )
    nudges_write(
        drafts=[
            Draft(
                Kind.OPEN_ROLES,
                person_id,
                f"open_roles:m{movement.pk}:u{person_id}:p{period}",
                movement_id=movement.pk,
                context={"needs_lead": True},
            )
            for person_id in members
        ]
    )
