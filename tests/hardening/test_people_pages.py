"""People pages in the URL x person matrix: a person's page never tells someone outside a department about
that department's limited movement (membership, role, post), and the directory's tool filter neither."""

import pytest
from django.test import Client
from django.urls import reverse

from movements import services as movement_services

PEOPLE = ("outsider", "other_manager", "member", "lead", "moderator", "admin", "sponsor", "manager")
SEES_THE_MOVEMENT = {"member", "lead", "moderator", "admin", "sponsor", "manager"}


@pytest.mark.parametrize("who", PEOPLE)
def test_a_person_page_shows_a_limited_movement_only_to_those_who_can_see_it(world, who):
    movement_services.role_claim(role=world.role, person=world.member)
    client = Client()
    client.force_login(world.person(who))
    html = client.get(reverse("person", kwargs={"person_id": world.member.pk})).content.decode()
    shown = world.movement.title in html or world.role.name in html or world.post.title in html
    assert shown == (who in SEES_THE_MOVEMENT)
    assert ("First follower of 1 movement" in html) == (who in SEES_THE_MOVEMENT)


@pytest.mark.parametrize("who", ["outsider", "member"])
def test_the_directory_tool_filter_does_not_reveal_followers_of_a_limited_movement(world, who):
    world.movement.tool = "Yammer"
    world.movement.save()
    client = Client()
    client.force_login(world.person(who))
    html = client.get(reverse("people_directory"), {"tool": "Yammer"}).content.decode()
    assert (world.member.name in html) == (who == "member")
