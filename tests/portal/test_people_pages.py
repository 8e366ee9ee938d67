"""A person's page (their credit in one place) and the directory (portal/people_views.py)."""

import pytest
from django.urls import reverse

from feedback.models import Kind
from movements import services as movement_services
from movements.models import Role, RoleAssignment
from people.models import User
from sponsors import services as sponsor_services
from tests.factories import (
    DepartmentFactory,
    FeedbackFactory,
    MembershipFactory,
    MovementFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def person(db):
    manager = UserFactory(display_name="Mia Manager")
    return UserFactory(display_name="Fay Follower", job_title="Analyst", manager=manager)


@pytest.fixture
def viewer(db):
    return UserFactory(display_name="Vera Viewer")


def page(person) -> str:
    return reverse("person", kwargs={"person_id": person.pk})


def test_the_page_credits_founding_first_following_roles_and_named_posts(client, person, viewer):
    founded = MovementFactory(title="Founded by Fay", founder=person)
    followed = [MovementFactory(title=f"Followed {n}") for n in range(3)]
    for movement in followed:
        movement_services.membership_join(movement=movement, person=person)
    role = Role.objects.create(movement=followed[0], name="Trainer", seats=2, seats_filled=1)
    RoleAssignment.objects.create(role=role, person=person)
    FeedbackFactory(author=person, title="Named post by Fay", kind=Kind.WORKS)
    client.force_login(viewer)
    html = client.get(page(person)).content.decode()
    assert "Fay Follower" in html and "Analyst" in html and "Mia Manager" in html
    assert "Founded 1 movement" in html and founded.title in html
    assert "First follower of 3 movements" in html
    assert "Holds 1 role" in html and "Trainer" in html
    assert "Named post by Fay" in html


def test_an_anonymous_post_is_never_credited(client, person, viewer):
    FeedbackFactory(author=None, is_anonymous=True, title="Anonymous words")
    client.force_login(viewer)
    assert "Anonymous words" not in client.get(page(person)).content.decode()


def test_a_hidden_post_is_not_credited(client, person, viewer):
    from django.utils import timezone

    FeedbackFactory(author=person, title="Hidden words", hidden_at=timezone.now())
    client.force_login(viewer)
    assert "Hidden words" not in client.get(page(person)).content.decode()


def test_a_department_limited_movement_is_left_out_for_someone_outside(client, person, viewer):
    sales = DepartmentFactory(name="Sales")
    limited = MovementFactory(title="Sales secret", department=sales, founder=UserFactory(department=sales))
    MembershipFactory(movement=limited, person=person, position=2)
    client.force_login(viewer)
    html = client.get(page(person)).content.decode()
    assert "Sales secret" not in html and "First follower of 0 movements" in html
    client.force_login(UserFactory(department=sales))
    assert "Sales secret" in client.get(page(person)).content.decode()


def test_a_sponsorship_is_credited(client, person, viewer):
    movement = MovementFactory(title="Sponsored one")
    asked = sponsor_services.sponsorship_request(movement=movement, lead=movement.founder, sponsor=person)
    sponsor_services.sponsorship_answer(sponsorship=asked, person=person, accept=True, note="Backing it.")
    client.force_login(viewer)
    html = client.get(page(person)).content.decode()
    assert "Sponsors 1 movement" in html and "Backing it." in html


def test_a_leavers_page_keeps_their_history_but_not_what_they_do_now(client, person, viewer):
    founded = MovementFactory(title="Their old movement", founder=person)
    report = UserFactory(display_name="Rita Report", manager=person)
    person.is_active = False
    person.save()
    client.force_login(viewer)
    html = client.get(page(person)).content.decode()
    assert "Has left the company" in html and founded.title in html
    assert "Rita Report" not in html and "Mia Manager" not in html
    assert 'id="leads-title"' not in html
    assert report.pk


def test_the_manager_page_lists_reports(client, person, viewer):
    client.force_login(viewer)
    html = client.get(page(person.manager)).content.decode()
    assert "Fay Follower" in html and 'id="reports-title"' in html


def test_an_unknown_person_is_404_and_post_is_405(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("person", kwargs={"person_id": 999999})).status_code == 404
    assert client.post(page(viewer)).status_code == 405


def test_the_anonymous_visitor_is_sent_to_sign_in(client, person):
    assert client.get(page(person))["Location"].startswith("/accounts/login/")
    assert client.get(reverse("people_directory"))["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("count", [3, 300])
def test_the_page_costs_the_same_queries_for_3_and_300_memberships(
    client, person, viewer, count, django_assert_num_queries
):
    founder = UserFactory()
    for n in range(count):
        movement = MovementFactory(title=f"M {n}", founder=founder)
        MembershipFactory(movement=movement, person=person, position=2)
        FeedbackFactory(author=person, title=f"P {n}")
    client.force_login(viewer)
    # session (+ person, department: one query), the person (+department, manager), the viewer's department (visibility), memberships
    # (+movement), roles (+movement), sponsorships (+movement), named posts (+movement), reports
    with django_assert_num_queries(7):
        response = client.get(page(person))
    assert f"First follower of {count} movements" in response.content.decode()


# --- the directory -------------------------------------------------------------------------------


def test_the_directory_finds_people_by_name_department_and_tool(client, viewer):
    sales = DepartmentFactory(name="Sales")
    ada = UserFactory(display_name="Ada Lovelace", department=sales)
    bob = UserFactory(display_name="Bob Builder")
    movement = MovementFactory(title="Wiki", tool="Confluence")
    MembershipFactory(movement=movement, person=bob, position=2)
    client.force_login(viewer)
    url = reverse("people_directory")
    html = client.get(url, {"q": "lovel"}).content.decode()
    assert "Ada Lovelace" in html and "Bob Builder" not in html
    html = client.get(url, {"department": sales.pk}).content.decode()
    assert "Ada Lovelace" in html and "Bob Builder" not in html
    html = client.get(url, {"tool": "confluence"}).content.decode()
    assert "Bob Builder" in html and "Ada Lovelace" not in html
    assert ada.pk


def test_the_directory_leaves_out_leavers(client, viewer):
    UserFactory(display_name="Gone Person", is_active=False)
    client.force_login(viewer)
    assert "Gone Person" not in client.get(reverse("people_directory")).content.decode()


def test_a_percent_sign_a_huge_query_or_nonsense_is_answered_safely(client, viewer):
    UserFactory(display_name="Ada Lovelace")
    client.force_login(viewer)
    url = reverse("people_directory")
    response = client.get(url, {"q": "%"})
    assert response.status_code == 200 and "Ada Lovelace" not in response.content.decode()
    assert client.get(url, {"q": "a" * 10_000}).status_code == 200
    assert client.get(url, {"q": "a\x00b", "department": "x", "page": "zz", "tool": "\x00"}).status_code == 200


def test_the_htmx_directory_answers_with_the_results_only(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("people_directory"), headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<section id="results"')


@pytest.mark.parametrize("count", [5, 120])
def test_the_directory_costs_the_same_queries_for_few_and_many_people(client, viewer, count, django_assert_num_queries):
    department = DepartmentFactory()
    UserFactory.create_batch(count, department=department)
    client.force_login(viewer)
    # session (+ person, department: one query), count, the page (+department), the viewer's department (visibility), tools, departments
    with django_assert_num_queries(5):
        response = client.get(reverse("people_directory"))
    assert response.content.decode().count('class="card person-card"') == min(User.objects.count(), 50)
