"""A lead asks a manager to sponsor; the manager accepts; the lead asks for help; the sponsor grants it and
sanctions the movement; the manager's organisation page shows the movement with suppressed small counts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from movements import services as movement_services
from sponsors.models import Sanction, Sponsorship, SupportRequest
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture
def people(transactional_db):
    department = DepartmentFactory(name="Engineering")
    manager = UserFactory(display_name="Mia Manager", job_title="Head of Engineering", department=department)
    lead = UserFactory(display_name="Lena Lead", department=department, manager=manager)
    movement = movement_services.movement_start(
        founder=lead, title="Open calendars", pitch="See when colleagues are free.", roles=[]
    )
    return {"manager": manager, "lead": lead, "movement": movement}


def switch_to(page, login_in_browser, person):
    page.context.clear_cookies()
    login_in_browser(person)


def test_a_lead_finds_a_sponsor_who_grants_help_and_sanctions_it(live_server, page, people, login_in_browser, axe):
    manager, lead, movement = people["manager"], people["lead"], people["movement"]
    movement_url = f"{live_server.url}{movement.get_absolute_url()}"

    # The lead asks the manager to sponsor the movement.
    login_in_browser(lead)
    page.goto(movement_url)
    expect(page.get_by_text("No sponsor yet.")).to_be_visible()
    page.get_by_role("link", name="Ask someone to sponsor it").click()
    assert axe(page) == []
    page.get_by_label("Find a colleague by name").fill("Mia")
    page.get_by_role("button", name="Search").click()
    page.get_by_label(re.compile("Mia Manager")).check()
    page.get_by_label("Why you ask them (optional)").fill("You asked for fewer meeting emails.")
    page.get_by_role("button", name="Ask to sponsor").click()
    expect(page.get_by_text("You asked Mia Manager to sponsor the movement.")).to_be_visible()
    expect(page.get_by_text("Asked, no answer yet: Mia Manager")).to_be_visible()

    # The manager answers from the movement page: sees the pitch and the figures, accepts with a line.
    switch_to(page, login_in_browser, manager)
    page.goto(movement_url)
    page.get_by_role("link", name="You were asked to sponsor this movement: answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Will you sponsor “Open calendars”?")
    expect(page.get_by_text("See when colleagues are free.")).to_be_visible()
    expect(page.get_by_text("You asked for fewer meeting emails.")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Yes, I will sponsor it").check()
    page.get_by_label("Endorsement or note (optional)").fill("Calendars save us hours every week.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Thank you: you sponsor this movement now.")).to_be_visible()
    expect(page.locator("#sponsors")).to_contain_text("Calendars save us hours every week.")
    assert Sponsorship.objects.get().status == "accepted"

    # The lead asks the sponsors for help.
    switch_to(page, login_in_browser, lead)
    page.goto(movement_url)
    page.get_by_role("link", name="Ask the sponsors for help").click()
    assert axe(page) == []
    page.get_by_label("A decision").check()
    page.get_by_label("In one line").fill("Make shared calendars the default")
    page.get_by_label("Needed by").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    page.get_by_label("Why").fill("Opt-in keeps most calendars closed.")
    page.get_by_role("button", name="Send to the sponsors").click()
    expect(page.get_by_text("Your request went to the sponsors.")).to_be_visible()

    # The sponsor grants it, then marks the movement officially sanctioned.
    switch_to(page, login_in_browser, manager)
    page.goto(movement_url)
    page.get_by_role("link", name="Answer “Make shared calendars the default”").click()
    assert axe(page) == []
    page.get_by_label("Granted").check()
    page.get_by_label("Note to the leads").fill("Approved for Engineering from next month.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Your answer went to the leads.")).to_be_visible()
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Asked the sponsors for help (A decision): Make shared calendars the default")
    expect(timeline).to_contain_text("Approved for Engineering from next month.")
    assert SupportRequest.objects.get().status == "granted"
    page.get_by_role("link", name="Mark it officially sanctioned").click()
    assert axe(page) == []
    page.get_by_label("What the sanction allows").fill("Pilot in working hours.")
    page.get_by_role("button", name="Sanction it officially").click()
    expect(page.get_by_text("The movement is officially sanctioned.")).to_be_visible()
    expect(page.locator("#sponsors .badge-sanctioned")).to_have_text("Officially sanctioned")
    assert axe(page) == []
    assert Sanction.objects.get().in_force

    # The movement list finds it with the "officially sanctioned" filter.
    page.goto(f"{live_server.url}/movements/")
    page.get_by_label("Officially sanctioned only").check()
    expect(page.locator("#results")).to_contain_text("1 movement")
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")).to_have_count(
        0
    )  # axe after htmx is done
    assert axe(page) == []

    # The manager's organisation page: the movement their report leads, and small counts suppressed.
    page.get_by_text("Mia Manager").click()
    page.get_by_role("link", name="My organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My organisation")
    expect(page.get_by_text("led by Lena Lead")).to_be_visible()
    expect(page.locator(".stat-cards")).to_contain_text("fewer than 5")
    expect(page.locator(".stat-cards")).not_to_contain_text("1")
    assert axe(page) == []
