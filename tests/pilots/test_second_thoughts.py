"""Recording and withdrawing a pilot's decision ask once more: without JavaScript a POST without confirmed=yes
shows the confirmation page and changes nothing; with htmx the button asks (hx-confirm) and sends confirmed=yes."""

import pytest
from django.urls import reverse

from movements.models import Movement, Stage
from pilots import decisions
from pilots.models import Proposal, ProposalStatus


def url(movement):
    return reverse("pilots:proposal", args=[movement.slug])


@pytest.fixture
def ready(piloting, founder, join):
    """An open proposal every member has consented to: it can be recorded now."""
    member = join()
    proposal = decisions.proposal_open(movement=piloting, lead=founder, decision="adopt", rationale="It works")
    decisions.proposal_respond(proposal=proposal, person=member, kind="consent")
    decisions.proposal_respond(proposal=proposal, person=founder, kind="consent")
    return proposal


def test_recording_without_confirmation_shows_the_page_and_changes_nothing(client, piloting, founder, ready):
    client.force_login(founder)
    response = client.post(url(piloting), {"action": "record"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Record the decision: Adopt?" in page and "A recorded decision cannot be undone." in page
    assert "It works" in page  # the rationale, to read once more
    assert f'action="{url(piloting)}"' in page
    assert '<input type="hidden" name="action" value="record">' in page
    assert '<input type="hidden" name="confirmed" value="yes">' in page
    ready.refresh_from_db()
    assert ready.status == ProposalStatus.OPEN and Movement.objects.get().stage == Stage.PILOTING


def test_the_confirmed_post_records_the_decision(client, piloting, founder, ready):
    client.force_login(founder)
    response = client.post(url(piloting), {"action": "record", "confirmed": "yes"})
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.status == ProposalStatus.RECORDED and Movement.objects.get().stage == Stage.ADOPTED


def test_a_decision_that_cannot_be_recorded_yet_is_refused_without_asking(client, piloting, founder, join):
    join()  # a member who has not responded: the window is still open
    decisions.proposal_open(movement=piloting, lead=founder, decision="retire", rationale="Done")
    client.force_login(founder)
    page = client.post(url(piloting), {"action": "record"}).content.decode()
    assert "Record the decision: Retire?" not in page
    assert "The members have until" in page
    assert Proposal.objects.get().status == ProposalStatus.OPEN


def test_withdrawing_without_confirmation_shows_the_page_and_changes_nothing(client, piloting, founder, ready):
    client.force_login(founder)
    response = client.post(url(piloting), {"action": "withdraw"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Withdraw the proposal: Adopt?" in page and "no longer count" in page
    assert '<input type="hidden" name="action" value="withdraw">' in page
    ready.refresh_from_db()
    assert ready.status == ProposalStatus.OPEN
    client.post(url(piloting), {"action": "withdraw", "confirmed": "yes"})
    ready.refresh_from_db()
    assert ready.status == ProposalStatus.WITHDRAWN


def test_members_and_outsiders_get_no_confirmation_page(client, piloting, ready, join, outsider):
    client.force_login(join())
    for action in ("record", "withdraw"):
        assert client.post(url(piloting), {"action": action}).status_code == 403
    client.force_login(outsider)
    for action in ("record", "withdraw"):
        assert client.post(url(piloting), {"action": action}).status_code == 404
    ready.refresh_from_db()
    assert ready.status == ProposalStatus.OPEN


def test_with_htmx_the_buttons_ask_in_the_browser_and_send_the_confirmation(client, piloting, founder, ready):
    client.force_login(founder)
    page = client.get(url(piloting)).content.decode()
    assert page.count("""hx-vals='{"confirmed": "yes"}'""") == 2
    assert 'hx-confirm="Record the decision: Adopt? A recorded decision cannot be undone."' in page
    assert 'hx-confirm="Withdraw the proposal? The members’ responses to it no longer count."' in page
