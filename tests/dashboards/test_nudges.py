"""The nudges section: sent, read rate and acted-on rate per kind on the `nudges` rows of conftest.py.

The right answers are worked out in the comments. Reminder of the organisation: Eng = e1 e2 e3 directly
+ Platform (p1..p5, admin) = 9 people; Sales s1..s5 (5 active); Legal l1 l2. Now is 2026-03-18 12:00 UTC.
"""

import csv
import io

import pytest
from django.urls import reverse

from dashboards import selectors
from dashboards.privacy import SUPPRESSED
from nudges.models import Nudge

from .conftest import NOW, nudge

F = SUPPRESSED


def test_per_kind_figures_for_the_whole_organisation_over_28_days(nudges):
    table = selectors.dashboard(days=28, department_id=None).nudges
    assert table.columns == ["Kind", "Sent", "Read rate (%)", "Acted-on rate (%)"]
    assert table.rows == [
        # p1 only (27 days ago, inside the 28 days): one person.
        ["Welcome your new follower", F, F, F],
        # p1..p5, e1, e2, s1 in the range (p1's from 30 days ago is not): 8 sent, 8 people;
        # read by p1 p2 p3 e1 = 4/8, acted on by p1 e1 = 2/8.
        ["Open roles", 8, 50.0, 25.0],
        # p1 only.
        ["Pilot decision due", F, F, F],
        # 16 people; read by p1 p2 e3 s1 = 4/16, acted on by p1 s2 = 2/16.
        ["Weekly digest", 16, 25.0, 12.5],
    ]
    # The unsent find-first-follower and the cancelled check-in are not "sent": no rows for them;
    # l1's invitation was sent 40 days ago, before the range.
    assert "fewer than 5" in table.note


def test_a_longer_range_takes_in_older_nudges(nudges):
    rows = {row[0]: row[1:] for row in selectors.dashboard(days=90, department_id=None).nudges.rows}
    # p1's open-roles nudge of 30 days ago joins: 9 sent (still 8 people), 4/9 read, 2/9 acted on.
    assert rows["Open roles"] == [9, 44.4, 22.2]
    # l1's invitation (40 days ago): one person, hidden.
    assert rows["Invitations"] == [F, F, F]
    assert list(rows) == [
        "Welcome your new follower",
        "Open roles",
        "Pilot decision due",
        "Invitations",
        "Weekly digest",
    ]


def test_department_filter_counts_nudges_in_the_recipients_department(nudges):
    dash = selectors.dashboard(days=28, department_id=nudges.eng.pk)
    assert dash.node.name == "Eng"
    assert dash.nudges.rows == [
        ["Welcome your new follower", F, F, F],
        # Eng holds 7 of the 8 people open roles reached; s1 in Sales is the 8th. Showing Eng's 7 next to
        # the organisation's 8 would reveal s1's nudge, so the rule hides Eng's open roles (Eng is the
        # smallest group left to hide with Sales in the organisation's breakdown for this kind).
        ["Open roles", F, F, F],
        ["Pilot decision due", F, F, F],
        # Eng's 9 people: read by p1 p2 e3 = 3/9, acted on by p1 = 1/9.
        ["Weekly digest", 9, 33.3, 11.1],
    ]


def test_kind_shown_in_a_department_once_the_rest_of_the_organisation_is_big_enough_or_empty(nudges):
    # Take s1's open-roles nudge away: open roles now reached only Eng people (7), so comparing Eng with
    # the whole organisation reveals nothing and Eng's figures are shown.
    Nudge.objects.filter(recipient=nudges.s1, kind="open_roles").delete()
    rows = {row[0]: row[1:] for row in selectors.dashboard(days=28, department_id=nudges.eng.pk).nudges.rows}
    assert rows["Open roles"] == [7, 57.1, 28.6]
    # Then give it to all five Sales people: Sales (5) and Eng (7) are both big enough.
    for person in [nudges.s1, nudges.s2, nudges.s3, nudges.s4, nudges.s5]:
        nudge("open_roles", person, sent_days_ago=4, acted=True)
    org_rows = {row[0]: row[1:] for row in selectors.dashboard(days=28, department_id=None).nudges.rows}
    eng_rows = {row[0]: row[1:] for row in selectors.dashboard(days=28, department_id=nudges.eng.pk).nudges.rows}
    assert org_rows["Open roles"] == [12, 33.3, 58.3]  # read 4/12, acted on (p1 e1 + 5 in Sales) 7/12
    assert eng_rows["Open roles"] == [7, 57.1, 28.6]


def test_no_nudges_gives_an_empty_table_and_no_note(org):
    table = selectors.dashboard(days=28, department_id=None).nudges
    assert table.rows == []
    assert table.note == ""


def test_movement_nudges_count_every_nudge_about_it_sent_so_far(nudges):
    analytics = selectors.movement_analytics(movement=nudges.m1)
    assert analytics["nudges"].rows == [
        # p1 only.
        ["Welcome your new follower", F, F, F],
        # p1..p5, e1, e2 (7 people) plus p1's older one: 8 sent; read 4/8, acted on 2/8. s1's is about M2.
        ["Open roles", 8, 50.0, 25.0],
        ["Pilot decision due", F, F, F],
    ]
    # The weekly digest is about no movement; the cancelled check-in was never sent.
    assert selectors.movement_analytics(movement=nudges.m2)["nudges"].rows == [["Open roles", F, F, F]]


# --- On the pages -------------------------------------------------------------------------------------


def parse_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def staff_client(client, nudges):
    client.force_login(nudges.admin)
    return client


def test_dashboard_shows_the_nudges_chart_table_and_definition(staff_client):
    html = staff_client.get("/dashboards/").content.decode()
    assert ">Nudges</h2>" in html
    assert "Nudges: available once the nudges engine lands." not in html
    assert '<h3 id="chart-nudges-heading">Nudges per kind</h3>' in html
    assert "the share acted on (the suggested step taken within 7 days)" in html
    assert 'role="img" aria-labelledby="chart-nudges-title chart-nudges-desc"' in html
    assert "<caption>Nudges per kind</caption>" in html
    assert "Counted live from the nudge outbox" in html  # the help panel's definition
    assert 'href="?range=28&amp;department=&amp;export=nudges"' in html


def test_nudges_table_exports_as_csv(staff_client):
    response = staff_client.get("/dashboards/", {"range": 28, "export": "nudges"})
    assert response["Content-Disposition"] == 'attachment; filename="dashboard-2026-03-18-nudges.csv"'
    assert parse_csv(response) == [
        ["Kind", "Sent", "Read rate (%)", "Acted-on rate (%)"],
        ["Welcome your new follower", "fewer than 5", "fewer than 5", "fewer than 5"],
        ["Open roles", "8", "50.0", "25.0"],
        ["Pilot decision due", "fewer than 5", "fewer than 5", "fewer than 5"],
        ["Weekly digest", "16", "25.0", "12.5"],
    ]


def test_nudges_export_follows_the_department_filter(staff_client, nudges):
    rows = parse_csv(staff_client.get("/dashboards/", {"range": 28, "department": nudges.eng.pk, "export": "nudges"}))
    assert rows[-1] == ["Weekly digest", "9", "33.3", "11.1"]
    assert rows[2] == ["Open roles", "fewer than 5", "fewer than 5", "fewer than 5"]


def test_htmx_range_change_redraws_the_nudges(staff_client):
    html = staff_client.get("/dashboards/", {"range": 90}, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="dashboard-results"')
    assert '<th scope="row">Invitations</th>' in html


def test_movement_analytics_shows_and_exports_its_nudges(client, nudges):
    client.force_login(nudges.p1)
    url = reverse("movement_analytics", kwargs={"slug": nudges.m1.slug})
    html = client.get(url).content.decode()
    assert "<caption>Its nudges&#x27; effect</caption>" in html
    assert 'aria-labelledby="chart-movement-nudges-title chart-movement-nudges-desc"' in html
    response = client.get(url, {"export": "movement_nudges"})
    assert response["Content-Disposition"] == f'attachment; filename="movement-{nudges.m1.slug}-movement_nudges.csv"'
    assert parse_csv(response)[1:] == [
        ["Welcome your new follower", "fewer than 5", "fewer than 5", "fewer than 5"],
        ["Open roles", "8", "50.0", "25.0"],
        ["Pilot decision due", "fewer than 5", "fewer than 5", "fewer than 5"],
    ]


def test_another_movements_lead_gets_404_for_its_nudges_export(client, nudges):
    client.force_login(nudges.s1)
    url = reverse("movement_analytics", kwargs={"slug": nudges.m1.slug})
    assert client.get(url, {"export": "movement_nudges"}).status_code == 404


@pytest.mark.parametrize("days", [7, 28, 90, 365])
def test_the_hourly_run_holds_the_live_figures_until_the_next_run(nudges, days):
    from dashboards import services
    from dashboards.tasks import dashboards_rollup
    from nudges.models import Kind as NudgeKind

    live = selectors.dashboard(days=days, department_id=None).nudges
    live_eng = selectors.dashboard(days=days, department_id=nudges.eng.pk).nudges.rows
    assert live.as_of is None
    dashboards_rollup()  # the hourly task: rollups, then the nudge figures of every range
    run = selectors.dashboard(days=days, department_id=None).nudges
    assert run.rows == live.rows and run.note == live.note
    assert run.as_of == NOW
    assert selectors.dashboard(days=days, department_id=nudges.eng.pk).nudges.rows == live_eng
    # A nudge read after the run shows at the next run, not before.
    Nudge.objects.filter(kind=NudgeKind.WEEKLY_DIGEST, recipient=nudges.l1).update(read_at=NOW)
    assert selectors.dashboard(days=days, department_id=None).nudges.rows == live.rows
    services.nudge_figures_refresh()
    assert selectors.dashboard(days=days, department_id=None).nudges.rows != live.rows


def test_the_page_says_when_the_nudge_figures_were_computed(nudges, client):
    from dashboards.tasks import dashboards_rollup

    client.force_login(nudges.admin)
    assert "These figures were computed at" not in client.get("/dashboards/").content.decode()
    dashboards_rollup()
    client.get("/dashboards/?range=7")  # another key: the figures above are still cached for 28 days
    assert (
        "These figures were computed at 12:00 UTC and are recomputed every hour."
        in client.get("/dashboards/?range=7").content.decode()
    )
