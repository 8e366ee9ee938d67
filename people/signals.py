"""Audit rows for sign-ins, sign-outs, permission, role and lead changes, moderation and admin actions.

Connected in PeopleConfig.ready(). Other apps' services stay unaware of the audit log: their
activity rows (lead and role verbs), moderation actions and Django admin's history feed it here.
"""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import salted_hmac

from activity.events import subscribe
from activity.models import Activity, Verb

from .middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from .models import AuditAction, User
from .services import audit_record

PERMISSION_FIELDS = ("is_staff", "is_superuser", "is_moderator", "is_active")


@receiver(user_logged_in, dispatch_uid="people_audit_signed_in")
def on_signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(timezone.now().timestamp())
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_SEEN_KEY] = now
    method = getattr(request, "people_sso_provider", None)
    audit_record(
        action=AuditAction.SIGNED_IN,
        actor=user,
        target=user,
        detail={"method": f"sso:{method}" if method else "password"},
        request=request,
    )


@receiver(user_logged_out, dispatch_uid="people_audit_signed_out")
def on_signed_out(sender, request, user, **kwargs):
    if user is None:
        return  # signing out while not signed in
    reason = getattr(request, "session_end_reason", "") if request is not None else ""
    audit_record(
        action=AuditAction.SIGNED_OUT,
        actor=user,
        target=user,
        detail={"reason": reason} if reason else None,
        request=request,
    )


@receiver(user_login_failed, dispatch_uid="people_audit_sign_in_failed")
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    # The typed login string is never stored (a password typed into the email field would end up in the
    # log): only the account it names, if any, and a keyed hash that groups repeated tries of one string.
    tried = str(credentials.get("email") or credentials.get("username") or credentials.get("login") or "")[:254]
    person = User.objects.filter(email__iexact=tried).first() if tried else None
    tried_hash = salted_hmac("people.audit.sign_in_failed", tried.strip().lower(), algorithm="sha256").hexdigest()
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        target=person,
        target_repr="" if person else "unknown login",
        detail={"tried_hmac": tried_hash[:32]} if tried else None,
        request=request,
    )


@receiver(pre_save, sender=User, dispatch_uid="people_audit_permissions")
def on_permissions_changed(sender, instance: User, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(PERMISSION_FIELDS):
        return
    before = User.objects.filter(pk=instance.pk).values(*PERMISSION_FIELDS).first()
    if before is None:
        return
    changed = {f: [before[f], getattr(instance, f)] for f in PERMISSION_FIELDS if before[f] != getattr(instance, f)}
    if changed:
        audit_record(action=AuditAction.ROLE_CHANGED, target=instance, detail={"changed": changed})


@receiver(post_save, sender=LogEntry, dispatch_uid="people_audit_admin_actions")
def on_admin_action(sender, instance: LogEntry, created: bool, raw=False, **kwargs):
    if not created or raw:
        return
    flag = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}.get(instance.action_flag, "other")
    content_type = instance.content_type
    audit_record(
        action=AuditAction.ADMIN_ACTION,
        actor=instance.user,
        target_repr=instance.object_repr,
        detail={
            "flag": flag,
            "model": f"{content_type.app_label}.{content_type.model}" if content_type else "",
            "object_id": str(instance.object_id or ""),
            "message": instance.get_change_message(),
        },
    )


# --- Events of the other apps (activity/events.py): lead and role changes, moderation, official answers.

LEAD_VERBS = {Verb.BECAME_LEAD, Verb.STEPPED_DOWN}
ROLE_VERBS = {Verb.CLAIMED_ROLE, Verb.RELEASED_ROLE, Verb.EDITED_ROLES}


@subscribe(*LEAD_VERBS, *ROLE_VERBS)
def audit_lead_and_role_changes(event: Activity) -> None:
    audit_record(
        action=AuditAction.LEAD_CHANGED if event.verb in LEAD_VERBS else AuditAction.ROLE_CHANGED,
        actor=event.actor,
        target=event.movement,
        detail={"verb": event.verb, "person_id": event.subject_person_id or event.actor_id},
    )


@subscribe(Verb.MODERATED)
def audit_moderation(event: Activity) -> None:
    comment_id = event.payload.get("comment_id")
    audit_record(
        action=AuditAction.MODERATED,
        actor=event.actor,
        target=None if comment_id else event.feedback,
        target_type="feedback.comment" if comment_id else "",
        target_id=str(comment_id or ""),
        target_repr=f"comment #{comment_id}" if comment_id else "",
        detail={"action": event.payload["action"], "reason": event.payload["reason"]},
    )


@subscribe(Verb.ANSWERED_FEEDBACK)
def audit_official_answers(event: Activity) -> None:
    audit_record(
        action=AuditAction.MODERATED,
        actor=event.actor,
        target=event.feedback,
        detail={"action": "answered", "from": event.payload["from_status"], "to": event.payload["to_status"]},
    )


TOPIC_VERBS = {Verb.APPROVED_TOPIC, Verb.RENAMED_TOPIC, Verb.MERGED_TOPIC, Verb.RETIRED_TOPIC}


@subscribe(*TOPIC_VERBS)
def audit_topic_moderation(event: Activity) -> None:
    """A moderator approved, renamed, merged or retired a topic (feedback/topics.py)."""
    audit_record(
        action=AuditAction.MODERATED,
        actor=event.actor,
        target_type="feedback.tag",
        target_id=str(event.payload["tag_id"]),
        target_repr=event.payload.get("name") or event.payload.get("to", ""),
        detail={"verb": event.verb, **{k: v for k, v in event.payload.items() if k != "tag_id"}},
    )
