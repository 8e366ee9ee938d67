"""Fixtures for the sponsors tests: movements and sponsorships are built through the services."""

from datetime import date

import pytest

from movements import services as movement_services
from movements.services import RoleSpec
from sponsors import services
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def department(db):
    return DepartmentFactory(name="Engineering")


@pytest.fixture
def lead(department):
    return UserFactory(display_name="Lena Lead", department=department)


@pytest.fixture
def member(movement):
    person = UserFactory(display_name="Max Member", department=movement.founder.department)
    movement_services.membership_join(movement=movement, person=person)
    return person


@pytest.fixture
def manager(department):
    return UserFactory(display_name="Mia Manager", job_title="Head of Engineering", department=department)


@pytest.fixture
def movement(lead):
    return movement_services.movement_start(
        founder=lead,
        title="Working out loud",
        pitch="Share work early.",
        problem="Work stays invisible.",
        roles=[RoleSpec(name="Evangelist", seats=2)],
    )


@pytest.fixture
def sponsor(movement, lead, manager):
    """The manager, asked by the lead, has accepted."""
    sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager, note="Please back us")
    services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=True, note="Worth backing.")
    return manager


@pytest.fixture
def piloting(movement, lead):
    return movement_services.pilot_start(
        movement=movement,
        actor=lead,
        hypothesis="If we share, we save time",
        success_measure="Half keep it",
        start=date(2026, 1, 1),
        end=date(2026, 12, 1),
        rationale="Enough people",
    )


@pytest.fixture
def limited_movement(lead, department):
    """A movement only its department can see, and somebody from elsewhere."""
    movement = movement_services.movement_start(
        founder=lead, title="Engineering only", pitch="Just us.", department=department, roles=[]
    )
    return movement
