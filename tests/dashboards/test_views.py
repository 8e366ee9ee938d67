"""/dashboards/ and /movements/<slug>/analytics/: who may see them, filters, htmx, CSV, query counts."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import Activity
from movements.models import Membership
from tests.factories import MovementFactory, UserFactory

OVERVIEW = "/dashboards/"


@pytest.fixture
def staff_client(client, org):
    client.force_login(org.admin)
    return client


def results(html: str) -> str:
    """The figures part of the page (the rest carries a per-response CSP nonce and CSRF token)."""
    return html[html.index('id="dashboard-results"') : html.index("</main>")]


def parse_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_staff_sees_the_dashboard_with_every_section(staff_client):
    response = staff_client.get(OVERVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ["Participation", "Movements", "Feedback", "Nudges"]:
        assert f">{heading}</h2>" in html
    assert "Nudges: available once the nudges engine lands." not in html
    # line, two bar charts, funnel; the nudges chart (no nudges in this fixture) shows its empty state.
    assert html.count('role="img"') == 4
    assert '<h3 id="chart-nudges-heading">Nudges per kind</h3>' in html
    assert "Showing the last 28 days" in html


def test_plain_employee_gets_404_on_the_dashboard(client, org):
    client.force_login(org.p2)
    assert client.get(OVERVIEW).status_code == 404
    assert client.get(OVERVIEW + "?export=funnel").status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(OVERVIEW)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={OVERVIEW}"


def test_post_to_the_dashboard_is_refused(staff_client):
    assert staff_client.post(OVERVIEW).status_code == 405


def test_range_and_department_filter_the_figures(staff_client, org):
    response = staff_client.get(OVERVIEW, {"range": 90, "department": org.eng.pk})
    html = response.content.decode()
    assert "Showing the last 90 days (2025-12-19 to 2026-03-18, UTC) for Eng." in html
    assert f'<option value="{org.eng.pk}" selected>Eng</option>' in html


def test_htmx_request_gets_only_the_results(staff_client):
    response = staff_client.get(OVERVIEW, {"range": 7}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-results"')
    assert "<form" not in html
    assert "Showing the last 7 days" in html


def test_bad_range_is_explained_and_the_default_shown(staff_client):
    response = staff_client.get(OVERVIEW, {"range": "1000"})
    assert response.status_code == 200
    assert "Choose 7, 28, 90 or 365 days." in response.content.decode()
    assert "Showing the last 28 days" in response.content.decode()


def test_department_that_would_reveal_a_small_group_is_refused_with_a_message(staff_client, org):
    response = staff_client.get(OVERVIEW, {"department": org.platform.pk})
    html = response.content.decode()
    assert "That department cannot be shown on its own" in html
    assert 'aria-invalid="true"' in html
    assert "for Whole organisation." in html
    # Not offered in the list either.
    assert f'value="{org.platform.pk}"' not in html


def test_unknown_department_is_refused_without_an_error_page(staff_client):
    response = staff_client.get(OVERVIEW, {"department": "999999"})
    assert response.status_code == 200
    assert "That department cannot be shown on its own" in response.content.decode()
    assert staff_client.get(OVERVIEW, {"department": "abc"}).status_code == 200


def test_small_groups_read_fewer_than_5_on_the_page_and_in_the_csv(staff_client):
    html = staff_client.get(OVERVIEW).content.decode()
    assert "fewer than 5" in html
    rows = parse_csv(staff_client.get(OVERVIEW, {"export": "participation_by_department"}))
    assert rows == [
        ["Department", "People", "In a movement", "Participation rate (%)", "Active in range"],
        ["Eng", "9", "5", "55.6", "3"],
        ["Legal", "fewer than 5", "fewer than 5", "fewer than 5", "fewer than 5"],
        ["Sales", "fewer than 5", "fewer than 5", "fewer than 5", "fewer than 5"],
    ]


def test_every_table_on_the_page_can_be_exported(staff_client):
    html = staff_client.get(OVERVIEW).content.decode()
    names = [
        "participation_summary",
        "participation_by_department",
        "daily_active",
        "funnel",
        "tipping_point",
        "ownership",
        "solo_projects",
        "pilots_overdue",
        "feedback_weekly",
        "feedback_answers",
        "unresolved_doesnt",
        "nudges",
    ]
    for name in names:
        assert f"export={name}" in html
        response = staff_client.get(OVERVIEW, {"range": 28, "export": name})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="dashboard-2026-03-18-{name}.csv"'


def test_csv_export_of_the_ownership_list_lists_every_movement(staff_client):
    rows = parse_csv(staff_client.get(OVERVIEW, {"range": 28, "export": "ownership"}))
    assert rows[1] == ["Async stand-ups", "Piloting", "4", "25.0", "2", "50.0", "1"]
    assert len(rows) == 4


def test_csv_cells_that_look_like_formulas_are_escaped(staff_client, org):
    org.m1.title = '=HYPERLINK("http://evil.example","click")'
    org.m1.save()
    org.f2.title = "@SUM(A1:A9)"
    org.f2.save()
    org.f3.title = "+1+2"
    org.f3.save()
    org.f4.title = "-2+3"
    org.f4.save()
    ownership = parse_csv(staff_client.get(OVERVIEW, {"export": "ownership"}))
    assert ownership[1][0] == '\'=HYPERLINK("http://evil.example","click")'
    unresolved = [row[0] for row in parse_csv(staff_client.get(OVERVIEW, {"export": "unresolved_doesnt"}))[1:]]
    assert unresolved == ["'+1+2", "'@SUM(A1:A9)", "'-2+3"]


def test_unknown_export_is_404(staff_client):
    assert staff_client.get(OVERVIEW, {"export": "passwords"}).status_code == 404


@pytest.mark.parametrize("grow_by", [0, 15])
def test_dashboard_query_count_does_not_grow_with_the_data(
    staff_client, more_of_everything, django_assert_num_queries, grow_by
):
    more_of_everything(grow_by)
    # session (+ person, department: one query), rollup boundary, departments, people per department, active per day, funnel,
    # ownership, overdue pilots, feedback per week, official answers, unresolved "doesn't", nudges per kind
    # (grown: 30 more nudges, in two kinds), pilots' measures, decisions, pulses (grown: 15 more pilots each with
    # a measure and its value, a recorded proposal and a pulse), open reports (the header link: staff can moderate)
    with django_assert_num_queries(16):
        response = staff_client.get(OVERVIEW, {"range": 90})
    assert response.status_code == 200


def test_the_finished_figures_are_kept_and_the_page_says_when_they_were_computed(
    staff_client, org, django_assert_num_queries
):
    first = staff_client.get(OVERVIEW).content.decode()
    assert "Figures computed at 12:00 UTC; they are recomputed at most every 5 minutes." in first
    # Kept: session (+ person, department: one query), rollup boundary, open reports (the header); nothing else is read.
    with django_assert_num_queries(3):
        again = staff_client.get(OVERVIEW).content.decode()
    assert results(again) == results(first)
    # Another range or department is computed on its own (the 16 queries above).
    with django_assert_num_queries(16):
        staff_client.get(OVERVIEW, {"range": 7})


def test_a_new_rollup_day_computes_the_figures_again(staff_client, org):
    from dashboards import services

    staff_client.get(OVERVIEW)
    services.rollup_pending()
    with CaptureQueriesContext(connection) as queries:
        staff_client.get(OVERVIEW)
    assert len(queries) == 16  # the 16 queries above


def test_with_the_cache_off_every_request_computes_the_figures(staff_client, settings, django_assert_num_queries):
    settings.DASHBOARDS_CACHE_SECONDS = 0
    staff_client.get(OVERVIEW)
    with django_assert_num_queries(16):  # the 16 queries above
        html = staff_client.get(OVERVIEW).content.decode()
    assert "Figures computed at" not in html


# --- Movement analytics -------------------------------------------------------------------------


def analytics_url(movement) -> str:
    return reverse("movement_analytics", kwargs={"slug": movement.slug})


def test_lead_sees_their_movements_analytics(client, org):
    client.force_login(org.p1)
    response = client.get(analytics_url(org.m1))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Analytics: Async stand-ups" in html
    for heading in ["Followers", "Invitation chain", "Roles and seats", "Ownership share", "Its feedback", "Nudges"]:
        assert f">{heading}</h2>" in html
    assert "Nudges: available once the nudges engine lands." not in html
    assert "<caption>Its nudges&#x27; effect</caption>" in html


def test_lead_gets_404_for_another_movements_analytics(client, org):
    client.force_login(org.p1)
    assert client.get(analytics_url(org.m2)).status_code == 404
    assert client.get(analytics_url(org.m2) + "?export=followers").status_code == 404


def test_member_who_is_not_a_lead_gets_404(client, org):
    client.force_login(org.p2)
    assert client.get(analytics_url(org.m1)).status_code == 404


def test_former_lead_who_left_gets_404(client, org):
    Membership.objects.filter(movement=org.m2, person=org.s1).update(is_lead=False, left_at=org.frozen_now)
    client.force_login(org.s1)
    assert client.get(analytics_url(org.m2)).status_code == 404


def test_staff_sees_any_movements_analytics(staff_client, org):
    assert staff_client.get(analytics_url(org.m2)).status_code == 200


def test_analytics_post_is_refused(client, org):
    client.force_login(org.p1)
    assert client.post(analytics_url(org.m1)).status_code == 405


def test_analytics_tables_export_as_csv(client, org):
    client.force_login(org.p1)
    followers = parse_csv(client.get(analytics_url(org.m1), {"export": "followers"}))
    # M1 started Monday 2026-02-16: p2 (02-18), p3 (02-19) and e1 (Sunday 02-22) joined that week;
    # e1 left yesterday, so the current week ends with 2.
    assert followers[0] == ["Week starting", "Followers at the end of the week"]
    assert followers[1:] == [
        ["2026-02-16", "3"],
        ["2026-02-23", "3"],
        ["2026-03-02", "3"],
        ["2026-03-09", "3"],
        ["2026-03-16", "2"],
    ]
    chain = parse_csv(client.get(analytics_url(org.m1), {"export": "invitation_chain"}))
    assert chain[1:] == [
        ["1", "p1", "", "2026-02-16", ""],
        ["2", "p2", "p1", "2026-02-18", ""],
        ["3", "p3", "p2", "2026-02-19", ""],
        ["4", "e1", "", "2026-02-22", "2026-03-17"],
    ]
    seats = parse_csv(client.get(analytics_url(org.m1), {"export": "seats"}))
    assert seats[1:] == [["Tester", "2", "2", "1"]]
    share = parse_csv(client.get(analytics_url(org.m1), {"export": "ownership_over_time"}))
    # p2's row on 02-26 (all by others); the founder's rows on 03-08, 03-15 and today, one per week.
    assert share[1:] == [
        ["2026-02-16", "0", ""],
        ["2026-02-23", "1", "100.0"],
        ["2026-03-02", "1", "0.0"],
        ["2026-03-09", "1", "0.0"],
        ["2026-03-16", "1", "0.0"],
    ]


def test_invitation_chain_nests_recruits_under_who_recruited_them(client, org):
    client.force_login(org.p1)
    html = client.get(analytics_url(org.m1)).content.decode()
    # p3 was recruited by p2, who was recruited by the founder p1; e1 joined on their own.
    assert (
        html.index(">p1<")
        < html.index(">p2<")
        < html.index(">p3<")
        < html.index("Joined without an invitation")
        < html.index(">e1<")
    )


@pytest.mark.parametrize("extra_members", [0, 12])
def test_analytics_query_count_does_not_grow_with_the_data(client, org, django_assert_num_queries, extra_members):
    from feedback.models import Kind
    from tests.factories import FeedbackFactory, MembershipFactory

    from .conftest import nudge

    for _ in range(extra_members):
        member = UserFactory(department=org.sales)
        MembershipFactory(movement=org.m1, person=member, recruited_by=org.p2)
        Activity.objects.create(actor=member, movement=org.m1, verb="commented")
        FeedbackFactory(kind=Kind.WORKS, author=member, movement=org.m1)
        nudge("open_roles", member, sent_days_ago=1, movement=org.m1, read=True)
        nudge("decision_due", member, sent_days_ago=2, movement=org.m1, acted=True)
    client.force_login(org.p1)
    # session (+ person, department: one query), movement (with the lead check), weekly joins and leaves, the chain (tree: first view only,
    # then from the cache), the chain's members (+ people), the chain table's first rows, roles with seat
    # counts, rollup boundary, weekly activity, feedback counts, top feedback, nudges per kind, the pilot's
    # measures and its pulses (pilots app)
    with django_assert_num_queries(14):
        response = client.get(analytics_url(org.m1))
    assert response.status_code == 200


def test_movement_with_no_followers_or_activity_shows_empty_states(client, org):
    lonely = MovementFactory(title="Lonely idea", founder=org.l1)
    client.force_login(org.l1)
    html = client.get(analytics_url(lonely)).content.decode()
    assert "Nothing to show for this selection." in html


def test_long_ownership_list_is_paged_and_the_csv_has_every_movement(staff_client, org):
    for n in range(25):
        MovementFactory(title=f"Idea {n:02d}", founder=org.s3)
    # 3 movements of the fixture (M3 is retired) + 25 = 28: 25 on page 1, 3 on page 2.
    first = staff_client.get(OVERVIEW, {"range": 28}).content.decode()
    assert "Page 1 of 2" in first
    assert 'href="?range=28&amp;department=&amp;page=2"' in first
    second = staff_client.get(OVERVIEW, {"range": 28, "page": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert second.count("/analytics/") < first.count("/analytics/")
    assert len(parse_csv(staff_client.get(OVERVIEW, {"range": 28, "export": "ownership"}))) == 1 + 28
    # A page number that makes no sense shows the last page, not an error.
    assert staff_client.get(OVERVIEW, {"page": "999"}).status_code == 200
