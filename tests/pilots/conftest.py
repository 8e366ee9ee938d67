"""Fixtures for the pilots tests: a movement in its pilot, built through the services so counts are right."""

import datetime as dt

import pytest
import time_machine

from movements import services as movement_services
from movements.services import RoleSpec
from tests.factories import DepartmentFactory, UserFactory

PILOT_START = dt.date(2026, 3, 2)
PILOT_END = dt.date(2026, 4, 26)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def department(db):
    return DepartmentFactory(name="Engineering")


@pytest.fixture
def founder(department):
    return UserFactory(display_name="Fiona Founder", department=department)


@pytest.fixture
def outsider(db):
    return UserFactory(display_name="Olga Outsider", department=DepartmentFactory(name="Sales"))


@pytest.fixture
def traveller():
    """Time stands at noon on the pilot's 10th day unless a test moves it."""
    with time_machine.travel(dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def movement(founder, department, traveller):
    movement = movement_services.movement_start(
        founder=founder,
        title="Quiet hours",
        pitch="Fewer interruptions.",
        department=department,
        roles=[RoleSpec(name="Note-taker", seats=2), RoleSpec(name="Evangelist", seats=3)],
    )
    return movement


@pytest.fixture
def join(movement, department):
    def join_one(person=None, **extra):
        person = person or UserFactory(department=department)
        movement_services.membership_join(movement=movement, person=person, **extra)
        return person

    return join_one


@pytest.fixture
def member(join, department):
    return join(UserFactory(display_name="Max Member", department=department))


@pytest.fixture
def note_taker(join, movement, department):
    person = join(UserFactory(display_name="Nora Notes", department=department))
    movement_services.role_claim(role=movement.roles.get(name="Note-taker"), person=person)
    return person


@pytest.fixture
def piloting(movement, founder):
    """The movement in its pilot (2 March to 26 April 2026)."""
    return movement_services.pilot_start(
        movement=movement,
        actor=founder,
        hypothesis="Quiet mornings help.",
        success_measure="Fewer late evenings",
        start=PILOT_START,
        end=PILOT_END,
        rationale="Enough people",
    )
