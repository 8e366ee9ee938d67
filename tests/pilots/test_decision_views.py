"""The decision page: leads propose, answer, record; members respond; outsiders get 404 and nothing changes."""

import pytest
from django.urls import reverse

from movements.models import Movement, Stage
from pilots import decisions
from pilots.models import Proposal, ProposalResponse, ProposalStatus
from tests.factories import UserFactory


def url(movement):
    return reverse("pilots:proposal", args=[movement.slug])


@pytest.fixture
def members(join):
    return [join() for _ in range(2)]


def test_the_whole_round_through_the_page(client, piloting, founder, members):
    client.force_login(founder)
    assert "Propose the decision" in client.get(url(piloting)).content.decode()
    client.post(url(piloting), {"action": "propose", "decision": "adopt", "rationale": "It works"})
    proposal = Proposal.objects.get()
    client.force_login(members[0])
    client.post(url(piloting), {"action": "respond", "kind": "object", "reason": "Not for night shifts"})
    client.force_login(members[1])
    client.post(url(piloting), {"action": "respond", "kind": "consent"})
    client.force_login(founder)
    page = client.get(url(piloting)).content.decode()
    assert "Not for night shifts" in page and "An objection is waiting for an answer" in page
    refused = client.post(url(piloting), {"action": "record"})
    assert "An objection is waiting" in refused.content.decode()
    objection = ProposalResponse.objects.get(kind="object")
    client.post(url(piloting), {"action": "answer", "response": objection.pk, "answer": "Night shifts opt in"})
    client.post(url(piloting), {"action": "respond", "kind": "consent"})
    response = client.post(url(piloting), {"action": "record", "confirmed": "yes"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.RECORDED and Movement.objects.get().stage == Stage.ADOPTED
    record = client.get(url(piloting)).content.decode()
    assert "Decisions recorded" in record and "Night shifts opt in" in record
    assert "2 consent, 0 abstain, 1 object, of 3 members" in record


def test_a_bad_proposal_comes_back_with_its_message(client, piloting, founder):
    client.force_login(founder)
    response = client.post(url(piloting), {"action": "propose", "decision": "extend", "rationale": "More"})
    assert response.status_code == 200 and "An extension needs a new end date." in response.content.decode()
    assert not Proposal.objects.exists()


def test_members_cannot_use_lead_actions_and_outsiders_get_404(
    client, piloting, founder, members, outsider, department
):
    proposal = decisions.proposal_open(movement=piloting, lead=founder, decision="retire", rationale="Done")
    client.force_login(members[0])
    for action in ("record", "withdraw", "revise", "answer"):
        assert client.post(url(piloting), {"action": action}).status_code == 403
    client.force_login(UserFactory(department=department))  # sees it, does not follow it
    assert client.get(url(piloting)).status_code == 403
    assert client.post(url(piloting), {"action": "respond", "kind": "consent"}).status_code == 403
    client.force_login(outsider)
    assert client.get(url(piloting)).status_code == 404
    assert client.post(url(piloting), {"action": "respond", "kind": "consent"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN and not ProposalResponse.objects.exists()


@pytest.mark.parametrize("size", [5, 50])
def test_the_page_costs_the_same_queries_for_5_and_50_members(
    client, piloting, founder, join, size, django_assert_num_queries
):
    people = [join() for _ in range(size)]
    proposal = decisions.proposal_open(movement=piloting, lead=founder, decision="adopt", rationale="Works")
    for person in people:
        decisions.proposal_respond(proposal=proposal, person=person, kind="object", reason="Why?")
    target = url(piloting)
    client.force_login(founder)
    # session (+ person, department: one query), viewer's department (visible_to), movement, the viewer's membership, the open proposal
    # (+ proposer), its responses (+ people, answerers), the member count, recorded decisions
    with django_assert_num_queries(7):
        assert client.get(target).status_code == 200
