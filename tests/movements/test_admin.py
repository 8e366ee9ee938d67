"""The Django admin edits a movement without writing back stale counters or an old people_version."""

import re

import pytest
from django.urls import reverse

from movements import services
from movements.models import Membership, Movement, Role
from movements.services import RoleSpec
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def movement():
    movement = services.movement_start(
        founder=UserFactory(), title="Working out loud", pitch="Share early.", roles=[RoleSpec("Evangelist", 2)]
    )
    services.membership_join(movement=movement, person=UserFactory())
    return Movement.objects.get(pk=movement.pk)


def change_url(movement) -> str:
    return reverse("admin:movements_movement_change", args=[movement.pk])


def form_data(admin_client, movement, **changes) -> dict:
    """What the browser would post back: every field of the change page as it was rendered."""
    response = admin_client.get(change_url(movement))
    html = response.content.decode()
    data: dict = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data.setdefault(name, value)
    for name in re.findall(r'<input type="checkbox" name="([^"]+)"[^>]*checked', html):
        data[name] = "on"
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        data[name] = body
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        data[name] = chosen.group(1) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    data.update(changes)
    return data


def test_editing_the_title_keeps_a_join_that_happened_after_the_page_was_loaded(admin_client, movement):
    data = form_data(admin_client, movement, title="Working out loud, together")
    late = services.membership_join(movement=movement, person=UserFactory())  # while the admin reads the form
    version_after_join = Movement.objects.get(pk=movement.pk).people_version
    response = admin_client.post(change_url(movement), data)
    assert response.status_code == 302
    movement.refresh_from_db()
    assert movement.title == "Working out loud, together"
    assert movement.follower_count == 2 and late.left_at is None
    assert movement.people_version > version_after_join  # never back to a version whose cache is stale


def test_more_seats_in_the_admin_open_seats_on_the_movement(admin_client, movement):
    role = movement.roles.get()
    data = form_data(admin_client, movement)
    seats_field = next(name for name, value in data.items() if name.endswith("-seats") and value == "2")
    data[seats_field] = "5"
    assert admin_client.post(change_url(movement), data).status_code == 302
    role.refresh_from_db()
    movement.refresh_from_db()
    assert (role.seats, movement.open_seats) == (5, 5)


def test_fewer_seats_than_holders_is_a_form_error_and_changes_nothing(admin_client, movement):
    role = movement.roles.get()
    for membership in Membership.objects.filter(movement=movement).select_related("person"):
        services.role_claim(role=role, person=membership.person)
    data = form_data(admin_client, movement)
    seats_field = next(name for name, value in data.items() if name.endswith("-seats"))
    data[seats_field] = "1"
    response = admin_client.post(change_url(movement), data)
    assert response.status_code == 200
    assert "2 people hold this role" in response.content.decode()
    assert Role.objects.get(pk=role.pk).seats == 2


def test_the_last_lead_cannot_be_unticked_in_the_admin(admin_client, movement):
    data = form_data(admin_client, movement)
    lead_field = next(name for name, value in data.items() if name.endswith("-is_lead"))
    del data[lead_field]
    response = admin_client.post(change_url(movement), data)
    assert response.status_code == 200
    assert "at least one active lead" in response.content.decode()
    assert Membership.objects.active_leads().filter(movement=movement).count() == 1


def test_making_a_co_lead_in_the_admin_bumps_people_version(admin_client, movement):
    before = Movement.objects.get(pk=movement.pk).people_version
    data = form_data(admin_client, movement)
    follower = Membership.objects.get(movement=movement, position=2)
    prefix = next(
        name[: -len("-id")] for name, value in data.items() if name.endswith("-id") and value == str(follower.pk)
    )
    data[f"{prefix}-is_lead"] = "on"
    assert admin_client.post(change_url(movement), data).status_code == 302
    follower.refresh_from_db()
    assert follower.is_lead and Movement.objects.get(pk=movement.pk).people_version > before


def test_movements_start_on_the_site_not_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:movements_movement_add")).status_code == 403
