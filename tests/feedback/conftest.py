"""Fixtures for feedback tests: the people each view is tested for."""

import pytest

from feedback.models import Kind
from people.models import Department
from tests.factories import DepartmentFactory, FeedbackFactory, MembershipFactory, MovementFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories set a password for every person; the real hasher makes a 100-post test take minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def author(db):
    return UserFactory(display_name="Ada Author")


@pytest.fixture
def other(db):
    return UserFactory(display_name="Otto Other")


@pytest.fixture
def moderator(db):
    return UserFactory(display_name="Mona Moderator", is_moderator=True)


@pytest.fixture
def movement(db):
    return MovementFactory(title="Open movement")


@pytest.fixture
def lead(movement):
    return movement.founder


@pytest.fixture
def post(author):
    return FeedbackFactory(author=author, kind=Kind.DOESNT, title="Meetings run long")


@pytest.fixture
def movement_post(author, movement):
    return FeedbackFactory(author=author, kind=Kind.DOESNT, title="About the movement", movement=movement)


@pytest.fixture
def sales(db) -> Department:
    return DepartmentFactory(name="Sales")


@pytest.fixture
def limited_movement(sales):
    founder = UserFactory(department=sales)
    return MovementFactory(title="Sales only", department=sales, founder=founder)


@pytest.fixture
def limited_post(limited_movement):
    return FeedbackFactory(author=limited_movement.founder, movement=limited_movement, title="Sales secret")


@pytest.fixture
def outsider(db):
    """Someone in another department: cannot see department-limited movements of Sales."""
    return UserFactory(display_name="Olga Outsider")


@pytest.fixture
def make_lead():
    def make(movement, person):
        return MembershipFactory(movement=movement, person=person, is_lead=True)

    return make
