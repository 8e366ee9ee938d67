"""A lead starts a pilot with a computed and a hand-recorded measure and records values; five members answer
a pulse (four show "fewer than 5"); a member objects to the proposal, the lead answers, the rest consent,
and the decision record shows it all. axe-core finds nothing on every new page."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from movements import services as movement_services
from pilots import decisions, pulses
from pilots.models import Proposal, Pulse
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture
def crew(transactional_db):
    department = DepartmentFactory(name="Engineering")
    lead = UserFactory(display_name="Lena Lead", department=department)
    members = [UserFactory(display_name=f"Member {n}", department=department) for n in range(1, 6)]
    movement = movement_services.movement_start(founder=lead, title="Quiet hours", pitch="Fewer interruptions.")
    for person in members:
        movement_services.membership_join(movement=movement, person=person)
    return lead, members, movement


def test_measures_pulse_and_a_shared_decision(live_server, page, crew, sign_in, axe):
    lead, members, movement = crew
    base = f"{live_server.url}{movement.get_absolute_url()}"
    today = timezone.now().date()

    # The lead starts the pilot and is asked for its measures.
    sign_in(lead)
    page.goto(f"{base}pilot/")
    page.get_by_label("Hypothesis").fill("Quiet mornings help us finish more")
    page.get_by_label("Success measure").fill("Fewer hours in meetings")
    page.get_by_label("Pilot start").fill((today - dt.timedelta(days=10)).isoformat())
    page.get_by_label("Pilot end").fill((today + dt.timedelta(days=40)).isoformat())
    page.get_by_label("Why now").fill("Enough people")
    page.get_by_role("button", name="Start the pilot").click()
    expect(page.get_by_role("heading", name="Success measures")).to_be_visible()
    assert axe(page) == []

    page.get_by_label("Name").fill("Followers")
    page.get_by_label("Followers", exact=True).check()
    page.get_by_label("Up: higher is better").check()
    page.get_by_label("Baseline").fill("5")
    page.get_by_label("Target").fill("5")
    page.get_by_role("button", name="Add the measure").click()
    expect(page.get_by_text("The target equals the baseline")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Target").fill("12")
    page.get_by_role("button", name="Add the measure").click()
    expect(page.get_by_text("The measure was added.")).to_be_visible()

    page.get_by_label("Name").fill("Hours in meetings")
    page.get_by_label("Recorded by hand", exact=True).check()
    page.get_by_role("textbox", name="Unit (recorded by hand)").fill("hours")
    page.get_by_label("Down: lower is better").check()
    page.get_by_label("Baseline").fill("12")
    page.get_by_label("Target").fill("8")
    page.get_by_role("button", name="Add the measure").click()
    expect(page.get_by_text("The measure was added.")).to_be_visible()

    # Values: one from the future is refused with a message, then two real ones.
    page.goto(f"{base}measures/record/")
    page.get_by_role("combobox", name="Measure").select_option(label="Hours in meetings (hours)")
    page.get_by_label("Measured on").fill((today + dt.timedelta(days=1)).isoformat())
    page.get_by_label("Value").fill("11")
    page.get_by_role("button", name="Record the value").click()
    expect(page.get_by_text("That day has not come yet")).to_be_visible()
    assert axe(page) == []
    for days_ago, value in ((9, "11.5"), (2, "10")):
        page.goto(f"{base}measures/record/")
        page.get_by_role("combobox", name="Measure").select_option(label="Hours in meetings (hours)")
        page.get_by_label("Measured on").fill((today - dt.timedelta(days=days_ago)).isoformat())
        page.get_by_label("Value").fill(value)
        page.get_by_label("Note (optional)").fill("From the shared calendars")
        page.get_by_role("button", name="Record the value").click()
        expect(page.get_by_text("The value was recorded.")).to_be_visible()
    measures = page.locator("#measures")
    expect(measures.locator("svg .target-line")).to_have_count(2)
    expect(measures.get_by_role("cell", name="From the shared calendars").first).to_be_visible()
    expect(measures.get_by_text("On track").or_(measures.get_by_text("Off track")).first).to_be_visible()

    # A pulse opens (the beat); the first member answers in the browser, three more by the service.
    pulses.pulses_open_due()
    pulse = Pulse.objects.get()
    page.context.clear_cookies()
    sign_in(members[0])
    page.goto(f"{base}pulse/")
    expect(page.get_by_text("What anonymity means here")).to_be_visible()
    assert axe(page) == []
    page.locator("input[name=q0][value='4']").check()
    page.locator("input[name=q1][value='5']").check()
    page.get_by_label("What works? (optional)").fill("Mornings without pings")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Your answer is stored without your name")).to_be_visible()
    for person in members[1:4]:
        pulses.pulse_answer(pulse=pulse, person=person, scores=[3, 4])
    pulses.pulses_tick()
    page.goto(base)
    expect(page.get_by_text("Fewer than 5 answers: not shown.")).to_be_visible()
    pulses.pulse_answer(pulse=pulse, person=members[4], scores=[5, 5])
    pulses.pulses_tick()
    page.reload()
    expect(page.get_by_text("Fewer than 5 answers: not shown.")).to_have_count(0)
    expect(page.get_by_text("Mornings without pings")).to_be_visible()
    expect(page.locator(".pulse-means").get_by_text("3.6")).to_be_visible()
    assert axe(page) == []

    # The lead proposes to adopt; a member objects; the lead answers; the rest consent; the lead records.
    page.context.clear_cookies()
    sign_in(lead)
    page.goto(f"{base}proposal/")
    page.get_by_role("radio", name="Adopt").check()
    page.get_by_label("Rationale").fill("Meetings went down and people like it")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_text("Your proposal is open")).to_be_visible()
    assert axe(page) == []
    page.context.clear_cookies()
    sign_in(members[0])
    page.goto(f"{base}proposal/")
    page.get_by_role("radio", name="Object").check()
    page.get_by_role("textbox", name="Reason (needed to object)").fill("Night shifts were not asked")
    page.get_by_role("button", name="Send my response").click()
    expect(page.get_by_text("Your response was recorded.")).to_be_visible()
    assert axe(page) == []
    page.context.clear_cookies()
    sign_in(lead)
    page.goto(f"{base}proposal/")
    expect(page.get_by_text("An objection is waiting for an answer: answer it first.")).to_be_visible()
    page.get_by_label("Your answer to Member 1").fill("Night shifts keep their own hours")
    page.get_by_role("button", name="Answer the objection").click()
    expect(page.get_by_text("Your answer to the objection was recorded.")).to_be_visible()
    proposal = Proposal.objects.get()
    for person in [lead, *members[1:]]:
        decisions.proposal_respond(proposal=proposal, person=person, kind="consent")
    page.reload()
    page.once("dialog", lambda dialog: dialog.accept())  # second thoughts: htmx asks with hx-confirm
    page.get_by_role("button", name="Record the decision: Adopt").click()
    record = page.locator(".decision-record")
    expect(record.get_by_text("5 consent, 0 abstain, 1 object, of 6 members")).to_be_visible()
    expect(record.get_by_text("Night shifts were not asked")).to_be_visible()
    expect(record.get_by_text("Night shifts keep their own hours")).to_be_visible()
    expect(record.get_by_role("cell", name="Hours in meetings (hours)")).to_be_visible()
    assert axe(page) == []
