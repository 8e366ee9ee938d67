"""A decision the followers share: propose, respond (consent, abstain, object), answer objections, revise,
withdraw, record; one open proposal per movement; nudges through the outbox."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from activity.models import Activity, Verb
from movements.models import Movement, Stage, StageChange
from nudges.models import Kind, Nudge
from pilots import decisions
from pilots.models import Proposal, ProposalResponse, ProposalStatus


@pytest.fixture
def members(join):
    return [join() for _ in range(3)]


@pytest.fixture
def proposal(piloting, founder, members):
    return decisions.proposal_open(movement=piloting, lead=founder, decision="adopt", rationale="It works")


def test_a_lead_proposes_and_the_members_are_asked(proposal, founder, members):
    assert proposal.status == ProposalStatus.OPEN and proposal.closes_at == proposal.opened_at + dt.timedelta(days=5)
    event = Activity.objects.get(verb=Verb.PROPOSED_DECISION)
    assert event.actor == founder and event.payload["proposal_id"] == proposal.pk
    asked = set(Nudge.objects.filter(kind=Kind.PROPOSAL_OPENED).values_list("recipient_id", flat=True))
    assert asked == {m.pk for m in members}  # not the proposer
    closing = Nudge.objects.filter(kind=Kind.PROPOSAL_CLOSING)
    assert closing.count() == 3 and {n.due_at for n in closing} == {proposal.closes_at - dt.timedelta(hours=24)}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"decision": "adopt", "rationale": "  "}, "a proposal needs a rationale"),
        ({"decision": "extend", "rationale": "More"}, "An extension needs a new end date."),
        ({"decision": "extend", "rationale": "More", "new_end": dt.date(2026, 4, 1)}, "must be after the current end"),
        ({"decision": "merge", "rationale": "?"}, "Propose to adopt, extend or retire."),
    ],
)
def test_bad_proposals_are_refused_and_nothing_changes(piloting, founder, fields, message):
    with pytest.raises(ValidationError, match=message):
        decisions.proposal_open(movement=piloting, lead=founder, **fields)
    assert not Proposal.objects.exists() and not Nudge.objects.filter(kind=Kind.PROPOSAL_OPENED).exists()


def test_only_leads_propose_and_only_one_proposal_is_open(proposal, piloting, founder, members):
    with pytest.raises(PermissionDenied):
        decisions.proposal_open(movement=piloting, lead=members[0], decision="retire", rationale="No")
    with pytest.raises(ValidationError, match="already has an open proposal"):
        decisions.proposal_open(movement=piloting, lead=founder, decision="retire", rationale="No")
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.create(
            movement=piloting, decision="retire", rationale="x", closes_at=proposal.closes_at, status="open"
        )
    assert Proposal.objects.count() == 1


def test_an_objection_needs_a_reason_and_a_lead_is_told(proposal, founder, members):
    with pytest.raises(ValidationError, match="Say why you object"):
        decisions.proposal_respond(proposal=proposal, person=members[0], kind="object", reason=" ")
    decisions.proposal_respond(proposal=proposal, person=members[0], kind="object", reason="Too early")
    [nudge] = Nudge.objects.filter(kind=Kind.OBJECTION_RAISED)
    assert (nudge.recipient, nudge.subject_person) == (founder, members[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalResponse.objects.create(proposal=proposal, person=members[1], kind="object", reason="")


def test_responding_cancels_the_24_hour_reminder(proposal, members):
    decisions.proposal_respond(proposal=proposal, person=members[0], kind="consent")
    reminders = {n.recipient_id: n.cancelled_at for n in Nudge.objects.filter(kind=Kind.PROPOSAL_CLOSING)}
    assert reminders[members[0].pk] is not None and reminders[members[1].pk] is None


def test_outsiders_and_non_members_cannot_respond(proposal, outsider):
    with pytest.raises(PermissionDenied):
        decisions.proposal_respond(proposal=proposal, person=outsider, kind="consent")
    assert not ProposalResponse.objects.exists()


def test_an_unanswered_objection_blocks_the_record_until_a_lead_answers(proposal, founder, members):
    decisions.proposal_respond(proposal=proposal, person=members[0], kind="object", reason="Too early")
    for person in (founder, *members[1:]):
        decisions.proposal_respond(proposal=proposal, person=person, kind="consent")
    with pytest.raises(ValidationError, match="An objection is waiting"):
        decisions.proposal_record(proposal=proposal, lead=founder)
    assert Movement.objects.get().stage == Stage.PILOTING
    objection = ProposalResponse.objects.get(kind="object")
    with pytest.raises(PermissionDenied):
        decisions.objection_answer(response=objection, lead=members[1], answer="No")
    decisions.objection_answer(response=objection, lead=founder, answer="We extend the training")
    recorded = decisions.proposal_record(proposal=proposal, lead=founder)
    assert recorded.status == ProposalStatus.RECORDED and Movement.objects.get().stage == Stage.ADOPTED
    assert recorded.record["counts"] == {"consent": 3, "abstain": 0, "object": 1}
    assert recorded.record["objections"][0]["answer"] == "We extend the training"
    assert StageChange.objects.filter(decision="adopt").exists()


def test_the_record_waits_for_the_window_or_every_member(proposal, founder, members, traveller):
    decisions.proposal_respond(proposal=proposal, person=members[0], kind="consent")
    with pytest.raises(ValidationError, match="The members have until"):
        decisions.proposal_record(proposal=proposal, lead=founder)
    traveller.move_to(proposal.closes_at + dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="The time to respond is over."):
        decisions.proposal_respond(proposal=proposal, person=members[1], kind="object", reason="Late")
    assert decisions.proposal_record(proposal=proposal, lead=founder).status == ProposalStatus.RECORDED


def test_revising_resets_the_responses_and_the_window(proposal, founder, members, traveller):
    decisions.proposal_respond(proposal=proposal, person=members[0], kind="object", reason="Too early")
    traveller.shift(dt.timedelta(days=2))
    revised = decisions.proposal_revise(
        proposal=proposal, lead=founder, decision="extend", rationale="More time", new_end=dt.date(2026, 5, 31)
    )
    assert revised.revision == 2 and not ProposalResponse.objects.exists()
    assert revised.closes_at == revised.opened_at + dt.timedelta(days=5)
    assert Nudge.objects.filter(kind=Kind.PROPOSAL_OPENED, dedupe_key__contains=":r2:").count() == 3


def test_withdrawing_closes_it_and_a_new_one_can_open(proposal, piloting, founder):
    decisions.proposal_withdraw(proposal=proposal, lead=founder)
    with pytest.raises(ValidationError, match="no longer open"):
        decisions.proposal_record(proposal=proposal, lead=founder)
    decisions.proposal_open(movement=piloting, lead=founder, decision="retire", rationale="Enough")
    assert Proposal.objects.filter(status="open").count() == 1


def test_an_extension_recorded_keeps_the_pilot_running_with_the_new_end(piloting, founder, members, traveller):
    proposal = decisions.proposal_open(
        movement=piloting, lead=founder, decision="extend", rationale="More", new_end=dt.date(2026, 5, 31)
    )
    for person in (founder, *members):
        decisions.proposal_respond(proposal=proposal, person=person, kind="abstain")
    decisions.proposal_record(proposal=proposal, lead=founder)
    movement = Movement.objects.get()
    assert (movement.stage, movement.pilot_end) == (Stage.PILOTING, dt.date(2026, 5, 31))
