"""A decision the followers share (consent à la Loomio): a lead proposes adopt, extend or retire with a
rationale and the measures' results; the members consent, abstain or object with a reason within
DECISION_WINDOW_DAYS; every objection needs a lead's written answer before the decision is recorded.

Concurrency: every write on a proposal first locks its row (SELECT ... FOR UPDATE), so a response and a
"record" never interleave: the record sees every objection committed before it, and a response that waited
for it finds the proposal recorded. The unique constraint keeps one open proposal per movement; the stage
check of movements.services.decision_record keeps one decision."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activity.events import event_record
from activity.models import Verb
from movements.models import Membership, Movement, Stage
from movements.services import decision_record, require_lead, require_member
from people.models import User

from . import selectors
from .models import Proposal, ProposalResponse, ProposalStatus, ResponseKind


def _measures_snapshot(movement: Movement) -> list[dict]:
    return [
        {
            "name": r.measure.name,
            "unit": r.measure.unit,
            "baseline": str(r.measure.baseline),
            "target": str(r.measure.target),
            "latest": str(r.latest.value) if r.latest else None,
            "status": str(r.status_label),
        }
        for r in selectors.measure_reports(movement=movement)
    ]


def _check(*, movement: Movement, decision: str, rationale: str, new_end: dt.date | None) -> dt.date | None:
    if decision not in ("adopt", "extend", "retire"):
        raise ValidationError(_("Propose to adopt, extend or retire."), code="decision")
    if not rationale.strip():
        raise ValidationError(_("Write down why: a proposal needs a rationale."), code="rationale")
    if decision != "extend":
        return None
    if new_end is None:
        raise ValidationError(_("An extension needs a new end date."), code="new_end")
    if movement.pilot_end and new_end <= movement.pilot_end:
        raise ValidationError(_("The new end date must be after the current end date."), code="new_end")
    return new_end


def _record_event(*, actor: User, verb: Verb, movement: Movement, **payload) -> None:
    now = timezone.now()
    event_record(actor=actor, verb=verb, movement=movement, payload=payload, at=now)
    Movement.objects.filter(pk=movement.pk).update(last_activity_at=now)


def _lock_open(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().select_related("movement").get(pk=proposal.pk)
    if locked.status != ProposalStatus.OPEN:
        raise ValidationError(_("This proposal is no longer open."), code="not_open")
    return locked


@transaction.atomic
def proposal_open(
    *, movement: Movement, lead: User, decision: str, rationale: str, new_end: dt.date | None = None
) -> Proposal:
    require_lead(movement=movement, person=lead)
    movement = Movement.objects.select_for_update().get(pk=movement.pk)
    if movement.stage != Stage.PILOTING:
        raise ValidationError(_("Only a running pilot's decision is proposed."), code="stage")
    new_end = _check(movement=movement, decision=decision, rationale=rationale, new_end=new_end)
    now = timezone.now()
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                movement=movement,
                proposed_by=lead,
                decision=decision,
                new_end=new_end,
                rationale=rationale.strip(),
                measures=_measures_snapshot(movement),
                opened_at=now,
                closes_at=now + dt.timedelta(days=settings.DECISION_WINDOW_DAYS),
            )
    except IntegrityError:
        raise ValidationError(
            _("This movement already has an open proposal: revise or withdraw it first."), code="one_open"
        ) from None
    _record_event(actor=lead, verb=Verb.PROPOSED_DECISION, movement=movement, proposal_id=proposal.pk, revision=1)
    return proposal


@transaction.atomic
def proposal_respond(*, proposal: Proposal, person: User, kind: str, reason: str = "") -> ProposalResponse:
    """Consent, abstain or object (with a reason). Changing one's response while the proposal is open is fine;
    a new objection needs a new answer."""
    proposal = _lock_open(proposal)
    require_member(movement=proposal.movement, person=person)
    if kind not in ResponseKind.values:
        raise ValidationError(_("Consent, abstain or object."), code="kind")
    if timezone.now() >= proposal.closes_at:
        raise ValidationError(_("The time to respond is over."), code="closed")
    reason = reason.strip()
    if kind == ResponseKind.OBJECT and not reason:
        raise ValidationError(_("Say why you object: the leads must answer it."), code="reason")
    response, _created = ProposalResponse.objects.update_or_create(
        proposal=proposal,
        person=person,
        defaults={
            "kind": kind,
            "reason": reason if kind == ResponseKind.OBJECT else "",
            "answer": "",
            "answered_by": None,
            "responded_at": timezone.now(),
        },
    )
    _record_event(
        actor=person,
        verb=Verb.RESPONDED_TO_PROPOSAL,
        movement=proposal.movement,
        proposal_id=proposal.pk,
        response_id=response.pk,
        kind=kind,
    )
    return response


@transaction.atomic
def objection_answer(*, response: ProposalResponse, lead: User, answer: str) -> ProposalResponse:
    proposal = _lock_open(response.proposal)
    require_lead(movement=proposal.movement, person=lead)
    response = ProposalResponse.objects.select_for_update().get(pk=response.pk, proposal=proposal)
    if response.kind != ResponseKind.OBJECT:
        raise ValidationError(_("Only objections are answered."), code="not_objection")
    if not answer.strip():
        raise ValidationError(_("Write the answer to the objection."), code="answer")
    response.answer, response.answered_by = answer.strip(), lead
    response.save(update_fields=["answer", "answered_by"])
    _record_event(
        actor=lead,
        verb=Verb.ANSWERED_OBJECTION,
        movement=proposal.movement,
        subject_person=None,
        proposal_id=proposal.pk,
        response_id=response.pk,
    )
    return response


@transaction.atomic
def proposal_revise(
    *, proposal: Proposal, lead: User, decision: str, rationale: str, new_end: dt.date | None = None
) -> Proposal:
    """A new version of the proposal: the responses start again, and so does the window."""
    proposal = _lock_open(proposal)
    require_lead(movement=proposal.movement, person=lead)
    new_end = _check(movement=proposal.movement, decision=decision, rationale=rationale, new_end=new_end)
    proposal.responses.all().delete()
    now = timezone.now()
    proposal.decision, proposal.new_end, proposal.rationale = decision, new_end, rationale.strip()
    proposal.revision += 1
    proposal.opened_at, proposal.closes_at = now, now + dt.timedelta(days=settings.DECISION_WINDOW_DAYS)
    proposal.measures = _measures_snapshot(proposal.movement)
    proposal.save()
    _record_event(
        actor=lead,
        verb=Verb.PROPOSED_DECISION,
        movement=proposal.movement,
        proposal_id=proposal.pk,
        revision=proposal.revision,
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, lead: User) -> Proposal:
    proposal = _lock_open(proposal)
    require_lead(movement=proposal.movement, person=lead)
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.save(update_fields=["status"])
    _record_event(actor=lead, verb=Verb.WITHDREW_PROPOSAL, movement=proposal.movement, proposal_id=proposal.pk)
    return proposal


def proposal_state(proposal: Proposal, *, member_count: int | None = None) -> dict:
    """Counts, the objections and whether the decision can be recorded now (2 queries)."""
    responses = list(proposal.responses.select_related("person", "answered_by"))
    if member_count is None:
        member_count = Membership.objects.current().filter(movement_id=proposal.movement_id).count()
    counts = {kind: sum(1 for r in responses if r.kind == kind) for kind in ResponseKind.values}
    objections = [r for r in responses if r.kind == ResponseKind.OBJECT]
    unanswered = [r for r in objections if not r.answer]
    everyone = len(responses) >= member_count
    window_over = timezone.now() >= proposal.closes_at
    return {
        "responses": responses,
        "counts": counts,
        "responded": len(responses),
        "member_count": member_count,
        "objections": objections,
        "unanswered": unanswered,
        "can_record": proposal.status == ProposalStatus.OPEN and not unanswered and (window_over or everyone),
        "window_over": window_over,
    }


@transaction.atomic
def proposal_record(*, proposal: Proposal, lead: User) -> Proposal:
    """Record the decision: the window closed (or every member responded) and no objection waits for an answer."""
    proposal = _lock_open(proposal)
    require_lead(movement=proposal.movement, person=lead)
    state = proposal_state(proposal)
    if state["unanswered"]:
        raise ValidationError(
            _("An objection is waiting for a lead's answer: answer it, revise or withdraw the proposal."),
            code="unanswered_objection",
        )
    if not state["can_record"]:
        raise ValidationError(
            _("The members have until %(date)s to respond (or until every member has).")
            % {"date": date_format(timezone.localtime(proposal.closes_at), "SHORT_DATETIME_FORMAT")},
            code="window_open",
        )
    now = timezone.now()
    proposal.status, proposal.recorded_at, proposal.recorded_by = ProposalStatus.RECORDED, now, lead
    proposal.measures = _measures_snapshot(proposal.movement)
    proposal.record = {
        "counts": state["counts"],
        "member_count": state["member_count"],
        "objections": [
            {
                "by": r.person.name,
                "reason": r.reason,
                "answer": r.answer,
                "answered_by": r.answered_by.name if r.answered_by else "",
            }
            for r in state["objections"]
        ],
    }
    proposal.save(update_fields=["status", "recorded_at", "recorded_by", "measures", "record"])
    rationale = _(
        "%(rationale)s\n\n(Proposed and consented: %(consent)s consent, %(abstain)s abstain, %(object)s object.)"
    ) % {
        "rationale": proposal.rationale,
        **state["counts"],
    }
    decision_record(
        movement=proposal.movement,
        actor=lead,
        decision=proposal.decision,
        rationale=rationale,
        new_end=proposal.new_end,
    )
    return proposal
