"""The movements' sections of a person's data export (people/privacy.py)."""

from people.privacy import export_section, iso

from .models import Invitation, Membership, RoleAssignment, Update


@export_section("memberships", order=10)
def memberships(person) -> list[dict]:
    return [
        {
            "movement": m.movement.title,
            "join_order": m.position,
            "joined_at": iso(m.joined_at),
            "left_at": iso(m.left_at),
            "is_lead": m.is_lead,
            "founder": m.movement.founder_id == person.pk,
        }
        for m in Membership.objects.filter(person=person).select_related("movement").order_by("joined_at", "pk")
    ]


@export_section("roles", order=11)
def roles(person) -> list[dict]:
    return [
        {"movement": a.role.movement.title, "role": a.role.name, "since": iso(a.created_at)}
        for a in RoleAssignment.objects.filter(person=person)
        .select_related("role__movement")
        .order_by("created_at", "pk")
    ]


def _invitations(invitations) -> list[dict]:
    return [
        {"movement": i.movement.title, "note": i.note, "status": i.status, "created_at": iso(i.created_at)}
        for i in invitations.select_related("movement").order_by("created_at", "pk")
    ]


@export_section("invitations_sent", order=12)
def invitations_sent(person) -> list[dict]:
    return _invitations(Invitation.objects.filter(inviter=person))


@export_section("invitations_received", order=13)
def invitations_received(person) -> list[dict]:
    return _invitations(Invitation.objects.filter(invitee=person))


@export_section("updates", order=14)
def updates(person) -> list[dict]:
    return [
        {"movement": u.movement.title, "body": u.body, "created_at": iso(u.created_at)}
        for u in Update.objects.filter(author=person).select_related("movement").order_by("created_at", "pk")
    ]
