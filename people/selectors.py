from django.db.models import Exists, OuterRef

from feedback.models import Feedback
from movements.models import Membership, Movement


def home_for(*, person) -> dict:
    """What the home page shows: the person's movements, the newest feedback, and what to do next."""
    my_memberships = list(
        Membership.objects.filter(person=person, left_at__isnull=True)
        .select_related("movement")
        .order_by("-movement__last_activity_at")[:6]
    )
    newest_feedback = list(Feedback.objects.visible_to(person).select_related("author").order_by("-created_at")[:5])
    # An anti-join on the (movement, person) unique index, read in "most followers" index order.
    popular_movements = list(
        Movement.objects.visible_to(person)
        .filter(~Exists(Membership.objects.filter(movement=OuterRef("pk"), person=person, left_at__isnull=True)))
        .select_related("founder")
        .order_by("-follower_count", "-created_at", "-pk")[:3]
    )
    return {
        "my_memberships": my_memberships,
        "newest_feedback": newest_feedback,
        "suggested_movements": popular_movements,
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def open_erasure_request_for(*, person):
    from .models import ErasureRequest

    return ErasureRequest.objects.filter(person=person, completed_at__isnull=True).first()


def privacy_export_for(*, person) -> dict:
    """Everything the portal holds about `person`, and nothing about anyone else.

    Other people appear only as what the person did with them is about (a movement's title), never
    by name or email. Anonymous posts hold no link to anyone, so they cannot be part of it.
    """
    from django.apps import apps

    from feedback.models import Comment, Feedback, Vote
    from movements.models import Invitation, Membership, RoleAssignment, Update

    from .models import AuditEvent, ErasureRequest

    data: dict = {
        "profile": {
            "email": person.email,
            "display_name": person.display_name,
            "job_title": person.job_title,
            "department": person.department.name if person.department_id else None,
            "department_path": person.department.external_key if person.department_id else None,
            "manager": person.manager.name if person.manager_id else None,
            "location": person.location,
            "time_zone": person.time_zone,
            "employee_id": person.employee_id,
            "is_moderator": person.is_moderator,
            "is_staff": person.is_staff,
            "date_joined": _iso(person.date_joined),
            "last_login": _iso(person.last_login),
        },
        "memberships": [
            {
                "movement": m.movement.title,
                "join_order": m.position,
                "joined_at": _iso(m.joined_at),
                "left_at": _iso(m.left_at),
                "is_lead": m.is_lead,
                "founder": m.movement.founder_id == person.pk,
            }
            for m in Membership.objects.filter(person=person).select_related("movement").order_by("joined_at", "pk")
        ],
        "roles": [
            {"movement": a.role.movement.title, "role": a.role.name, "since": _iso(a.created_at)}
            for a in RoleAssignment.objects.filter(person=person)
            .select_related("role__movement")
            .order_by("created_at", "pk")
        ],
        "invitations_sent": [
            {"movement": i.movement.title, "note": i.note, "status": i.status, "created_at": _iso(i.created_at)}
            for i in Invitation.objects.filter(inviter=person).select_related("movement").order_by("created_at", "pk")
        ],
        "invitations_received": [
            {"movement": i.movement.title, "note": i.note, "status": i.status, "created_at": _iso(i.created_at)}
            for i in Invitation.objects.filter(invitee=person).select_related("movement").order_by("created_at", "pk")
        ],
        "updates": [
            {"movement": u.movement.title, "body": u.body, "created_at": _iso(u.created_at)}
            for u in Update.objects.filter(author=person).select_related("movement").order_by("created_at", "pk")
        ],
        "feedback": [
            {"title": f.title, "kind": f.kind, "body": f.body, "status": f.status, "created_at": _iso(f.created_at)}
            for f in Feedback.objects.filter(author=person, is_anonymous=False).order_by("created_at", "pk")
        ],
        "votes": [
            {"feedback": v.feedback.title, "created_at": _iso(v.created_at)}
            for v in Vote.objects.filter(person=person).select_related("feedback").order_by("created_at", "pk")
        ],
        "comments": [
            {"feedback": c.feedback.title, "body": c.body, "created_at": _iso(c.created_at)}
            for c in Comment.objects.filter(author=person).select_related("feedback").order_by("created_at", "pk")
        ],
        "sign_ins_and_account_events": [
            {"what": e.action, "when": _iso(e.created_at), "ip_address": e.ip_address}
            for e in AuditEvent.objects.filter(actor=person).order_by("created_at", "pk")[:1000]
        ],
        "erasure_requests": [
            {"reason": r.reason, "created_at": _iso(r.created_at), "completed_at": _iso(r.completed_at)}
            for r in ErasureRequest.objects.filter(person=person)
        ],
        "notifications": _notifications_of(person, apps),
    }
    return data


def _notifications_of(person, apps) -> list[dict]:
    """The person's nudges, when the Nudges app has built its model (guarded: it is built in parallel)."""
    if not apps.is_installed("nudges"):
        return []
    try:
        nudge_model = apps.get_model("nudges", "Nudge")
    except LookupError:
        return []
    field_names = {f.name for f in nudge_model._meta.concrete_fields}
    if "recipient" not in field_names:
        return []
    shown = [name for name in ("kind", "created_at", "sent_at", "read_at", "acted_at") if name in field_names]
    rows = nudge_model.objects.filter(recipient=person).order_by("pk").values(*shown)
    return [{k: (_iso(v) if hasattr(v, "isoformat") else v) for k, v in row.items()} for row in rows]
