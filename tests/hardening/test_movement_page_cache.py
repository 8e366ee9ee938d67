"""The movement page's people (founder and first followers, leads, roles, members, chain) come from the cache
(movements/views.py, socialbiz/fragments.render_parts): every write that changes what they show must show on
the next view, whoever made it and however (service or plain UPDATE), and a copy rendered for one viewer is
never shown to another who would see something else."""

import re
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from movements import services
from movements.services import RoleSpec
from people.models import User
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def between(html: str, start: str, end: str) -> str:
    section = html.split(start, 1)[1]
    return section.split(end, 1)[0]


def roles_of(html: str) -> str:
    return between(html, 'id="roles-title"', "</section>")


def members_of(html: str) -> str:
    return between(html, '<table class="members">', "</table>")


def core_of(html: str) -> str:
    return between(html, 'id="core-title"', "</section>")


def chain_of(html: str) -> str:
    return between(html, 'id="chain-title"', "</section>")


def cached_parts() -> int:
    return len(cache.keys("part:movement-people:*"))


@pytest.fixture
def founder():
    return UserFactory(display_name="Fay Founder")


@pytest.fixture
def movement(founder):
    return services.movement_start(founder=founder, title="Bike to work", pitch="P", roles=[RoleSpec("Trainer", 2)])


@pytest.fixture
def viewer():
    return UserFactory(display_name="Vic Viewer")


def page(client: Client, movement) -> str:
    response = client.get(movement.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_second_view_reads_the_people_from_the_cache(movement, viewer):
    client = signed_in(viewer)
    first = page(client, movement)
    assert cached_parts() == 1
    second = page(client, movement)
    assert cached_parts() == 1
    assert core_of(first) == core_of(second) and members_of(first) == members_of(second)


def test_joining_and_leaving_show_in_the_members_the_count_and_the_chain(movement, viewer):
    client = signed_in(viewer)
    joiner = UserFactory(display_name="Jo Joiner")
    assert "Jo Joiner" not in page(client, movement)

    services.membership_join(movement=movement, person=joiner, recruited_by=movement.founder)
    html = page(client, movement)
    assert "Jo Joiner" in members_of(html) and "Jo Joiner" in chain_of(html) and "Jo Joiner" in core_of(html)
    assert "2 members" in html

    services.membership_leave(movement=movement, person=joiner)
    html = page(client, movement)
    assert "Jo Joiner" not in members_of(html) and "Jo Joiner" not in chain_of(html)
    assert "1 member<" in html


def test_a_new_lead_and_a_lead_stepping_down_show(movement, founder, viewer):
    member = services.membership_join(movement=movement, person=UserFactory(display_name="Lee Lead"))
    client = signed_in(viewer)
    assert "Lee Lead" not in between(page(client, movement), "<h3>Leads</h3>", "</ul>")

    services.lead_add(movement=movement, actor=founder, membership=member)
    html = page(client, movement)
    assert "Lee Lead" in between(html, "<h3>Leads</h3>", "</ul>")
    assert re.search(r"Lee Lead.*?<span class=\"badge\">lead</span>", members_of(html), re.S)

    services.lead_step_down(movement=movement, person=member.person)
    assert "Lee Lead" not in between(page(client, movement), "<h3>Leads</h3>", "</ul>")


def test_every_role_change_shows(movement, founder, viewer):
    client = signed_in(viewer)
    assert "Trainer" in roles_of(page(client, movement))

    role = services.role_create(movement=movement, actor=founder, name="Mapper", seats=1, description="Draws maps")
    html = roles_of(page(client, movement))
    assert "Mapper" in html and "Draws maps" in html

    role = services.role_update(role=role, actor=founder, name="Cartographer", seats=3, description="Draws maps")
    html = roles_of(page(client, movement))
    assert "Cartographer" in html and "Mapper" not in html and "0 of 3 seats taken" in html

    holder = services.membership_join(movement=movement, person=UserFactory(display_name="Hal Holder")).person
    services.role_claim(role=role, person=holder)
    html = page(client, movement)
    assert "1 of 3 seats taken: Hal Holder" in roles_of(html)
    assert re.search(r"Hal Holder.*?Cartographer", members_of(html), re.S)

    services.role_release(role=role, person=holder, actor=holder)
    assert "0 of 3 seats taken" in roles_of(page(client, movement))

    services.role_delete(role=role, actor=founder)
    assert "Cartographer" not in roles_of(page(client, movement))


def test_a_rename_a_new_picture_and_a_deactivation_show_without_any_movement_write(movement, founder, viewer):
    client = signed_in(viewer)
    assert "Fay Founder" in core_of(page(client, movement))

    # Plain UPDATEs: nothing tells the movement (the people shown are read fresh for the key).
    User.objects.filter(pk=founder.pk).update(display_name="Fay Renamed")
    html = page(client, movement)
    assert "Fay Renamed" in core_of(html) and "Fay Renamed" in members_of(html) and "Fay Founder" not in html

    User.objects.filter(pk=founder.pk).update(avatar_version=3)
    assert reverse("people:avatar", kwargs={"pk": founder.pk, "version": 3}) in core_of(page(client, movement))

    User.objects.filter(pk=founder.pk).update(is_active=False)
    assert "left the company" in members_of(page(client, movement))


def test_the_seat_holders_name_follows_a_rename(movement, founder, viewer):
    role = movement.roles.get()
    holder = services.membership_join(movement=movement, person=UserFactory(display_name="Hal Holder")).person
    services.role_claim(role=role, person=holder)
    client = signed_in(viewer)
    assert "Hal Holder" in roles_of(page(client, movement))
    User.objects.filter(pk=holder.pk).update(display_name="Hal Renamed")
    assert "Hal Renamed" in roles_of(page(client, movement))


def test_each_viewer_sees_their_own_buttons_from_a_shared_cache(movement, founder, viewer):
    role = movement.roles.get()
    member = services.membership_join(movement=movement, person=UserFactory()).person
    holder = services.membership_join(movement=movement, person=UserFactory()).person
    services.role_claim(role=role, person=holder)

    outsider_html = page(signed_in(viewer), movement)
    member_html = page(signed_in(member), movement)
    holder_html = page(signed_in(holder), movement)
    lead_html = page(signed_in(founder), movement)

    assert "Follow the movement to claim a seat." in roles_of(outsider_html) and "Claim" not in roles_of(outsider_html)
    assert "Claim Trainer" in roles_of(member_html) and "Release my seat" not in roles_of(member_html)
    assert "Release my seat as Trainer" in roles_of(holder_html)
    assert "co-lead" in members_of(lead_html) and "co-lead" not in members_of(member_html)
    # Each viewer's forms carry their own CSRF token, never the placeholder or someone else's.
    assert "csrf-token-of-the-viewer" not in member_html + lead_html
    # Seen again by the outsider after the others: still the outsider's page.
    assert "Claim" not in roles_of(page(signed_in(viewer), movement))


def test_the_empty_first_follower_seat_speaks_to_members_and_others_differently(founder, movement, viewer):
    assert "Follow to be the first follower" in core_of(page(signed_in(viewer), movement))
    assert "invite your first follower" in core_of(page(signed_in(founder), movement))


def test_language_and_time_zone_are_part_of_the_key(movement, viewer):
    services.membership_join(movement=movement, person=viewer)
    movement.memberships.filter(person=viewer).update(joined_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    services.movement_recount(movement=movement)  # a change outside the services: a new people_version
    client = signed_in(viewer)
    english = page(client, movement)
    assert "Trainer" in roles_of(english) and 'datetime="2026-03-01T23:30' in members_of(english)

    User.objects.filter(pk=viewer.pk).update(language="de", time_zone="Europe/Berlin")
    german = page(client, movement)
    assert "Founder and first followers" not in german  # the core section in German
    assert 'datetime="2026-03-02T00:30:00+0100"' in members_of(german)

    User.objects.filter(pk=viewer.pk).update(language="en", time_zone="UTC")
    assert core_of(page(client, movement)) == core_of(english)


def test_an_outsider_still_gets_404_for_a_department_movement_whose_page_is_cached():
    team = DepartmentFactory(name="Finance")
    founder = UserFactory(department=team)
    movement = services.movement_start(founder=founder, title="Finance only", pitch="P", department=team)
    colleague = UserFactory(department=team)
    assert signed_in(colleague).get(movement.get_absolute_url()).status_code == 200
    assert cached_parts() == 1
    assert signed_in(UserFactory()).get(movement.get_absolute_url()).status_code == 404
