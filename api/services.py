"""Creating, using and revoking personal access tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from people.services import audit_record

from .models import PersonalAccessToken, Scope

TOKEN_PREFIX = "sbz_"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, person, name: str, scope: str, expires_in_days: int | None) -> tuple[PersonalAccessToken, str]:
    """Create a token and return it with its secret, which is never stored and shown only this once."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, such as the tool that will use it.")})
    if scope not in Scope.values:
        raise ValidationError({"scope": _("Choose read or read and write.")})
    limit = settings.API_TOKEN_MAX_DAYS
    if expires_in_days is None and limit:
        raise ValidationError({"expires_in_days": _("Choose when the token expires.")})
    if expires_in_days is not None and (expires_in_days < 1 or (limit and expires_in_days > limit)):
        raise ValidationError({"expires_in_days": _("Choose between 1 and %(n)d days.") % {"n": limit}})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalAccessToken.objects.create(
        person=person,
        name=name[:100],
        prefix=raw[:12],
        token_hash=token_hash(raw),
        scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit_record(action="api_token_created", actor=person, target=person, detail={"token_id": token.pk})
    return token, raw


@transaction.atomic
def token_revoke(*, token: PersonalAccessToken, person) -> PersonalAccessToken:
    PersonalAccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(action="api_token_revoked", actor=person, target=token.person, detail={"token_id": token.pk})
    token.refresh_from_db()
    return token


def token_authenticate(*, raw: str) -> PersonalAccessToken | None:
    """The usable token with this secret (and its person), marking it used; None for anything else."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        PersonalAccessToken.objects.usable()
        .select_related("person", "person__department")
        .filter(token_hash=token_hash(raw))
        .first()
    )
    if token is None:
        return None
    # The day only, written once a day: a to-the-second stamp would date (and name) an anonymous post
    # made through the API, as the session's last-seen stamp would on the page.
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    if token.last_used_at is None or token.last_used_at < today:
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=today)
        token.last_used_at = today
    return token
