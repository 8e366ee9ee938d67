"""Weighty movement actions ask once more without JavaScript: GET (or a first POST) shows what will happen,
only the confirmed POST does it. The founder is never offered a Leave button that would orphan the movement."""

import datetime

import pytest
from django.urls import reverse

from movements import services
from movements.models import Decision, Membership, Movement, Stage, StageChange
from tests.factories import UserFactory


@pytest.fixture
def piloting(movement, founder):
    services.pilot_start(
        movement=movement,
        actor=founder,
        hypothesis="Quiet hours help",
        success_measure="Fewer late evenings",
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 3, 30),
        rationale="Enough people",
    )
    return movement


def test_leave_asks_first_and_the_get_changes_nothing(client, movement, member):
    client.force_login(member)
    response = client.get(reverse("movements:leave", args=[movement.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Leave “Working out loud”?" in page and "Any seat you hold is freed" in page
    assert f'action="{reverse("movements:leave", args=[movement.slug])}"' in page and 'method="post"' in page
    assert Membership.objects.get(person=member).left_at is None
    client.post(reverse("movements:leave", args=[movement.slug]), {"confirmed": "yes"})
    assert Membership.objects.get(person=member).left_at is not None


def test_the_leave_confirmation_is_404_for_an_outsider(client, outsider_department_movement):
    movement, outsider = outsider_department_movement
    client.force_login(outsider)
    assert client.get(reverse("movements:leave", args=[movement.slug])).status_code == 404


def test_the_page_leave_button_asks_without_and_with_javascript(client, movement, member):
    client.force_login(member)
    page = client.get(movement.get_absolute_url()).content.decode()
    leave_url = reverse("movements:leave", args=[movement.slug])
    # Without JavaScript the form is a GET to the confirmation; htmx asks with hx-confirm, then POSTs.
    assert f'<form method="get" action="{leave_url}" hx-post="{leave_url}"' in page
    assert 'hx-confirm="Leave “Working out loud”? Any seat you hold is freed for someone else."' in page


def test_the_only_lead_sees_no_leave_button_and_no_follow_invitation(client, start_movement, founder):
    fresh = start_movement(title="Brand new")
    client.force_login(founder)
    page = client.get(fresh.get_absolute_url()).content.decode()
    assert reverse("movements:leave", args=[fresh.slug]) not in page
    assert "Your place? Follow to be the first follower." not in page
    assert "You are its only lead: make a member co-lead before you can leave." in page
    assert "Nobody yet: invite your first follower." in page
    client.force_login(UserFactory())
    assert "Your place? Follow to be the first follower." in client.get(fresh.get_absolute_url()).content.decode()


def test_a_co_lead_may_leave_again(client, movement, founder, member):
    membership = Membership.objects.get(person=member)
    services.lead_add(movement=movement, actor=founder, membership=membership)
    client.force_login(founder)
    assert reverse("movements:leave", args=[movement.slug]) in client.get(movement.get_absolute_url()).content.decode()


@pytest.mark.parametrize("decision", [Decision.ADOPT, Decision.RETIRE])
def test_a_confirmed_post_to_the_old_decision_page_records_nothing(client, piloting, founder, member, decision):
    """A lead cannot decide alone by posting the old page's confirmed form: the decision goes through the
    members' proposal (pilots app)."""
    proposal_url = reverse("pilots:proposal", args=[piloting.slug])
    url = reverse("movements:decision", args=[piloting.slug])
    for person in (founder, member):
        client.force_login(person)
        response = client.post(url, {"decision": decision, "rationale": "Clear already", "confirmed": "yes"})
        assert (response.status_code, response.url) == (302, proposal_url)
    assert Movement.objects.get().stage == Stage.PILOTING and StageChange.objects.count() == 2


# --- stepping down, releasing a seat, removing a role ----------------------------------------------


@pytest.fixture
def co_led(movement, founder, member):
    services.lead_add(movement=movement, actor=founder, membership=Membership.objects.get(person=member))
    return movement


@pytest.fixture
def held_role(movement, founder, member):
    role = services.role_create(movement=movement, actor=founder, name="Scribe", seats=2)
    services.role_claim(role=role, person=member)
    return role


def test_step_down_asks_first_and_only_the_confirmed_post_steps_down(client, co_led, member):
    client.force_login(member)
    url = reverse("movements:lead_step_down", args=[co_led.slug])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Step down as lead of “Working out loud”?" in page and f'action="{url}"' in page
    assert Membership.objects.get(person=member).is_lead
    client.post(url, {"confirmed": "yes"})
    assert not Membership.objects.get(person=member).is_lead


def test_the_step_down_confirmation_is_refused_to_members_who_do_not_lead_and_404_to_outsiders(
    client, movement, member, outsider_department_movement
):
    client.force_login(member)
    assert client.get(reverse("movements:lead_step_down", args=[movement.slug])).status_code == 403
    other, outsider = outsider_department_movement
    client.force_login(outsider)
    assert client.get(reverse("movements:lead_step_down", args=[other.slug])).status_code == 404


def test_the_page_step_down_and_release_buttons_ask_without_and_with_javascript(client, co_led, member, held_role):
    client.force_login(member)
    page = client.get(co_led.get_absolute_url()).content.decode()
    step_down = reverse("movements:lead_step_down", args=[co_led.slug])
    release = reverse("movements:role_release", args=[co_led.slug, held_role.pk])
    assert f'<form method="get" action="{step_down}" hx-post="{step_down}" hx-confirm="Step down as lead?' in page
    assert f'<form method="get" action="{release}" hx-post="{release}" hx-confirm="Release your seat as Scribe?' in page


def test_releasing_my_seat_asks_first(client, movement, member, held_role):
    client.force_login(member)
    url = reverse("movements:role_release", args=[movement.slug, held_role.pk])
    page = client.get(url).content.decode()
    assert "Release your seat as Scribe?" in page and 'name="person"' not in page
    assert held_role.assignments.filter(person=member).exists()
    client.post(url, {"confirmed": "yes"})
    assert not held_role.assignments.filter(person=member).exists()


def test_a_lead_releasing_someone_elses_seat_sees_their_name_and_returns_to_the_roles_page(
    client, movement, founder, member, held_role
):
    client.force_login(founder)
    url = reverse("movements:role_release", args=[movement.slug, held_role.pk])
    roles_page = client.get(reverse("movements:roles", args=[movement.slug])).content.decode()
    assert f'<form class="inline-form" method="get" action="{url}">' in roles_page
    page = client.get(url, {"person": member.pk, "next": "roles"}).content.decode()
    assert f"Release {member.name}&#x27;s seat as Scribe?" in page
    assert f'name="person" value="{member.pk}"' in page and 'name="next" value="roles"' in page
    assert held_role.assignments.filter(person=member).exists()
    response = client.post(url, {"person": member.pk, "next": "roles", "confirmed": "yes"})
    assert response.url == reverse("movements:roles", args=[movement.slug])
    assert not held_role.assignments.filter(person=member).exists()


def test_removing_a_role_asks_first_and_only_leads_see_the_question(client, movement, founder, member, held_role):
    url = reverse("movements:role_delete", args=[movement.slug, held_role.pk])
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(founder)
    page = client.get(url).content.decode()
    assert "Remove the role “Scribe”?" in page and "loses it" in page
    assert movement.roles.filter(pk=held_role.pk).exists()
    client.post(url, {"confirmed": "yes"})
    assert not movement.roles.filter(pk=held_role.pk).exists()
