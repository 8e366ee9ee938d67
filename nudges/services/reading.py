"""In-app reading, preferences, one-click unsubscribe and acted-on tracking."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from activity.models import Verb

from ..models import ALWAYS_IN_APP, Kind, NotificationPreference, Nudge
from .delivery import UNSUBSCRIBE_SALT

# --- In-app reading and preferences -----------------------------------------------------------


@transaction.atomic
def nudge_mark_read(*, nudge: Nudge, person) -> Nudge:
    if nudge.recipient_id != person.pk:
        raise PermissionError("not the recipient")
    if nudge.read_at is None:
        nudge.read_at = timezone.now()
        Nudge.objects.filter(pk=nudge.pk, read_at__isnull=True).update(read_at=nudge.read_at)
    return nudge


@transaction.atomic
def nudges_mark_all_read(*, person) -> int:
    return Nudge.objects.in_app_for(person).unread().update(read_at=timezone.now())


@transaction.atomic
def preferences_update(*, person, choices: dict[str, tuple[bool, bool]]) -> None:
    """Save each kind's (email, in_app) choice; the kinds that cannot be silenced stay in-app."""
    for kind, (email, in_app) in choices.items():
        kind = Kind(kind)
        NotificationPreference.objects.update_or_create(
            person=person, kind=kind, defaults={"email": email, "in_app": in_app or kind in ALWAYS_IN_APP}
        )


@transaction.atomic
def preference_unsubscribe(*, token: str):
    """One-click unsubscribe: turn off email for one kind. Returns (person, kind); raises BadSignature."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    person = get_user_model().objects.get(pk=data["p"])
    kind = Kind(data["k"])
    preference, _created = NotificationPreference.objects.get_or_create(person=person, kind=kind)
    if preference.email:
        preference.email = False
        preference.save(update_fields=["email", "updated_at"])
    # Nudges of this kind not yet out follow the new choice when a worker delivers them.
    return person, kind


# --- Acted on -----------------------------------------------------------------------------------

# What each kind asks the person to do, as activity verbs.
SUGGESTED_VERBS: dict[str, set[str]] = {
    Kind.FIRST_FOLLOWER_WELCOME: {Verb.CLAIMED_ROLE, Verb.INVITED},
    Kind.WELCOME_YOUR_FOLLOWER: {Verb.WELCOMED},
    Kind.FIRST_FOLLOWER_CHECKIN: {Verb.CLAIMED_ROLE, Verb.INVITED, Verb.POSTED_UPDATE, Verb.COMMENTED},
    Kind.FIND_FIRST_FOLLOWER: {Verb.INVITED},
    Kind.OPEN_ROLES: {Verb.CLAIMED_ROLE},
    Kind.DECISION_DUE: {Verb.RECORDED_DECISION, Verb.CHANGED_STAGE},
    Kind.INVITATION: {Verb.JOINED, Verb.ACCEPTED_INVITATION},
    Kind.FEEDBACK_ANSWERED: {Verb.COMMENTED, Verb.VOTED},
    Kind.WEEKLY_DIGEST: {
        Verb.JOINED,
        Verb.CLAIMED_ROLE,
        Verb.POSTED_FEEDBACK,
        Verb.VOTED,
        Verb.COMMENTED,
        Verb.INVITED,
        Verb.POSTED_UPDATE,
    },
}
SUGGESTED_VERBS |= {
    Kind.SPONSOR_REQUEST: {Verb.ANSWERED_SPONSORSHIP},
    Kind.SUPPORT_REQUESTED: {Verb.ANSWERED_SUPPORT},
    Kind.SPONSOR_MONTHLY: {Verb.ANSWERED_SUPPORT, Verb.SANCTIONED},
    Kind.FIND_A_SPONSOR: {Verb.ASKED_SPONSOR},
}
# Kinds not tied to one movement: any matching action counts.
ANY_MOVEMENT = {Kind.FEEDBACK_ANSWERED, Kind.WEEKLY_DIGEST}


@transaction.atomic
def nudges_mark_acted_on(*, person, verb: str, movement=None) -> int:
    """The person did what sent nudges suggested within the window: mark them acted on."""
    now = timezone.now()
    kinds = [kind for kind, verbs in SUGGESTED_VERBS.items() if verb in verbs]
    if not kinds:
        return 0
    scoped = Q(kind__in=[k for k in kinds if k in ANY_MOVEMENT])
    if movement is not None:
        scoped |= Q(kind__in=[k for k in kinds if k not in ANY_MOVEMENT], movement=movement)
    return (
        Nudge.objects.filter(scoped)
        .filter(
            recipient=person,
            acted_on_at__isnull=True,
            sent_at__isnull=False,
            cancelled_at__isnull=True,
            sent_at__gte=now - dt.timedelta(days=settings.NUDGES_ACTED_ON_WITHIN_DAYS),
        )
        .update(acted_on_at=now)
    )
