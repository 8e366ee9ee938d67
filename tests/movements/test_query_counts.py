"""Every movements page costs the same number of queries with 5 and with 50 members."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from movements import services
from movements.services import RoleSpec
from movements.views import recruit_link
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Every page starts with: the session (+ the viewer and their department, one query), the movement.
PAGES = {
    # + the lead check, roles, their holders (+ people), members for the assign menu
    "roles": (lambda m, v: reverse("movements:roles", args=[m.slug]), 6),
    # + the role, the lead check
    "role_edit": (lambda m, v: reverse("movements:role_edit", args=[m.slug, m.roles.first().pk]), 4),
    # + the lead check, directory search, the invitations the viewer sent (+ invitee)
    "invite": (lambda m, v: reverse("movements:invite", args=[m.slug]) + "?who=person", 5),
    # + the lead check, followers to welcome (for the initial text, the form's choices, the checkboxes)
    "welcome": (lambda m, v: reverse("movements:welcome", args=[m.slug]), 6),
    # + the lead check
    "pilot": (lambda m, v: reverse("movements:pilot", args=[m.slug]), 3),
    "edit": (lambda m, v: reverse("movements:edit", args=[m.slug]), 3),
    # + the recruiter, the viewer's membership
    "recruit": (lambda m, v: recruit_link(movement=m, person=m.founder), 4),
}


def grow(movement, count):
    role = movement.roles.get(name="Helper")
    for _ in range(count):
        person = services.membership_join(movement=movement, person=UserFactory()).person
        if role.seats_filled < role.seats:
            services.role_claim(role=role, person=person)
            role.refresh_from_db()


def measure(client, movement, viewer) -> dict[str, int]:
    counts = {}
    for name, (url, _expected) in PAGES.items():
        target = url(movement, viewer)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    return counts


def test_every_page_costs_the_same_queries_for_5_and_50_members(client, founder):
    movement = services.movement_start(
        founder=founder, title="Many", pitch="P", roles=[RoleSpec("Helper", 60), RoleSpec("Scribe", 1)]
    )
    client.force_login(founder)
    grow(movement, 4)
    small = measure(client, movement, founder)
    grow(movement, 45)
    large = measure(client, movement, founder)
    assert small == large == {name: expected for name, (_url, expected) in PAGES.items()}
