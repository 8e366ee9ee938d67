"""A champion starts a movement, a first follower joins and takes a role, a third person accepts an invitation."""

import re

import pytest
from playwright.sync_api import expect

from movements.models import Invitation, Membership, Movement, RoleAssignment
from tests.factories import UserFactory


@pytest.fixture
def people(transactional_db):
    return {
        "champion": UserFactory(display_name="Charlie Champion"),
        "follower": UserFactory(display_name="Fatima Follower"),
        "third": UserFactory(display_name="Theo Third"),
    }


def switch_to(page, login_in_browser, person):
    page.context.clear_cookies()
    login_in_browser(person)


def test_a_movement_grows_from_founder_to_first_follower_to_third(live_server, page, people, login_in_browser, axe):
    champion, follower, third = people["champion"], people["follower"], people["third"]

    # The champion starts a movement with two roles.
    login_in_browser(champion)
    page.goto(f"{live_server.url}/movements/new/")
    assert axe(page) == []
    page.get_by_label("Title").fill("Open calendars")
    page.get_by_label("Why it matters").fill("See when colleagues are free without asking.")
    page.get_by_label("The problem").fill("Scheduling a meeting takes days of email.")
    page.get_by_label("Evangelist", exact=True).check()
    page.get_by_label("Seats for Evangelist").fill("2")
    page.get_by_label("Your own role 1: name").fill("Calendar doctor")
    page.get_by_label("Your own role 1: seats").fill("1")
    page.get_by_role("button", name="Start the movement").click()
    page.wait_for_url(re.compile(r"/movements/open-calendars/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Open calendars")
    assert axe(page) == []
    movement = Movement.objects.get(slug="open-calendars")
    assert sorted(movement.roles.values_list("name", flat=True)) == ["Calendar doctor", "Evangelist"]

    # A second person finds it in the list, follows, and stands beside the founder as first follower.
    switch_to(page, login_in_browser, follower)
    page.goto(f"{live_server.url}/movements/")
    assert axe(page) == []
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Search").fill("calendars")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#results")).to_contain_text("1 movement")
    expect(page).to_have_url(re.compile(r"\?q=calendars"))
    assert page.evaluate("window.stillTheSamePage") is True  # htmx swapped the results in place
    page.get_by_role("link", name="Open calendars").click()
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_text("You are one of the first followers")).to_be_visible()
    core = page.locator(".core-row .core-person")
    expect(core.nth(0)).to_contain_text("Charlie Champion")
    expect(core.nth(0)).to_contain_text("founder")
    expect(core.nth(1)).to_contain_text("Fatima Follower")
    expect(core.nth(1)).to_contain_text("first follower")

    # ... claims a role (htmx swaps the page body in place) ...
    page.get_by_role("button", name="Claim Calendar doctor").click()
    expect(page.get_by_text("You took a seat as Calendar doctor")).to_be_visible()
    expect(page.get_by_role("button", name="Release my seat as Calendar doctor")).to_be_visible()
    assert RoleAssignment.objects.get().person == follower

    # ... and invites a third person from the directory.
    page.get_by_role("link", name="Invite a colleague").click()
    page.get_by_label("Find a colleague by name").fill("Theo")
    page.get_by_role("button", name="Search").click()
    page.get_by_label(re.compile("Theo Third")).check()
    page.get_by_label("Personal note").fill("You always ask for this!")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to Theo Third.")).to_be_visible()
    invitation = Invitation.objects.get()

    # The third person accepts; the chain shows founder → first follower → third.
    switch_to(page, login_in_browser, third)
    page.goto(f"{live_server.url}/movements/invitations/{invitation.token}/")
    expect(page.get_by_text("You always ask for this!")).to_be_visible()
    page.get_by_role("button", name="Accept and join").click()
    page.wait_for_url(re.compile(r"/movements/open-calendars/$"))
    chain = page.locator("ul.chain").first
    founder_item = chain.locator(":scope > li").first
    expect(founder_item.locator(".chain-person").first).to_contain_text("Charlie Champion")
    follower_item = founder_item.locator(":scope > ul > li").first
    expect(follower_item.locator(".chain-person").first).to_contain_text("Fatima Follower")
    expect(follower_item.locator(":scope > ul > li").first).to_contain_text("Theo Third")
    assert Membership.objects.get(person=third).recruited_by == follower
    assert axe(page) == []


def test_the_lead_forms_have_no_accessibility_violations_even_with_errors(
    live_server, page, people, login_in_browser, axe
):
    from movements import services
    from movements.services import RoleSpec

    champion, follower = people["champion"], people["follower"]
    movement = services.movement_start(
        founder=champion, title="Quiet hours", pitch="Focus time.", roles=[RoleSpec("Trainer", 2)]
    )
    services.membership_join(movement=movement, person=follower)
    login_in_browser(champion)
    base = f"{live_server.url}/movements/{movement.slug}"

    page.goto(f"{base}/roles/")
    page.get_by_role("button", name="Add role").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert axe(page) == []

    page.goto(f"{base}/invite/?who=fatima")
    expect(page.get_by_label(re.compile("Fatima Follower"))).to_have_count(0)  # already follows: not offered
    assert axe(page) == []

    page.goto(f"{base}/welcome/")
    expect(page.get_by_label("Fatima Follower")).to_be_checked()
    assert axe(page) == []

    page.goto(f"{base}/pilot/")
    page.get_by_label("Hypothesis").fill("If we keep quiet hours, we finish more")
    page.get_by_label("Success measure").fill("Fewer late evenings")
    page.get_by_label("Pilot start").fill("2026-03-01")
    page.get_by_label("Pilot end").fill("2026-02-01")
    page.get_by_label("Why now").fill("Enough people")
    page.get_by_role("button", name="Start the pilot").click()
    expect(page.get_by_text("The pilot cannot end before it starts.")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Pilot end").fill("2026-04-01")
    page.get_by_role("button", name="Start the pilot").click()
    expect(page.locator(".stage-piloting").first).to_be_visible()

    # The decision is shared: the old decision page leads to the proposal the members respond to.
    page.goto(f"{base}/decision/")
    expect(page).to_have_url(re.compile(r"/proposal/$"))
    page.get_by_label("Adopt").check()
    page.get_by_role("button", name="Propose").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert axe(page) == []
