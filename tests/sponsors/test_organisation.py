"""The manager's "My organisation" page: counts only, every count of people below 5 suppressed (also by
subtraction between a manager's subtree and a sub-manager's), never who, only your own organisation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.privacy import SUPPRESSED
from dashboards.selectors import my_organisation
from feedback.models import Kind
from movements.models import Membership, Movement, RoleAssignment
from people.models import User
from sponsors import services
from tests.factories import DepartmentFactory, FeedbackFactory, MovementFactory, RoleFactory, UserFactory

FEWER = "fewer than 5"


def reports(manager: User, count: int, *, prefix: str = "r") -> list[User]:
    """`count` people reporting to `manager`, in one insert."""
    return User.objects.bulk_create(
        User(
            email=f"{prefix}{manager.pk}-{n}@example.com",
            display_name=f"Report {prefix}{n}",
            manager=manager,
            department=manager.department,
        )
        for n in range(count)
    )


def follow(movement: Movement, people: list[User], *, lead: bool = False) -> None:
    start = Membership.objects.filter(movement=movement).count() + 1
    Membership.objects.bulk_create(
        Membership(movement=movement, person=p, position=start + i, is_lead=lead) for i, p in enumerate(people)
    )


def figures(org) -> dict[str, object]:
    return {str(f.label): f.value for f in org.figures}


@pytest.fixture
def manager(db):
    return UserFactory(display_name="Mia Manager", department=DepartmentFactory(name="Engineering"))


@pytest.fixture
def movement(db):
    return MovementFactory(title="Working out loud")


# --- k-anonymity ----------------------------------------------------------------------------------


def test_a_team_of_exactly_four_shows_no_count_at_all(client, manager, movement):
    team = reports(manager, 4)
    follow(movement, team)
    RoleAssignment.objects.bulk_create(
        RoleAssignment(role=RoleFactory(movement=movement, seats=4), person=p) for p in team
    )
    org = my_organisation(manager=manager)
    assert org.has_reports and org.headcount is SUPPRESSED
    assert set(figures(org).values()) == {SUPPRESSED}
    assert org.most_followed == []
    client.force_login(manager)
    page = client.get(reverse("organisation")).content.decode()
    assert page.count(FEWER) >= 4
    assert "<dd>4</dd>" not in page and "Report r" not in page


def test_a_team_of_exactly_five_shows_its_counts(client, manager, movement):
    team = reports(manager, 5)
    follow(movement, team)
    org = my_organisation(manager=manager)
    assert org.headcount == 5
    assert figures(org)["follow at least one movement"] == 5
    assert figures(org)["lead a movement"] is SUPPRESSED  # zero is a count below 5 too
    assert [(m.title, n) for m, n in org.most_followed] == [("Working out loud", 5)]
    client.force_login(manager)
    page = client.get(reverse("organisation")).content.decode()
    assert "Working out loud" in page and "Report r" not in page  # the movement, never who follows it


def test_subtracting_a_sub_managers_figure_never_reveals_fewer_than_five(manager, movement):
    """Mia's people: Sub (who manages 5, all following) and two others, one of whom follows. Mia's 6 minus
    Sub's 5 would single out that one person, so Mia's figure is hidden while Sub's own page shows 5."""
    (sub,) = reports(manager, 1, prefix="sub")
    sub_team = reports(sub, 5, prefix="s")
    others = reports(manager, 2, prefix="o")
    follow(movement, [*sub_team, others[0]])
    mine = my_organisation(manager=manager)
    subs = my_organisation(manager=sub)
    assert figures(subs)["follow at least one movement"] == 5
    assert figures(mine)["follow at least one movement"] is SUPPRESSED  # 6 - 5 = 1
    assert mine.headcount == 8
    assert mine.most_followed == []  # the same rule per movement
    assert [(m.title, n) for m, n in subs.most_followed] == [("Working out loud", 5)]


def test_a_difference_of_five_or_more_is_shown(manager, movement):
    (sub,) = reports(manager, 1, prefix="sub")
    sub_team = reports(sub, 5, prefix="s")
    others = reports(manager, 5, prefix="o")
    follow(movement, [*sub_team, *others])
    assert figures(my_organisation(manager=manager))["follow at least one movement"] == 10


def test_a_sub_sub_manager_counts_as_well(manager, movement):
    """Indirect reports are counted, and the rule looks at every sub-manager below, not only direct ones."""
    (sub,) = reports(manager, 1, prefix="sub")
    (subsub,) = reports(sub, 1, prefix="subsub")
    deep = reports(subsub, 6, prefix="d")
    extra = reports(manager, 3, prefix="x")
    follow(movement, [*deep, *extra[:2]])
    assert figures(my_organisation(manager=subsub))["follow at least one movement"] == 6
    # Mia's 8 minus her sub-sub-manager's 6 = 2: hidden
    assert figures(my_organisation(manager=manager))["follow at least one movement"] is SUPPRESSED


def test_leavers_and_anonymous_posts_never_count(manager, movement):
    team = reports(manager, 6)
    follow(movement, team)
    User.objects.filter(pk=team[0].pk).update(is_active=False)
    FeedbackFactory(author=None, is_anonymous=True, kind=Kind.DOESNT)
    org = my_organisation(manager=manager)
    assert org.headcount == 5 and figures(org)["follow at least one movement"] == 5


def test_a_loop_in_the_directory_does_not_hang_the_page(manager):
    (a,) = reports(manager, 1, prefix="a")
    User.objects.filter(pk=manager.pk).update(manager=a)  # a reports to Mia, Mia to a
    org = my_organisation(manager=manager)
    assert org.has_reports and org.headcount is SUPPRESSED


# --- what the page lists --------------------------------------------------------------------------


def test_leads_and_sponsors_are_named_and_the_manager_is_offered_to_sponsor(client, manager):
    team = reports(manager, 2)
    MovementFactory(title="Open calendars", founder=team[0])
    sponsored = MovementFactory(title="Brown-bag Fridays")
    sponsorship = services.sponsorship_request(movement=sponsored, lead=sponsored.founder, sponsor=team[1])
    services.sponsorship_answer(sponsorship=sponsorship, person=team[1], accept=True)
    FeedbackFactory(kind=Kind.DOESNT, title="Builds are slow", author=UserFactory(department=manager.department))
    FeedbackFactory(kind=Kind.DOESNT, title="Anonymous gripe", author=None, is_anonymous=True)
    client.force_login(manager)
    page = client.get(reverse("organisation")).content.decode()
    assert "Open calendars" in page and "led by Report r0" in page
    assert "Brown-bag Fridays" in page and "sponsored by Report r1" in page
    assert "Report r0 leads “Open calendars”: offer to sponsor it" in page
    assert "Builds are slow" in page and "Anonymous gripe" not in page


def test_a_department_limited_movement_the_manager_cannot_see_is_not_named(manager):
    (person,) = reports(manager, 1)
    hidden = MovementFactory(title="Secret squad", founder=person, department=DepartmentFactory(name="Elsewhere"))
    org = my_organisation(manager=manager)
    assert hidden.pk not in [row.movement.pk for row in org.led]


def test_someone_without_reports_gets_a_helpful_empty_state(client, manager):
    client.force_login(manager)
    response = client.get(reverse("organisation"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nobody reports to you in the directory" in page and "Browse the movements" in page


def test_a_manager_cannot_open_another_managers_organisation(client, manager, movement):
    other = UserFactory()
    reports(other, 6)
    (sub,) = reports(manager, 1, prefix="sub")
    reports(sub, 5, prefix="s")
    client.force_login(manager)
    assert client.get(reverse("organisation_of", args=[other.pk])).status_code == 404
    assert client.get(reverse("organisation_of", args=[sub.pk])).status_code == 404  # not even one below
    assert client.get(reverse("organisation_of", args=[manager.pk])).status_code == 200
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("organisation_of", args=[manager.pk])).status_code == 404


def test_the_page_refuses_post_and_sends_the_anonymous_visitor_to_sign_in(client, manager):
    response = client.get(reverse("organisation"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(manager)
    assert client.post(reverse("organisation")).status_code == 405


@pytest.mark.parametrize("size", [5, 500])
def test_the_page_costs_the_same_queries_for_5_and_500_people(client, manager, size):
    """500: ten sub-managers with 49 each (and followers, leads, roles, sponsors); 5: one team."""
    movements = [MovementFactory(title=f"Movement {n}") for n in range(3)]
    if size == 5:
        people = reports(manager, 5)
    else:
        subs = reports(manager, 10, prefix="sub")
        people = list(subs)
        for sub in subs:
            people += reports(sub, 49, prefix=f"s{sub.pk}-")
    for n, movement in enumerate(movements):
        follow(movement, people[n::2])
    MovementFactory(title="Led here", founder=people[0])
    RoleAssignment.objects.bulk_create(
        RoleAssignment(role=RoleFactory(movement=movements[0], seats=len(people)), person=p) for p in people[::3]
    )
    sponsorship = services.sponsorship_request(movement=movements[1], lead=movements[1].founder, sponsor=people[1])
    services.sponsorship_answer(sponsorship=sponsorship, person=people[1], accept=True)
    FeedbackFactory(kind=Kind.DOESNT, author=UserFactory(department=manager.department))
    client.force_login(manager)
    client.get(reverse("organisation"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("organisation"))
    assert response.status_code == 200
    # session (+ person, department: one query), the counts per subtree (one recursive query), people per movement with their titles,
    # the leads (+ movements, people), the sponsors (+ movements, people), the manager's own sponsorships,
    # the manager's department, What Doesn't posts from it
    assert len(queries) == 7, "\n".join(q["sql"] for q in queries.captured_queries)
