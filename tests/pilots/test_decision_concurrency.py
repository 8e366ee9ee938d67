"""Concurrent responses and records against the real PostgreSQL: each thread has its own connection and
transaction. Never two decisions, never a decision recorded with an objection left open."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from movements import services as movement_services
from movements.models import Membership, Movement, Stage, StageChange
from pilots import decisions
from pilots.models import Proposal, ProposalResponse, ProposalStatus
from tests.factories import UserFactory
from tests.movements.test_concurrency import run_at_once


@pytest.fixture
def pilot(transactional_db):
    assert connection.vendor == "postgresql"
    founder = UserFactory()
    co_lead = UserFactory()
    movement = movement_services.movement_start(founder=founder, title="Busy pilot", pitch="P")
    membership = movement_services.membership_join(movement=movement, person=co_lead)
    movement_services.lead_add(movement=movement, actor=founder, membership=membership)
    members = [UserFactory() for _ in range(20)]
    for person in members:
        movement_services.membership_join(movement=movement, person=person)
    today = timezone.now().date()
    movement_services.pilot_start(
        movement=movement,
        actor=founder,
        hypothesis="H",
        success_measure="S",
        start=today - dt.timedelta(days=10),
        end=today + dt.timedelta(days=20),
        rationale="R",
    )
    proposal = decisions.proposal_open(movement=movement, lead=founder, decision="adopt", rationale="Works")
    for person in [founder, co_lead, *members]:
        decisions.proposal_respond(proposal=proposal, person=person, kind="consent")
    return movement, founder, co_lead, members, proposal


def test_twenty_members_objecting_while_a_lead_records_never_leave_an_open_objection(pilot):
    movement, founder, _co_lead, members, proposal = pilot
    targets = [
        lambda p=p: decisions.proposal_respond(
            proposal=Proposal.objects.get(pk=proposal.pk), person=p, kind="object", reason="Wait"
        )
        for p in members
    ]
    targets.insert(10, lambda: decisions.proposal_record(proposal=Proposal.objects.get(pk=proposal.pk), lead=founder))
    results = run_at_once(targets)
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)], results
    proposal.refresh_from_db()
    objections = ProposalResponse.objects.filter(proposal=proposal, kind="object")
    if proposal.status == ProposalStatus.RECORDED:
        # Recorded first: every later objection was refused, and the record shows none.
        assert not objections.exists() and proposal.record["counts"]["object"] == 0
        assert Movement.objects.get().stage == Stage.ADOPTED
    else:
        # An objection came first: the record was refused, the pilot still runs.
        assert objections.exists() and Movement.objects.get().stage == Stage.PILOTING
    assert StageChange.objects.filter(movement=movement).exclude(decision="").count() <= 1


def test_two_leads_recording_at_once_record_one_decision(pilot):
    movement, founder, co_lead, _members, proposal = pilot
    results = run_at_once(
        [
            lambda lead=lead: decisions.proposal_record(proposal=Proposal.objects.get(pk=proposal.pk), lead=lead)
            for lead in (founder, co_lead)
        ]
    )
    recorded = [r for r in results if isinstance(r, Proposal)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(recorded), len(refused)) == (1, 1), results
    assert StageChange.objects.filter(movement=movement, decision="adopt").count() == 1
    assert Movement.objects.get().stage == Stage.ADOPTED
    assert Membership.objects.filter(movement=movement).count() == 22
