"""Each metric on the hand-built organisation of conftest.py; the right answers are worked out in the comments."""

import datetime as dt

from dashboards import selectors
from dashboards.privacy import SUPPRESSED

from .conftest import days_ago


def rows(table):
    """Cells as the CSV writes them: links by their text, days as ISO dates (the pages show them localised)."""
    return [[str(cell) if isinstance(cell, selectors.Link | dt.date) else cell for cell in row] for row in table.rows]


def summary(dash):
    return {str(label): value for label, value in dash.participation["summary"].rows}


def test_participation_counts_headcount_members_actives_and_stickiness(org):
    dash = selectors.dashboard(days=90, department_id=None)
    assert summary(dash) == {
        # 16 active accounts; the deactivated person is not counted.
        "People (headcount)": 16,
        # p1 p2 p3 (M1), s1 s2 (M2), e2 (M3 founder), p4 (M4 founder); e1 left M1.
        "People in at least one movement": 7,
        "Participation rate (%)": 43.8,
        # p1 and e1 today; the anonymous row and the deactivated person make nobody active.
        "Active in the last 7 days": 2,
        # ... plus p2 20 days ago.
        "Active in the last 28 days": 3,
        # ... plus s1 40 days ago.
        "Active in the selected range": 4,
        # Active person-days in 28 days: p1 3, e1 1, p2 1 = 5; (5 / 28) / 3 people = 6.0%.
        "Stickiness: daily ÷ 28-day active (%)": 6.0,
    }


def test_participation_of_a_department_includes_its_sub_departments(org):
    dash = selectors.dashboard(days=28, department_id=org.eng.pk)
    assert dash.node.name == "Eng"
    values = summary(dash)
    # e1 e2 e3 + p1..p5 + admin; in a movement: p1 p2 p3 e2 p4; active in 28 days: p1 e1 p2.
    assert values["People (headcount)"] == 9
    assert values["People in at least one movement"] == 5
    assert values["Participation rate (%)"] == 55.6
    assert values["Active in the last 7 days"] == 2
    assert values["Active in the selected range"] == 3


def test_people_active_per_day_counts_distinct_people_each_utc_day(org):
    dash = selectors.dashboard(days=7, department_id=None)
    assert rows(dash.daily_active) == [
        ["2026-03-12", 0],
        ["2026-03-13", 0],
        ["2026-03-14", 0],
        ["2026-03-15", 1],
        ["2026-03-16", 0],
        ["2026-03-17", 0],
        ["2026-03-18", 2],
    ]


def test_funnel_counts_movements_started_in_the_range_and_how_far_they_got(org):
    dash = selectors.dashboard(days=90, department_id=None)
    # M1 (piloting), M2 (recruiting), M3 (retired) started in the 90 days; M4 started 200 days ago.
    assert rows(dash.movements["funnel"]) == [
        ["Started (recruiting)", 3, None],
        ["Reached piloting", 1, 33.3],
        ["Adopted", 0, 0.0],
        ["Retired", 1, 33.3],
    ]


def test_time_to_first_and_third_follower_is_the_median_over_movements_that_got_there(org):
    dash = selectors.dashboard(days=90, department_id=None)
    # First follower: M1 after 2 days, M2 after 1 day -> median 1.5. Third follower (join order 4): M1 after 6 days.
    # e1 left M1 later, and still counts as its third follower.
    assert rows(dash.movements["tipping"]) == [["First follower", 2, 1.5], ["Third follower", 1, 6.0]]


def test_funnel_of_a_department_uses_the_founders_department(org):
    dash = selectors.dashboard(days=90, department_id=org.eng.pk)
    # Founders in Eng or Platform: M1 (p1) and M3 (e2); M2's founder is in Sales.
    assert [row[1] for row in dash.movements["funnel"].rows] == [2, 1, 0, 1]


def test_ownership_share_counts_activity_and_seats_not_done_by_the_founder(org):
    dash = selectors.dashboard(days=28, department_id=None)
    assert rows(dash.ownership["ownership"]) == [
        # M1: 4 rows in 28 days, 3 by p1 (founder) -> 25% by others; seats p1 + p2 -> 50% by others.
        ["Async stand-ups", "Piloting", 4, 25.0, 2, 50.0, 1],
        # No activity in the range: no share; M2's only row is 40 days old. M3 is retired and left out.
        ["Peer thanks", "Recruiting", 0, None, 0, None, 1],
        ["Wiki notes", "Adopted", 0, None, 1, 100.0, 1],
    ]


def test_solo_projects_follow_the_movement_pages_rule_and_skip_dormant_movements(org):
    dash = selectors.dashboard(days=28, department_id=None)
    # M1: others did 1 of 4 rows (25% < half) -> solo, whatever its seats.
    assert rows(dash.ownership["solo"]) == [["Async stand-ups", 4, 75.0, 1]]
    # In the last 7 days M1 has 2 rows, both by the founder: still solo. The movements without any
    # activity in the range (Peer thanks, Wiki notes) are dormant, not listed.
    assert rows(selectors.dashboard(days=7, department_id=None).ownership["solo"]) == [["Async stand-ups", 2, 100.0, 1]]


def test_pilots_past_their_end_without_a_decision_are_listed_with_days_overdue(org):
    dash = selectors.dashboard(days=28, department_id=None)
    assert rows(dash.pilots_overdue) == [["Async stand-ups", "2026-03-17", 1]]


def test_pilot_that_ends_today_is_not_overdue(org):
    org.m1.pilot_end = dt.date(2026, 3, 18)
    org.m1.save()
    assert selectors.dashboard(days=28, department_id=None).pilots_overdue.rows == []


def test_feedback_per_week_counts_works_and_doesnt_without_hidden_posts(org):
    dash = selectors.dashboard(days=28, department_id=None)
    # The 28 days start on Friday 02-20, so the first week is the one starting Monday 02-16.
    assert rows(dash.feedback_weekly) == [
        ["2026-02-16", 0, 0],
        ["2026-02-23", 0, 1],  # F6
        ["2026-03-02", 0, 0],  # F5 is hidden
        ["2026-03-09", 0, 2],  # F2, F3 (anonymous)
        ["2026-03-16", 1, 0],  # F1
    ]


def test_feedback_answers_share_and_median_time_to_first_answer(org):
    dash = selectors.dashboard(days=28, department_id=None)
    # Posts in the range: F1 F2 F3 F6 (F4 is older, F5 hidden); answered F1 (1 day), F3 (3 days), F6 (2 days).
    assert rows(dash.feedback_answers) == [
        ["Posts in the range", 4],
        ["Answered officially", 3],
        ["Share answered (%)", 75.0],
        ["Median days to the first official answer", 2.0],
    ]


def test_top_unresolved_doesnt_is_ordered_by_votes_whatever_its_age(org):
    dash = selectors.dashboard(days=7, department_id=None)
    # F6 is resolved; F3 (9 votes, anonymous), F2 (7), F4 (3, posted before the range).
    assert [row[0].text for row in dash.unresolved_doesnt.rows] == [org.f3.title, org.f2.title, org.f4.title]
    assert [row[1] for row in dash.unresolved_doesnt.rows] == [9, 7, 3]


def test_anonymous_posts_count_in_totals_but_never_in_a_department(org):
    whole = selectors.dashboard(days=28, department_id=None)
    eng = selectors.dashboard(days=28, department_id=org.eng.pk)
    assert org.f3.title in [row[0].text for row in whole.unresolved_doesnt.rows]
    # Eng authors: F1 (p1) and F4 (e1). The anonymous F3 is in no department's figures.
    assert [row[0].text for row in eng.unresolved_doesnt.rows] == [org.f4.title]
    assert rows(eng.feedback_weekly)[-2:] == [["2026-03-09", 0, 0], ["2026-03-16", 1, 0]]
    assert rows(eng.feedback_answers)[0] == ["Posts in the range", 1]


def test_participation_by_department_hides_small_groups_and_one_more(org):
    dash = selectors.dashboard(days=28, department_id=None)
    table = dash.participation["by_department"]
    # Legal has 2 people: hidden. Hiding only Legal would let 16 - 9 - 5 reveal it, so Sales is hidden too.
    assert rows(table) == [
        ["Eng", 9, 5, 55.6, 3],
        ["Legal", SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED],
        ["Sales", SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED],
    ]
    assert str(SUPPRESSED) == "fewer than 5"
    assert dash.participation["rate_labels"] == ["Eng"]


def test_department_breakdown_hides_the_direct_members_and_the_sub_department(org):
    dash = selectors.dashboard(days=28, department_id=org.eng.pk)
    # Eng splits into Platform (6) and Eng's own 3 people: 3 is too few, and hiding it alone would let
    # 9 - 6 reveal it, so Platform is hidden as well.
    assert rows(dash.participation["by_department"]) == [
        ["Platform", SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED],
        ["Eng (directly)", SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED],
    ]


def test_only_departments_that_reveal_no_small_group_can_be_picked(org):
    dash = selectors.dashboard(days=28, department_id=None)
    # Sales (5) would give 16 - 9 - 5 = Legal's 2; Platform (6) would give Eng 9 - 6 = 3.
    assert [node.name for node in dash.org.choices()] == ["Eng"]


def test_picking_a_department_that_would_reveal_a_small_group_shows_the_whole_organisation(org):
    dash = selectors.dashboard(days=28, department_id=org.platform.pk)
    assert dash.department_refused is True
    assert dash.node.name == "Whole organisation"
    assert summary(dash)["People (headcount)"] == 16


def test_an_organisation_of_fewer_than_5_people_shows_no_people_figures_at_all(db, frozen_now):
    from tests.factories import UserFactory

    for _ in range(3):
        UserFactory()  # each in a department of their own
    dash = selectors.dashboard(days=28, department_id=None)
    assert {value for _label, value in dash.participation["summary"].rows} == {SUPPRESSED}
    assert dash.org.choices() == []


def test_one_person_without_a_department_is_counted_but_hides_no_real_department(org):
    """Issue 22: a self-signed-up person with no department used to become a "No department" group of 1,
    and the subtraction rule then hid the smallest real department as well."""
    from activity.models import Activity, Verb
    from tests.factories import UserFactory

    for n in range(3):  # Legal grows to 5: every real department is big enough to be shown
        UserFactory(email=f"legal{n}@example.com", department=org.legal)
    loner = UserFactory(email="loner@example.com", department=None)
    Activity.objects.create(actor=loner, verb=Verb.VOTED, created_at=org.frozen_now)
    dash = selectors.dashboard(days=28, department_id=None)
    # Counted: 20 people, the loner included; the loner's activity is in no figure that subtraction could isolate.
    figures = summary(dash)
    assert figures["People (headcount)"] == 20
    assert figures["Active in the last 7 days"] == 2  # p1 and e1, not the loner
    assert dash.participation["summary"].note
    assert rows(dash.participation["by_department"]) == [
        ["Eng", 9, 5, 55.6, 3],
        ["Legal", 5, 0, 0.0, 0],
        ["Sales", 5, 2, 40.0, 0],
    ]
    assert [node.name for node in dash.org.choices()] == ["Eng", "Legal", "Sales"]
    # The whole organisation's daily count equals the sum over the departments that can be picked.
    today = rows(dash.daily_active)[-1]
    per_department = sum(
        rows(selectors.dashboard(days=28, department_id=pk).daily_active)[-1][1]
        for pk in (org.eng.pk, org.legal.pk, org.sales.pk)
    )
    assert today[1] == per_department == 2


def test_five_people_without_a_department_are_a_group_of_their_own(org):
    from tests.factories import UserFactory

    for n in range(5):
        UserFactory(email=f"new{n}@example.com", department=None)
    dash = selectors.dashboard(days=28, department_id=None)
    assert summary(dash)["People (headcount)"] == 21
    assert ["No department", 5, 0, 0.0, 0] in rows(dash.participation["by_department"])
    assert not dash.participation["summary"].note


def test_sanctioned_pilots_and_adoptions_count_sanctions_in_force_whenever_the_movement_started(org):
    from sponsors.models import Sanction

    # M1 piloting and M4 adopted (started 200 days ago, outside the range: still counted) are sanctioned;
    # M2 recruiting is sanctioned too but is neither a pilot nor an adoption; M3's sanction was withdrawn.
    for movement in (org.m1, org.m4, org.m2):
        Sanction.objects.create(movement=movement, sanctioned_by=org.p1, note="Go")
    Sanction.objects.create(movement=org.m3, sanctioned_by=org.p1, note="Go", withdrawn_at=days_ago(1))
    dash = selectors.dashboard(days=7, department_id=None)
    assert rows(dash.movements["sanctioned"]) == [["Piloting", 1], ["Adopted", 1]]
    Sanction.objects.filter(movement=org.m1).update(withdrawn_at=days_ago(0))
    assert rows(selectors.dashboard(days=7, department_id=None).movements["sanctioned"]) == [
        ["Piloting", 0],
        ["Adopted", 1],
    ]
    # A department counts its founders' movements: an adoption founded in Sales is not Eng's.
    from movements.models import Stage
    from tests.factories import MovementFactory

    sales_adopted = MovementFactory(title="Sales wiki", founder=org.s1, stage=Stage.ADOPTED)
    Sanction.objects.create(movement=sales_adopted, sanctioned_by=org.s1, note="Go")
    assert rows(selectors.dashboard(days=7, department_id=None).movements["sanctioned"])[1] == ["Adopted", 2]
    eng = selectors.dashboard(days=7, department_id=org.eng.pk)
    assert not eng.department_refused
    assert rows(eng.movements["sanctioned"]) == [["Piloting", 0], ["Adopted", 1]]
