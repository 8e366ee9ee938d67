"""The new-feedback form offers the movements the person follows (plus the one they came from), not all of them;
the service still refuses a movement the person cannot see."""

import re

from django.urls import reverse

from feedback.models import Feedback
from tests.factories import MembershipFactory, MovementFactory, UserFactory

NEW = "/feedback/new/"


def _options(page: str) -> list[str]:
    select = page.split('name="movement"')[1].split("</select>")[0]
    return re.findall(r'<option value="(\d+)"', select)


def test_only_followed_movements_are_offered(client, other):
    followed = MovementFactory(title="Followed")
    MembershipFactory(movement=followed, person=other, position=2)
    left = MovementFactory(title="Left")
    MembershipFactory(movement=left, person=other, position=2, left_at="2026-01-01T00:00Z")
    for i in range(30):
        MovementFactory(title=f"Someone else's {i}")
    client.force_login(other)
    assert _options(client.get(NEW).content.decode()) == [str(followed.pk)]


def test_the_movement_it_came_from_is_offered_and_chosen(client, other):
    elsewhere = MovementFactory(title="Seen from its page")
    client.force_login(other)
    page = client.get(NEW, {"movement": elsewhere.pk}).content.decode()
    assert _options(page) == [str(elsewhere.pk)]
    assert f'<option value="{elsewhere.pk}" selected>' in page
    data = {"kind": "works", "title": "Good", "body": "Yes.", "movement": elsewhere.pk}
    assert client.post(NEW, data).status_code == 302
    assert Feedback.objects.get().movement == elsewhere


def test_a_movement_the_person_cannot_see_is_neither_offered_nor_accepted(client, outsider, limited_movement):
    client.force_login(outsider)
    page = client.get(NEW, {"movement": limited_movement.pk}).content.decode()
    assert _options(page) == [] and "Sales only" not in page
    data = {"kind": "works", "title": "Sneaky", "body": "Yes.", "movement": limited_movement.pk}
    response = client.post(NEW, data)
    assert response.status_code == 200 and response.context["form"].errors["movement"]
    assert not Feedback.objects.exists()


def test_nonsense_in_the_movement_parameter_is_ignored(client, other):
    client.force_login(other)
    for value in ("x", "-1", "9" * 30, "1\x00"):
        assert client.get(NEW, {"movement": value}).status_code == 200


def test_the_movement_page_links_to_feedback_about_it(client, other):
    movement = MovementFactory(title="Open")
    client.force_login(UserFactory())
    assert (
        f"{NEW}?movement={movement.pk}"
        in client.get(reverse("movements:detail", args=[movement.slug])).content.decode()
    )
