"""Every write on sponsors, support requests and the official sanction. Each service is atomic, validates,
writes and records one event (activity/events.py); the nudges and the audit log react as subscribers.

A sponsor is not a lead: these services are the only things a sponsor can do to a movement, and none
of them touches its roles, stage, decisions or members.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.events import event_record
from activity.models import Verb
from movements.models import Movement
from movements.services import require_lead
from people.models import User

from .models import (
    Sanction,
    Sponsorship,
    SponsorshipStatus,
    SupportKind,
    SupportRequest,
    SupportStatus,
)


def _record(*, verb: Verb, actor: User, movement: Movement, subject_person: User | None = None, **payload) -> None:
    event_record(verb=verb, actor=actor, movement=movement, subject_person=subject_person, payload=payload)


def _lock(movement: Movement) -> None:
    """Requests for one movement wait for each other, so "already asked" and "already sanctioned" hold."""
    Movement.objects.select_for_update().filter(pk=movement.pk).values_list("pk", flat=True).get()


def is_sponsor(*, movement: Movement, person: User) -> bool:
    return (
        person.is_authenticated
        and Sponsorship.objects.accepted().filter(movement=movement, sponsor_id=person.pk).exists()
    )


def require_sponsor(*, movement: Movement, person: User) -> None:
    if not is_sponsor(movement=movement, person=person):
        raise PermissionDenied(_("Only the sponsors of this movement can do that."))


# --- Sponsors -------------------------------------------------------------------------------------


@transaction.atomic
def sponsorship_request(*, movement: Movement, lead: User, sponsor: User, note: str = "") -> Sponsorship:
    """A lead asks a person to sponsor the movement (anyone can be asked: typically a manager or executive)."""
    require_lead(movement=movement, person=lead)
    if sponsor.pk == lead.pk:
        raise ValidationError(_("You cannot ask yourself to sponsor your own movement."))
    if not sponsor.is_active:
        raise ValidationError(_("%(name)s has left the company and cannot be asked.") % {"name": sponsor.name})
    if not Movement.objects.visible_to(sponsor).filter(pk=movement.pk).exists():
        raise ValidationError(
            _("%(name)s cannot see this movement (it is limited to a department), so they cannot be asked.")
            % {"name": sponsor.name}
        )
    _lock(movement)
    existing = Sponsorship.objects.open_or_accepted().filter(movement=movement, sponsor=sponsor).first()
    if existing is not None:
        if existing.status == SponsorshipStatus.ACCEPTED:
            raise ValidationError(_("%(name)s already sponsors this movement.") % {"name": sponsor.name})
        raise ValidationError(_("%(name)s was already asked and has not answered yet.") % {"name": sponsor.name})
    try:
        with transaction.atomic():
            sponsorship = Sponsorship.objects.create(
                movement=movement, sponsor=sponsor, requested_by=lead, request_note=note.strip()
            )
    except IntegrityError:  # a request made at the same moment by another lead
        raise ValidationError(_("%(name)s was already asked.") % {"name": sponsor.name}) from None
    _record(
        verb=Verb.ASKED_SPONSOR,
        actor=lead,
        movement=movement,
        subject_person=sponsor,
        sponsorship_id=sponsorship.pk,
    )
    return sponsorship


@transaction.atomic
def sponsorship_answer(*, sponsorship: Sponsorship, person: User, accept: bool, note: str = "") -> Sponsorship:
    """The person asked accepts (the note is their endorsement line) or declines (the note goes to the leads)."""
    sponsorship = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
    if sponsorship.sponsor_id != person.pk:
        raise PermissionDenied(_("Only the person asked can answer."))
    if sponsorship.status != SponsorshipStatus.REQUESTED:
        raise ValidationError(_("This request has already been answered."))
    sponsorship.status = SponsorshipStatus.ACCEPTED if accept else SponsorshipStatus.DECLINED
    sponsorship.answer_note = note.strip()[:300]
    sponsorship.answered_at = timezone.now()
    sponsorship.save(update_fields=["status", "answer_note", "answered_at"])
    _record(
        verb=Verb.ANSWERED_SPONSORSHIP,
        actor=person,
        movement=sponsorship.movement,
        sponsorship_id=sponsorship.pk,
        accepted=accept,
    )
    return sponsorship


# --- Asking for help ------------------------------------------------------------------------------


@transaction.atomic
def support_request_create(
    *, movement: Movement, lead: User, kind: str, what: str, needed_by: date, why: str
) -> SupportRequest:
    """A lead asks the movement's sponsors for help: what is needed, by when, why."""
    require_lead(movement=movement, person=lead)
    if kind not in SupportKind.values:
        raise ValidationError(_("Choose what is needed."))
    if not what.strip() or not why.strip():
        raise ValidationError(_("Say what is needed and why."))
    if needed_by < timezone.localdate():
        raise ValidationError(_("The date it is needed by cannot be in the past."))
    if not Sponsorship.objects.accepted().filter(movement=movement, sponsor__is_active=True).exists():
        raise ValidationError(_("This movement has no sponsor yet: ask someone to sponsor it first."))
    support = SupportRequest.objects.create(
        movement=movement, asked_by=lead, kind=kind, what=what.strip(), needed_by=needed_by, why=why.strip()
    )
    _record(verb=Verb.ASKED_SUPPORT, actor=lead, movement=movement, support_request_id=support.pk)
    return support


@transaction.atomic
def support_request_answer(*, support: SupportRequest, sponsor: User, status: str, note: str) -> SupportRequest:
    """A sponsor answers: granted, not now or declined, always with a note."""
    support = SupportRequest.objects.select_for_update().select_related("movement").get(pk=support.pk)
    require_sponsor(movement=support.movement, person=sponsor)
    if status not in (SupportStatus.GRANTED, SupportStatus.NOT_NOW, SupportStatus.DECLINED):
        raise ValidationError(_("Choose an answer: granted, not now or declined."))
    if not note.strip():
        raise ValidationError(_("Add a note: the leads need to know what happens next."))
    if support.status != SupportStatus.OPEN:
        raise ValidationError(_("This request has already been answered."))
    support.status = status
    support.answer_note = note.strip()
    support.answered_by = sponsor
    support.answered_at = timezone.now()
    support.save(update_fields=["status", "answer_note", "answered_by", "answered_at"])
    _record(
        verb=Verb.ANSWERED_SUPPORT,
        actor=sponsor,
        movement=support.movement,
        subject_person=support.asked_by,
        support_request_id=support.pk,
        status=status,
    )
    return support


# --- The official sanction ------------------------------------------------------------------------


@transaction.atomic
def sanction_grant(*, movement: Movement, sponsor: User, note: str, on: date | None = None) -> Sanction:
    """A sponsor marks the movement "officially sanctioned", with a date and a note."""
    require_sponsor(movement=movement, person=sponsor)
    if not note.strip():
        raise ValidationError(_("Add a note: what the sanction allows."))
    _lock(movement)
    if Sanction.objects.filter(movement=movement, withdrawn_at__isnull=True).exists():
        raise ValidationError(_("This movement is already officially sanctioned."))
    sanction = Sanction.objects.create(
        movement=movement, sanctioned_by=sponsor, sanctioned_on=on or timezone.localdate(), note=note.strip()
    )
    _record(verb=Verb.SANCTIONED, actor=sponsor, movement=movement, sanction_id=sanction.pk)
    return sanction


@transaction.atomic
def sanction_withdraw(*, movement: Movement, sponsor: User, note: str = "") -> Sanction:
    """A sponsor withdraws the sanction in force (the row stays, for the timeline)."""
    require_sponsor(movement=movement, person=sponsor)
    _lock(movement)
    sanction = Sanction.objects.filter(movement=movement, withdrawn_at__isnull=True).first()
    if sanction is None:
        raise ValidationError(_("This movement is not officially sanctioned."))
    sanction.withdrawn_at = timezone.now()
    sanction.withdrawn_by = sponsor
    sanction.withdraw_note = note.strip()
    sanction.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_note"])
    _record(verb=Verb.WITHDREW_SANCTION, actor=sponsor, movement=movement, sanction_id=sanction.pk)
    return sanction
