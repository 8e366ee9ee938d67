"""Second thoughts in a real browser: with JavaScript the browser asks (hx-confirm), without it a confirmation
page does; either way nothing irreversible happens on one click."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from feedback import services as feedback_services
from feedback.models import Comment, Kind
from movements import services
from movements.models import Membership, Movement, Stage
from pilots import decisions
from pilots.models import ProposalStatus
from tests.factories import UserFactory


@pytest.fixture
def movement_with_member(transactional_db):
    founder = UserFactory(display_name="Fiona Founder")
    member = UserFactory(display_name="Max Member")
    movement = services.movement_start(founder=founder, title="Quiet hours", pitch="Focus.")
    services.membership_join(movement=movement, person=member)
    return movement, member


def page_for(browser, live_server, person, *, javascript: bool):
    """A signed-in page in its own browser context, with or without JavaScript."""
    context = browser.new_context(java_script_enabled=javascript)
    client = Client()
    client.force_login(person)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def test_with_javascript_leaving_asks_and_cancel_keeps_you_in(movement_with_member, live_server, page, sign_in):
    movement, member = movement_with_member
    sign_in(member)
    page.goto(f"{live_server.url}{movement.get_absolute_url()}")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Leave").click()
    page.wait_for_timeout(300)
    assert asked == ["Leave “Quiet hours”? Any seat you hold is freed for someone else."]
    assert Membership.objects.get(person=member).left_at is None
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Leave").click()
    expect(page.get_by_text("You left the movement.")).to_be_visible()
    assert page.url.endswith(movement.get_absolute_url())  # swapped in place by htmx
    assert Membership.objects.get(person=member).left_at is not None


def test_without_javascript_leaving_goes_through_a_confirmation_page(movement_with_member, live_server, browser):
    movement, member = movement_with_member
    page = page_for(browser, live_server, member, javascript=False)
    page.goto(f"{live_server.url}{movement.get_absolute_url()}")
    page.get_by_role("button", name="Leave").click()
    expect(page.get_by_role("heading", name="Leave “Quiet hours”?")).to_be_visible()
    assert Membership.objects.get(person=member).left_at is None
    page.get_by_role("button", name="Leave the movement").click()
    expect(page.get_by_text("You left the movement.")).to_be_visible()
    assert Membership.objects.get(person=member).left_at is not None
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_deleting_a_comment_goes_through_a_confirmation_page(transactional_db, live_server, browser, javascript):
    author = UserFactory(display_name="Carl Commenter")
    post = feedback_services.feedback_post(
        person=UserFactory(), kind=Kind.DOESNT, title="Printers", body="Jam.", anonymous=False
    )
    feedback_services.comment_add(feedback=post, author=author, body="Oops, wrong post")
    page = page_for(browser, live_server, author, javascript=javascript)
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    page.locator(".comment").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete your comment?")).to_be_visible()
    assert Comment.objects.count() == 1
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_text("Oops, wrong post")).to_be_visible()
    page.locator(".comment").get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete the comment").click()
    expect(page.get_by_text("Your comment is deleted.")).to_be_visible()
    assert Comment.objects.count() == 0
    page.context.close()


@pytest.fixture
def proposal_ready(transactional_db):
    """A pilot whose proposal to adopt every member consented to: a lead can record it now."""
    founder = UserFactory(display_name="Fiona Founder")
    member = UserFactory(display_name="Max Member")
    movement = services.movement_start(founder=founder, title="Quiet hours", pitch="Focus.")
    services.membership_join(movement=movement, person=member)
    services.pilot_start(
        movement=movement,
        actor=founder,
        hypothesis="Quiet hours help",
        success_measure="Fewer late evenings",
        start=datetime.date.today() - datetime.timedelta(days=30),
        end=datetime.date.today() + datetime.timedelta(days=10),
        rationale="Enough people",
    )
    proposal = decisions.proposal_open(movement=movement, lead=founder, decision="adopt", rationale="It works")
    for person in (founder, member):
        decisions.proposal_respond(proposal=proposal, person=person, kind="consent")
    return movement, founder, proposal


@pytest.mark.parametrize("button", ["Record the decision: Adopt", "Withdraw the proposal"])
def test_with_javascript_the_proposal_buttons_ask_and_cancel_changes_nothing(
    proposal_ready, live_server, browser, button
):
    movement, founder, proposal = proposal_ready
    page = page_for(browser, live_server, founder, javascript=True)
    page.goto(f"{live_server.url}{reverse('pilots:proposal', args=[movement.slug])}")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name=button).click()
    page.wait_for_timeout(300)
    assert len(asked) == 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=button).click()
    done = "The decision was recorded." if button.startswith("Record") else "The proposal was withdrawn."
    expect(page.get_by_text(done)).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == (ProposalStatus.RECORDED if button.startswith("Record") else ProposalStatus.WITHDRAWN)
    assert Movement.objects.get().stage == (Stage.ADOPTED if button.startswith("Record") else Stage.PILOTING)
    page.context.close()


@pytest.mark.parametrize(
    ("button", "heading", "confirm"),
    [
        ("Record the decision: Adopt", "Record the decision: Adopt?", "Record the decision"),
        ("Withdraw the proposal", "Withdraw the proposal: Adopt?", "Withdraw the proposal"),
    ],
)
def test_without_javascript_the_proposal_buttons_go_through_a_confirmation_page(
    proposal_ready, live_server, browser, button, heading, confirm
):
    movement, founder, proposal = proposal_ready
    page = page_for(browser, live_server, founder, javascript=False)
    page.goto(f"{live_server.url}{reverse('pilots:proposal', args=[movement.slug])}")
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", name="The pilot's decision")).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    page.get_by_role("button", name=button).click()
    page.get_by_role("button", name=confirm, exact=True).click()
    proposal.refresh_from_db()
    assert proposal.status in (ProposalStatus.RECORDED, ProposalStatus.WITHDRAWN)
    page.context.close()
