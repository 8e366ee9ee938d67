"""Delivering one nudge exactly once, the email itself, and resending on purpose."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conversation.models import Watch
from feedback.models import Feedback, Report
from movements.models import Invitation, Membership, Movement, Role, Stage
from people.locale import addressed_to
from sponsors.models import Sponsorship, SponsorshipStatus, SupportRequest, SupportStatus

from .. import channels
from ..messages import absolute, message_for
from ..models import ALWAYS_IN_APP, Kind, NotificationPreference, Nudge
from .outbox import _relay_after_commit

log = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "nudges.unsubscribe"


# --- Delivery -------------------------------------------------------------------------------------


class Outcome:
    SENT = "sent"
    IN_APP_ONLY = "in_app_only"
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    CANCELLED = "cancelled"


def _local_day_start(person, now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now, person.zoneinfo)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _still_relevant(nudge: Nudge) -> bool:
    """Some nudges lose their point before they go out: the follower was welcomed, the pilot decided."""

    if not nudge.recipient.is_active:
        return False
    if nudge.kind == Kind.WELCOME_YOUR_FOLLOWER:
        return (
            Membership.objects.current()
            .filter(movement_id=nudge.movement_id, person_id=nudge.subject_person_id, welcomed_at__isnull=True)
            .exists()
            and Membership.objects.active_leads()
            .filter(movement_id=nudge.movement_id, person_id=nudge.recipient_id)
            .exists()
        )
    if nudge.kind == Kind.FIND_FIRST_FOLLOWER:
        return not Membership.objects.current().filter(movement_id=nudge.movement_id, position__gt=1).exists()
    if nudge.kind == Kind.OPEN_ROLES:
        return Role.objects.filter(movement_id=nudge.movement_id, seats_filled__lt=F("seats")).exists() or bool(
            nudge.context.get("needs_lead")
        )
    if nudge.kind == Kind.DECISION_DUE:
        return nudge.movement is not None and nudge.movement.stage == Stage.PILOTING
    if nudge.kind == Kind.SPONSOR_REQUEST and nudge.context.get("sponsorship_id"):
        return Sponsorship.objects.filter(
            pk=nudge.context["sponsorship_id"], status=SponsorshipStatus.REQUESTED
        ).exists()
    if nudge.kind == Kind.SUPPORT_REQUESTED and nudge.context.get("support_request_id"):
        return (
            SupportRequest.objects.filter(pk=nudge.context["support_request_id"], status=SupportStatus.OPEN).exists()
            and Sponsorship.objects.accepted()
            .filter(movement_id=nudge.movement_id, sponsor_id=nudge.recipient_id)
            .exists()
        )
    if nudge.kind == Kind.FIND_A_SPONSOR:
        return (
            nudge.movement is not None
            and nudge.movement.stage == Stage.PILOTING
            and not Sponsorship.objects.accepted().filter(movement_id=nudge.movement_id).exists()
        )
    if nudge.kind == Kind.SPONSOR_MONTHLY:
        return (
            Sponsorship.objects.accepted().filter(movement_id=nudge.movement_id, sponsor_id=nudge.recipient_id).exists()
        )
    if nudge.kind in (Kind.WATCHED_ACTIVITY, Kind.MENTIONED):
        return _sees_item(nudge)
    if nudge.kind == Kind.REPORT_RECEIVED:
        # Another moderator already dealt with it, or the recipient no longer moderates.
        return (
            nudge.recipient.can_moderate
            and Report.objects.filter(pk=nudge.context.get("report_id"), resolved_at__isnull=True).exists()
        )
    if nudge.kind == Kind.INVITATION and nudge.context.get("invitation_id"):
        return Invitation.objects.open().filter(pk=nudge.context["invitation_id"]).exists()
    return True


def _sees_item(nudge: Nudge) -> bool:
    """The recipient can still see what the notification is about (a department-limited movement, a post
    hidden since), and for watch news still watches it."""
    recipient = nudge.recipient
    if nudge.feedback_id is not None:
        if not Feedback.objects.visible_to(recipient).filter(pk=nudge.feedback_id).exists():
            return False
        on_item = {"feedback_id": nudge.feedback_id}
    elif nudge.movement_id is not None:
        if not Movement.objects.visible_to(recipient).filter(pk=nudge.movement_id).exists():
            return False
        on_item = {"movement_id": nudge.movement_id}
    else:
        return False
    if nudge.kind == Kind.WATCHED_ACTIVITY:
        return Watch.objects.filter(person_id=recipient.pk, watching=True, **on_item).exists()
    return True


def nudge_deliver(*, nudge_id: int) -> str:
    """Deliver one nudge exactly once: claim it with a conditional UPDATE, send outside any
    transaction, then mark it sent. SMTP errors release the claim and propagate (the task retries)."""
    now = timezone.now()
    found = (
        Nudge.objects.filter(pk=nudge_id)
        .values_list("recipient_id", "to_address", "recipient__language", "recipient__time_zone")
        .first()
    )
    if found is None:
        return Outcome.SKIPPED
    recipient_id, to_address, language, time_zone = found
    if recipient_id is None:
        # No account yet, so no known language: the company's default (LANGUAGE_CODE).
        with addressed_to(language=None, time_zone=None):
            return _deliver_to_address(nudge_id=nudge_id, now=now) if to_address else Outcome.SKIPPED
    # Written in the recipient's language and time zone, whatever the worker's defaults are.
    with addressed_to(language=language, time_zone=time_zone):
        return _deliver_to_person(nudge_id=nudge_id, recipient_id=recipient_id, now=now)


def _deliver_to_person(*, nudge_id: int, recipient_id: int, now: dt.datetime) -> str:
    User = get_user_model()
    stuck_before = now - dt.timedelta(seconds=settings.NUDGES_STUCK_CLAIM_SECONDS)
    with transaction.atomic():
        # The person's row is the lock that makes the daily cap hold when two workers send to them at once.
        recipient = User.objects.select_for_update().get(pk=recipient_id)
        claimed = Nudge.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=stuck_before),
            pk=nudge_id,
            sent_at__isnull=True,
            cancelled_at__isnull=True,
            due_at__lte=now,
        ).update(claimed_at=now, attempts=F("attempts") + 1)
        if not claimed:
            return Outcome.SKIPPED
        nudge = Nudge.objects.select_related("movement", "feedback", "subject_person").get(pk=nudge_id)
        nudge.recipient = recipient
        if not _still_relevant(nudge):
            Nudge.objects.filter(pk=nudge_id).update(cancelled_at=now, claimed_at=None)
            return Outcome.CANCELLED
        # The person may have changed their mind since the row was written: their choice now decides.
        preference = NotificationPreference.objects.filter(person=recipient, kind=nudge.kind).first()
        wants_email = nudge.email and (preference.email if preference else True) and bool(recipient.email)
        in_app = nudge.in_app and ((preference.in_app if preference else True) or nudge.kind in ALWAYS_IN_APP)
        # The person chose their chat instead of email: the chat copy (written below) is how it reaches them.
        by_chat = wants_email and channels.replaces_email(nudge)
        wants_email = wants_email and not by_chat
        if not (wants_email or in_app or by_chat):
            Nudge.objects.filter(pk=nudge_id).update(cancelled_at=now, claimed_at=None)
            return Outcome.CANCELLED
        if not (wants_email or by_chat):
            Nudge.objects.filter(pk=nudge_id).update(sent_at=now, email=False, in_app=True)
            channels.copy_delivered(nudge)
            return Outcome.IN_APP_ONLY
        # The daily cap counts what reaches the person outside the portal: emails, and chat messages sent in
        # their place (their emailed_at is when they went out).
        emailed_today = (
            Nudge.objects.filter(recipient=recipient)
            .exclude(pk=nudge_id)
            .filter(
                Q(emailed_at__gte=_local_day_start(recipient, now))
                | Q(email=True, claimed_at__isnull=False, sent_at__isnull=True)
            )
            .count()
        )
        if emailed_today >= settings.NUDGES_DAILY_EMAIL_CAP:
            tomorrow = _local_day_start(recipient, now) + dt.timedelta(days=1)
            Nudge.objects.filter(pk=nudge_id).update(
                due_at=tomorrow, claimed_at=None, queued_at=None, attempts=F("attempts") - 1
            )
            return Outcome.DEFERRED
        if by_chat:
            # A chat-only nudge is kept in the portal too: every row has a channel (nudge_has_a_channel).
            Nudge.objects.filter(pk=nudge_id).update(sent_at=now, emailed_at=now, email=False, in_app=True)
            channels.copy_delivered(nudge)
            return Outcome.IN_APP_ONLY
    try:
        _send_email(nudge)
    except Exception as exc:
        Nudge.objects.filter(pk=nudge_id, sent_at__isnull=True).update(
            claimed_at=None, last_error=f"{exc.__class__.__name__}: {exc}"[:2000]
        )
        raise
    sent = timezone.now()
    with transaction.atomic():
        Nudge.objects.filter(pk=nudge_id).update(sent_at=sent, emailed_at=sent, last_error="", in_app=in_app)
        channels.copy_delivered(nudge)
    return Outcome.SENT


def _deliver_to_address(*, nudge_id: int, now: dt.datetime) -> str:
    """An email to an address without an account (an invitation): the same claim, send and mark as a
    person's nudge, without preferences, daily cap or in-app copy (there is no person yet)."""
    stuck_before = now - dt.timedelta(seconds=settings.NUDGES_STUCK_CLAIM_SECONDS)
    with transaction.atomic():
        claimed = Nudge.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=stuck_before),
            pk=nudge_id,
            sent_at__isnull=True,
            cancelled_at__isnull=True,
            due_at__lte=now,
        ).update(claimed_at=now, attempts=F("attempts") + 1)
        if not claimed:
            return Outcome.SKIPPED
        nudge = Nudge.objects.select_related("movement", "subject_person").get(pk=nudge_id)
        invitation = (
            Invitation.objects.open()
            .select_related("movement", "inviter")
            .filter(pk=nudge.context.get("invitation_id"))
        ).first()
        if invitation is None:  # answered, cancelled or expired before it went out
            Nudge.objects.filter(pk=nudge_id).update(cancelled_at=now, claimed_at=None)
            return Outcome.CANCELLED
    try:
        _send_invitation_email(nudge, invitation)
    except Exception as exc:
        Nudge.objects.filter(pk=nudge_id, sent_at__isnull=True).update(
            claimed_at=None, last_error=f"{exc.__class__.__name__}: {exc}"[:2000]
        )
        raise
    sent = timezone.now()
    Nudge.objects.filter(pk=nudge_id).update(sent_at=sent, emailed_at=sent, last_error="")
    return Outcome.SENT


def _send_invitation_email(nudge: Nudge, invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "link": absolute(reverse("movements:invitation", kwargs={"token": invitation.token})),
        "expiry_days": settings.INVITATION_EXPIRY_DAYS,
        "SITE_NAME": settings.SITE_NAME,
    }
    subject = _("%(name)s invites you to “%(title)s”") % {
        "name": invitation.inviter.name,
        "title": invitation.movement.title,
    }
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("nudges/email/invitation_email.txt", context),
        to=[nudge.to_address],
        headers={"X-Nudge-Key": nudge.dedupe_key, "Auto-Submitted": "auto-generated"},
        connection=get_connection(timeout=settings.NUDGES_SMTP_TIMEOUT_SECONDS),
    )
    email.attach_alternative(render_to_string("nudges/email/invitation_email.html", context), "text/html")
    email.send()


def unsubscribe_token(*, person, kind: str) -> str:
    return signing.dumps({"p": person.pk, "k": str(kind)}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, person, kind: str) -> str:
    return absolute(reverse("nudges:unsubscribe", kwargs={"token": unsubscribe_token(person=person, kind=kind)}))


def _send_email(nudge: Nudge) -> None:
    message = message_for(nudge)
    unsubscribe = unsubscribe_url(person=nudge.recipient, kind=nudge.kind)
    context = {
        "message": message,
        "nudge": nudge,
        "kind_label": nudge.get_kind_display(),
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute(reverse("nudges:preferences")),
        "SITE_NAME": settings.SITE_NAME,
    }
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=render_to_string("nudges/email/nudge.txt", context),
        to=[nudge.recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Nudge-Key": nudge.dedupe_key,
            "Auto-Submitted": "auto-generated",
        },
        connection=get_connection(timeout=settings.NUDGES_SMTP_TIMEOUT_SECONDS),
    )
    email.attach_alternative(render_to_string("nudges/email/nudge.html", context), "text/html")
    email.send()


@transaction.atomic
def nudge_resend(*, nudge: Nudge) -> Nudge:
    """Send a nudge again on purpose (operations): clear its delivery state and queue it after commit."""
    now = timezone.now()
    Nudge.objects.filter(pk=nudge.pk).update(
        sent_at=None,
        emailed_at=None,
        claimed_at=None,
        queued_at=None,
        cancelled_at=None,
        due_at=now,
        attempts=0,
        last_error="",
        email=True,
    )
    transaction.on_commit(partial(_relay_after_commit, [nudge.dedupe_key]))
    nudge.refresh_from_db()
    return nudge
