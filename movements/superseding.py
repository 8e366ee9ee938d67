"""A movement superseded by a better one: "the courageous follower drops their vision for a better one".

A lead marks their movement as superseded by another they can see; they follow the other one themselves, and
every current member who can see it and does not follow it yet is invited there (the ordinary invitation, so
the invitation nudge and its acted-on rule apply). One `superseded_movement` event, in one transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from activity.models import Verb
from people.models import User

from . import services
from .models import Invitation, InvitationStatus, Membership, Movement


def _sees(person: User, movement: Movement) -> bool:
    """Movement.objects.visible_to's rule for one person, without a query per member."""
    if movement.department_id is None or person.is_staff:
        return True
    return bool(person.department and movement.department_id in person.department.ancestor_ids)


@transaction.atomic
def movement_supersede(*, movement: Movement, by: Movement, actor: User, note: str = "") -> list[Invitation]:
    services.require_lead(movement=movement, person=actor)
    movement = Movement.objects.select_for_update().get(pk=movement.pk)
    if by.pk == movement.pk:
        raise ValidationError(_("A movement cannot be superseded by itself."), code="itself")
    if movement.superseded_by_id:
        raise ValidationError(_("This movement is superseded already."), code="already")
    if by.superseded_by_id:
        raise ValidationError(_("That movement is superseded itself: pick the one it points to."), code="chain")
    if not Movement.objects.visible_to(actor).filter(pk=by.pk).exists():
        raise ValidationError(_("Pick a movement you can see."), code="not_visible")
    movement.superseded_by = by
    movement.save(update_fields=["superseded_by"])
    if services.active_membership(movement=by, person=actor) is None:
        services.membership_join(movement=by, person=actor)
    already = set(Membership.objects.current().filter(movement=by).values_list("person_id", flat=True))
    already |= set(
        Invitation.objects.filter(movement=by, status=InvitationStatus.PENDING, invitee__isnull=False).values_list(
            "invitee_id", flat=True
        )
    )
    members = User.objects.filter(
        is_active=True, memberships__movement=movement, memberships__left_at__isnull=True
    ).select_related("department")
    invitees = [
        person for person in members if person.pk not in already and person.pk != actor.pk and _sees(person, by)
    ]
    note = note.strip() or _("“%(old)s” continues as “%(new)s”. Come along!") % {
        "old": movement.title,
        "new": by.title,
    }
    invitations = [
        services.invitation_create(movement=by, inviter=actor, invitee=person, note=note)
        for person in sorted(invitees, key=lambda person: person.pk)
    ]
    services._record(
        actor=actor,
        verb=Verb.SUPERSEDED_MOVEMENT,
        movement=movement,
        by_id=by.pk,
        invited=len(invitations),
    )
    return invitations
