"""The dashboard in a real browser: htmx range change, a CSV download, and no accessibility violations."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from activity.models import Activity, Verb
from feedback.models import Kind
from movements.models import Role, RoleAssignment
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from pilots.models import Measure, MeasureValue, Proposal, Pulse
from tests.factories import DepartmentFactory, FeedbackFactory, MembershipFactory, MovementFactory, UserFactory


@pytest.fixture
def organisation(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    now = timezone.now()
    sales, support = DepartmentFactory(name="Sales"), DepartmentFactory(name="Support")
    people = [UserFactory(department=sales if n % 2 else support, display_name=f"Person {n}") for n in range(12)]
    admin = UserFactory(department=sales, is_staff=True, display_name="Ada Admin")
    lead = people[0]
    movement = MovementFactory(title="Async stand-ups", founder=lead, created_at=now - dt.timedelta(days=60))
    for n, person in enumerate(people[1:6], start=1):
        MembershipFactory(
            movement=movement,
            person=person,
            joined_at=now - dt.timedelta(days=60 - 5 * n),
            recruited_by=lead if n < 3 else people[1],
        )
        Activity.objects.create(
            actor=person, movement=movement, verb=Verb.COMMENTED, created_at=now - dt.timedelta(days=n * 7)
        )
    role = Role.objects.create(movement=movement, name="Note-taker", seats=2, seats_filled=1)
    RoleAssignment.objects.create(role=role, person=people[2])
    for n in range(6):
        Activity.objects.create(
            actor=lead, movement=movement, verb=Verb.POSTED_UPDATE, created_at=now - dt.timedelta(days=n * 11)
        )
        FeedbackFactory(
            kind=Kind.WORKS if n % 2 else Kind.DOESNT,
            author=people[n],
            movement=movement,
            created_at=now - dt.timedelta(days=n * 13),
            vote_count=n,
        )
    # Nudges: a weekly digest to all 12 (half read, a third acted on), open roles in the movement to 5 members.
    for n, person in enumerate(people):
        sent = now - dt.timedelta(days=1)
        Nudge.objects.create(
            kind=NudgeKind.WEEKLY_DIGEST,
            recipient=person,
            dedupe_key=f"digest:{person.pk}",
            sent_at=sent,
            read_at=sent if n % 2 else None,
            acted_on_at=sent if n % 3 == 0 else None,
        )
    for person in people[1:6]:
        sent = now - dt.timedelta(days=3)
        Nudge.objects.create(
            kind=NudgeKind.OPEN_ROLES,
            recipient=person,
            movement=movement,
            dedupe_key=f"roles:{person.pk}",
            sent_at=sent,
            read_at=sent,
        )
    # A pilot (started long ago, so the funnel is unchanged) with a measure, a recorded decision, a small pulse.
    today = now.date()
    pilot = MovementFactory(
        title="Quiet hours",
        founder=people[3],
        created_at=now - dt.timedelta(days=200),
        stage="piloting",
        pilot_start=today - dt.timedelta(days=10),
        pilot_end=today + dt.timedelta(days=20),
    )
    hours = Measure.objects.create(
        movement=pilot, name="Late evenings", unit="hours", direction="down", baseline=10, target=5, source="by_hand"
    )
    MeasureValue.objects.create(measure=hours, measured_on=today - dt.timedelta(days=1), value=4)
    Proposal.objects.create(
        movement=pilot,
        decision="adopt",
        rationale="Works",
        status="recorded",
        closes_at=now - dt.timedelta(days=1),
        recorded_at=now - dt.timedelta(days=1),
        record={"counts": {"consent": 3, "object": 1}, "member_count": 5},
    )
    Pulse.objects.create(
        movement=pilot, number=1, opens_on=today - dt.timedelta(days=3), closes_on=today + dt.timedelta(days=4)
    )
    return {"admin": admin, "lead": lead, "movement": movement}


def test_staff_changes_the_range_with_htmx_and_downloads_a_csv(organisation, live_server, page, login_in_browser, axe):
    login_in_browser(organisation["admin"])
    page.goto(f"{live_server.url}/dashboards/")
    assert page.get_by_role("heading", level=1).inner_text() == "Adoption dashboards"
    assert page.get_by_text("Showing the last 28 days").is_visible()
    assert page.get_by_role("img", name="Nudges per kind").is_visible()
    digest = page.get_by_role("table", name="Nudges per kind").get_by_role("row", name=re.compile("^Weekly digest"))
    assert digest.inner_text().split("\t") == ["Weekly digest", "12", "50.0", "33.3"]
    pilots = page.get_by_role("table", name="Pilots and their success measures")
    assert pilots.get_by_role("row", name=re.compile("^Quiet hours")).inner_text().split("\t") == [
        "Quiet hours",
        "Piloting",
        "1",
        "0",
        "0",
        "0",
    ]
    decided = page.get_by_role("table", name="Decisions taken together").get_by_role("row", name=re.compile("^Quiet"))
    assert decided.inner_text().split("\t")[-3:] == ["4", "5", "80.0"]
    pulse = page.get_by_role("table", name="Pulse answers").get_by_role("row", name=re.compile("^Quiet hours"))
    assert "fewer than 5" in pulse.inner_text()
    assert axe(page) == []

    with page.expect_response(lambda r: "range=90" in r.url and r.request.headers.get("hx-request") == "true") as swap:
        page.get_by_label("Time range").select_option("90")
    assert swap.value.status == 200
    page.get_by_text("Showing the last 90 days").wait_for()
    assert "range=90" in page.url  # the address bar follows, so the view can be shared or reloaded
    assert page.get_by_label("Time range").input_value() == "90"

    with page.expect_download() as download_info:
        # The link's name is "Download CSV" plus the table's title (visually hidden, read by screen readers).
        page.get_by_role("link", name=re.compile(r"^Download CSV\W+Stage funnel$")).click()
    download = download_info.value
    assert download.suggested_filename.endswith("-funnel.csv")
    with open(download.path(), encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert lines[0] == "Stage,Movements,Conversion from the step before (%)"
    assert lines[1] == "Started (recruiting),1,"  # the movement started 60 days ago: inside the 90 days
    assert axe(page) == []


def test_dashboard_filters_work_without_javascript(organisation, live_server, browser, page, login_in_browser):
    login_in_browser(organisation["admin"])
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies(page.context.cookies())
    plain = context.new_page()
    plain.goto(f"{live_server.url}/dashboards/")
    plain.get_by_label("Time range").select_option("365")
    plain.get_by_role("button", name="Show").click()
    plain.get_by_text("Showing the last 365 days").wait_for()
    assert "range=365" in plain.url
    context.close()


def test_lead_reads_their_movements_analytics_without_accessibility_violations(
    organisation, live_server, page, login_in_browser, axe
):
    login_in_browser(organisation["lead"])
    page.goto(f"{live_server.url}/movements/{organisation['movement'].slug}/analytics/")
    assert page.get_by_role("heading", level=1).inner_text() == "Analytics: Async stand-ups"
    assert page.get_by_role("img", name="Followers over time").is_visible()
    assert page.get_by_role("img", name="Its nudges' effect").is_visible()
    page.get_by_text("The numbers as a table").first.click()
    assert axe(page) == []
