"""Fixtures for the movements tests: movements are built through the services, so counts are right."""

import pytest

from movements import services
from movements.services import RoleSpec
from people.models import Department
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The factories hash a password per person; the real hasher makes 50-member tests crawl."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def department(db) -> Department:
    return DepartmentFactory(name="Engineering")


@pytest.fixture
def founder(db, department):
    return UserFactory(display_name="Fiona Founder", department=department)


@pytest.fixture
def start_movement(founder):
    def start(title="Working out loud", roles=(("Evangelist", 2), ("Note-taker", 1)), person=None, **extra):
        return services.movement_start(
            founder=person or founder,
            title=title,
            pitch="Share work early.",
            problem="Work stays invisible.",
            roles=[RoleSpec(name=name, seats=seats) for name, seats in roles],
            **extra,
        )

    return start


@pytest.fixture
def movement(start_movement):
    return start_movement()


@pytest.fixture
def join(movement):
    def join_one(person=None, target=None, **extra):
        return services.membership_join(movement=target or movement, person=person or UserFactory(), **extra)

    return join_one


@pytest.fixture
def member(join):
    return join(UserFactory(display_name="Max Member")).person


@pytest.fixture
def outsider_department_movement(founder, department, start_movement):
    """A movement limited to the founder's department, and a person from another department."""
    movement = start_movement(title="Engineering only", department=department)
    outsider = UserFactory(display_name="Olga Outsider", department=DepartmentFactory(name="Sales"))
    return movement, outsider
