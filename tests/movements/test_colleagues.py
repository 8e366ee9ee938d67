"""Issue 20: "colleagues in your department who follow this" on the movement page: a count, and the names of
those still with the company, one query at most."""

import pytest
from django.urls import reverse

from movements import services
from movements.selectors import COLLEAGUES_NAMED, department_colleagues
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return DepartmentFactory(name="Claims")


@pytest.fixture
def viewer(team):
    return UserFactory(department=team, display_name="Viewer Vera")


@pytest.fixture
def movement():
    founder = UserFactory(display_name="Founder Fay")
    return services.movement_start(founder=founder, title="Quiet Fridays", pitch="No meetings on Fridays")


def page(client, person, movement):
    client.force_login(person)
    response = client.get(reverse("movements:detail", args=[movement.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_counts_and_names_colleagues_of_my_department_who_follow_now(client, team, viewer, movement):
    ann = UserFactory(department=team, display_name="Ann Colleague")
    bob = UserFactory(department=team, display_name="Bob Colleague")
    left = UserFactory(department=team, display_name="Lea Left")
    elsewhere = UserFactory(display_name="Otto Elsewhere")  # another department
    for person in (ann, bob, left, elsewhere, viewer):
        services.membership_join(movement=movement, person=person)
    services.membership_leave(movement=movement, person=left)
    UserFactory(department=team, display_name="Nina Notfollowing")

    colleagues = department_colleagues(movement=movement, viewer=viewer)
    assert colleagues.count == 2 and [p.name for p in colleagues.named] == ["Ann Colleague", "Bob Colleague"]

    html = page(client, viewer, movement)
    assert "2 colleagues in your department follow this:" in html
    assert f'<a href="{reverse("person", args=[ann.pk])}">Ann Colleague</a>' in html
    assert "Bob Colleague" in html
    section = html.split('data-testid="colleagues"')[1].split("</p>")[0]
    for hidden in ("Lea Left", "Otto Elsewhere", "Nina Notfollowing", "Viewer Vera"):
        assert hidden not in section


def test_a_leaver_is_neither_counted_nor_named(client, team, viewer, movement):
    gone = UserFactory(department=team, display_name="Gus Gone")
    services.membership_join(movement=movement, person=gone)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    colleagues = department_colleagues(movement=movement, viewer=viewer)
    assert colleagues.count == 0 and colleagues.named == []
    assert "No one else in your department follows this yet." in page(client, viewer, movement)


def test_many_colleagues_name_the_first_few_and_count_the_rest(client, team, viewer, movement):
    for n in range(COLLEAGUES_NAMED + 3):
        services.membership_join(movement=movement, person=UserFactory(department=team, display_name=f"Mate {n:02}"))
    colleagues = department_colleagues(movement=movement, viewer=viewer)
    assert colleagues.count == COLLEAGUES_NAMED + 3 and len(colleagues.named) == COLLEAGUES_NAMED
    assert colleagues.more == 3
    html = page(client, viewer, movement)
    assert f"{COLLEAGUES_NAMED + 3} colleagues in your department follow this:" in html
    assert "and 3 more." in html
    section = html.split('data-testid="colleagues"')[1].split("</p>")[0]
    assert "Mate 00" in section and f"Mate {COLLEAGUES_NAMED + 2:02}" not in section


def test_a_viewer_without_a_department_sees_nothing_and_costs_no_query(client, movement, django_assert_num_queries):
    loner = UserFactory(department=None, display_name="Lone Lou")
    services.membership_join(movement=movement, person=UserFactory(department=None, display_name="Also Alone"))
    with django_assert_num_queries(0):
        assert department_colleagues(movement=movement, viewer=loner) is None
    html = page(client, loner, movement)
    assert 'data-testid="colleagues"' not in html and "in your department" not in html


def test_one_query_whatever_the_number_of_colleagues(team, viewer, movement, django_assert_num_queries):
    for n in range(12):
        services.membership_join(movement=movement, person=UserFactory(department=team, display_name=f"Peer {n}"))
    with django_assert_num_queries(1):
        colleagues = department_colleagues(movement=movement, viewer=viewer)
    assert colleagues.count == 12


def test_a_department_limited_movement_shows_colleagues_to_its_members_and_nothing_to_outsiders(client, team, viewer):
    founder = UserFactory(department=team, display_name="Inside Ida")
    limited = services.movement_start(founder=founder, title="Claims only", pitch="P", department=team)
    services.membership_join(movement=limited, person=viewer)
    html = page(client, viewer, limited)
    assert "1 colleague in your department follows this:" in html and "Inside Ida" in html

    outsider = UserFactory(display_name="Outsider Oz")  # own department, not Claims
    client.force_login(outsider)
    response = client.get(reverse("movements:detail", args=[limited.slug]))
    assert response.status_code == 404
    assert b"Inside Ida" not in response.content and b"colleague" not in response.content
