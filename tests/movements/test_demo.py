"""Every movements page renders on the demo data, for a champion and for an employee."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from movements.models import Invitation, Movement
from people.models import User


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize("email", ["champion@example.com", "employee@example.com", "admin@example.com"])
def test_every_demo_movement_page_renders(client, demo, email):
    client.force_login(User.objects.get(email=email))
    assert client.get(reverse("movements:list")).status_code == 200
    for movement in Movement.objects.all():
        response = client.get(movement.get_absolute_url())
        assert response.status_code == 200, movement.slug
        assert movement.title in response.content.decode()


def test_the_demo_employee_has_an_invitation_to_answer_and_seeding_again_adds_none(client, demo):
    employee = User.objects.get(email="employee@example.com")
    invitation = Invitation.objects.get(invitee=employee)
    call_command("seed_demo", stdout=StringIO())
    assert Invitation.objects.filter(invitee=employee).count() == 1
    client.force_login(employee)
    assert "Charlie Champion invites you to" in client.get(reverse("movements:list")).content.decode()
    assert client.get(reverse("movements:invitation", args=[invitation.token])).status_code == 200
