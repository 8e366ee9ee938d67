"""Every write about people: the audit log, leavers, erasure requests and erasure."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from activity.events import event_record
from activity.models import Verb

from . import avatars
from .models import AuditAction, AuditEvent, Avatar, ErasureRequest, User

ERASED_NAME = "former colleague"


class ErasureAlreadyRequested(Exception):
    """The person already has an open erasure request."""


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: AuditAction | str,
    actor: User | None = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one audit row: who (`actor`), what (`action`), when (now) and on what (`target`).

    A post written anonymously never has its author recorded: for such a target only the
    post's id is kept, and a caller-supplied actor is dropped unless they act on it as a
    moderator or admin (hiding, answering), never as its writer. Without the object at hand (an
    event names another app's row by id), `target_type` and `target_id` say what it is.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        if getattr(target, "is_anonymous", False) is True:
            target_repr = f"anonymous {target._meta.verbose_name} #{target.pk}"
            if actor is not None and action not in (AuditAction.MODERATED, AuditAction.ADMIN_ACTION):
                actor = None
        elif not target_repr:
            target_repr = str(target)[:300]
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr[:300],
        detail=detail or {},
        ip_address=_client_ip(request),
    )


@transaction.atomic
def person_deactivate(*, person: User, by: User | None = None, reason: str = "") -> bool:
    """A leaver: cannot sign in any more and is signed out on their next request; what they wrote stays.

    Records the DEACTIVATED event: the movements they were the last active lead of ask their members
    to lead (nudges/subscribers.py). Returns False when the person was already inactive.
    """
    updated = User.objects.filter(pk=person.pk, is_active=True).update(is_active=False)
    person.is_active = False
    if not updated:
        return False
    event_record(verb=Verb.DEACTIVATED, subject_person=person)
    audit_record(action=AuditAction.DEACTIVATED, actor=by, target=person, detail={"reason": reason} if reason else None)
    return True


@transaction.atomic
def person_reactivate(*, person: User, by: User | None = None) -> bool:
    updated = User.objects.filter(pk=person.pk, is_active=False).update(is_active=True)
    person.is_active = True
    if updated:
        audit_record(action=AuditAction.ADMIN_ACTION, actor=by, target=person, detail={"change": "reactivated"})
    return bool(updated)


@transaction.atomic
def erasure_request_create(*, person: User, reason: str = "", request: HttpRequest | None = None) -> ErasureRequest:
    """Record that a person asked to be erased. One open request per person (database constraint)."""
    try:
        with transaction.atomic():
            erasure = ErasureRequest.objects.create(person=person, reason=reason.strip())
    except IntegrityError as exc:
        raise ErasureAlreadyRequested from exc
    audit_record(action=AuditAction.ERASURE_REQUESTED, actor=person, target=person, request=request)
    return erasure


def _end_sessions_of(person: User) -> int:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(person.pk):
            # Through the engine: a cached_db session lives in the cache too (SESSION_ENGINE).
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def avatar_set(*, person: User, upload) -> User:
    """Re-encode the upload (people.avatars: ValidationError with the form's message) and make it the person's
    picture; the version bump gives it a new URL, so no browser keeps the old one."""
    image = avatars.avatar_from_upload(upload)
    Avatar.objects.update_or_create(
        person=person,
        defaults={"image": image, "updated_at": timezone.now(), "from_directory": False, "directory_digest": ""},
    )
    User.objects.filter(pk=person.pk).update(avatar_version=models.F("avatar_version") + 1)
    person.refresh_from_db(fields=["avatar_version"])
    return person


@transaction.atomic
def avatar_set_from_directory(*, person: User, image: bytes, digest: str) -> bool:
    """The directory's picture (already re-encoded by people.avatars) as the person's avatar, unless they
    uploaded one of their own: theirs wins, also when they upload it while the import runs (the row lock).
    False when nothing changed (their own picture, or the same directory file as last time)."""
    current = Avatar.objects.select_for_update().filter(person=person).only("from_directory", "directory_digest")
    current = current.first()
    if current is not None and (not current.from_directory or current.directory_digest == digest):
        return False
    Avatar.objects.update_or_create(
        person=person,
        defaults={"image": image, "updated_at": timezone.now(), "from_directory": True, "directory_digest": digest},
    )
    User.objects.filter(pk=person.pk).update(avatar_version=models.F("avatar_version") + 1)
    return True


@transaction.atomic
def avatar_remove(*, person: User) -> User:
    """Back to initials."""
    Avatar.objects.filter(person=person).delete()
    User.objects.filter(pk=person.pk).update(avatar_version=0)
    person.avatar_version = 0
    return person


@transaction.atomic
def person_erase(*, person: User, by: User | None = None) -> User:
    """Erase a person: name becomes "former colleague", email a placeholder, profile emptied, no sign-in.

    Movements they founded, memberships, posts and everything other people wrote stay; rows keep
    pointing at the same (now nameless) person. Anonymous posts hold nothing about anyone and are
    not touched. Their sign-in links (SSO accounts, email addresses) and sessions are deleted.
    """
    person = User.objects.select_for_update().get(pk=person.pk)
    old_email, old_name = person.email, person.display_name
    was_active = person.is_active

    placeholder = f"erased-{person.pk}@invalid"
    person.email = placeholder
    person.display_name = ERASED_NAME
    person.job_title = ""
    person.location = ""
    person.department = None
    person.manager = None
    person.time_zone = "UTC"
    person.employee_id = None
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.is_moderator = False
    person.last_login = None
    person.avatar_version = 0
    person.set_unusable_password()
    person.save()
    Avatar.objects.filter(person=person).delete()
    person.groups.clear()
    person.user_permissions.clear()

    SocialAccount.objects.filter(user=person).delete()
    EmailAddress.objects.filter(user=person).delete()
    ErasureRequest.objects.filter(person=person).update(reason="")
    ErasureRequest.objects.filter(person=person, completed_at__isnull=True).update(completed_at=timezone.now())
    _end_sessions_of(person)
    _scrub_logs(person=person, old_email=old_email, old_name=old_name)
    if was_active:
        event_record(verb=Verb.DEACTIVATED, subject_person=person)
    # Subscribers forget what their apps hold under the old address (invitations by email, notifications).
    event_record(
        verb=Verb.ERASED, subject_person=person, transient={"old_email": old_email, "placeholder": placeholder}
    )
    audit_record(action=AuditAction.ERASED, actor=by, target=person, target_repr=f"{ERASED_NAME} #{person.pk}")
    return person


def _scrub_logs(*, person: User, old_email: str, old_name: str) -> None:
    """Remove the person's name and email from the audit log and Django admin's history."""
    ctype = ContentType.objects.get_for_model(User)
    erased_repr = f"{ERASED_NAME} #{person.pk}"
    AuditEvent.objects.filter(target_type=User._meta.label_lower, target_id=str(person.pk)).update(
        target_repr=erased_repr, detail={}
    )
    needles = [n for n in {old_email, old_name} if n]
    for needle in needles:
        for event in AuditEvent.objects.filter(
            models.Q(target_repr__icontains=needle) | models.Q(detail__icontains=needle)
        ):
            event.target_repr = event.target_repr.replace(needle, erased_repr)
            event.detail = {}
            event.save(update_fields=["target_repr", "detail"])
    LogEntry.objects.filter(content_type=ctype, object_id=str(person.pk)).update(
        object_repr=erased_repr, change_message=""
    )
    for needle in needles:
        LogEntry.objects.filter(object_repr__icontains=needle).update(object_repr=erased_repr)
        LogEntry.objects.filter(change_message__icontains=needle).update(change_message="")
