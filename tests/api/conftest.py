"""People, a movement limited to a department, posts and tokens for the API tests."""

from __future__ import annotations

import pytest
from django.test import Client

from api import services as token_services
from feedback import services as feedback_services
from feedback.models import Kind
from movements import services as movement_services
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


class World:
    pass


@pytest.fixture
def world(db):
    w = World()
    w.dept_a, w.dept_b = DepartmentFactory(name="A"), DepartmentFactory(name="B")
    w.lead = UserFactory(display_name="Lena Lead", department=w.dept_a)
    w.member = UserFactory(display_name="Max Member", department=w.dept_a)
    w.outsider = UserFactory(display_name="Olga Outsider", department=w.dept_b)
    w.admin = UserFactory(display_name="Adam Admin", department=w.dept_b, is_staff=True)
    w.limited = movement_services.movement_start(
        founder=w.lead, title="Working out loud", pitch="Share work early.", department=w.dept_a
    )
    w.open = movement_services.movement_start(founder=w.lead, title="Meeting-free Wednesdays", pitch="Focus time.")
    movement_services.membership_join(movement=w.limited, person=w.member)
    w.post = feedback_services.feedback_post(
        person=w.member,
        kind=Kind.DOESNT,
        title="Meetings run long",
        body="Too long.",
        anonymous=False,
        movement=w.limited,
    )
    w.open_post = feedback_services.feedback_post(
        person=w.lead, kind=Kind.WORKS, title="Stand-ups work", body="Short.", anonymous=False
    )
    return w


def token_for(person, scope="write") -> str:
    _token, raw = token_services.token_create(person=person, name="test", scope=scope, expires_in_days=30)
    return raw


class ApiClient:
    """A client that sends a bearer token with every request."""

    def __init__(self, raw: str):
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path, data=None, **kw):
        return self.client.get(path, data, headers=self.headers, **kw)

    def post(self, path, data=None, **kw):
        return self.client.post(path, data, content_type="application/json", headers=self.headers, **kw)

    def put(self, path, **kw):
        return self.client.put(path, headers=self.headers, **kw)

    def delete(self, path, **kw):
        return self.client.delete(path, headers=self.headers, **kw)


@pytest.fixture
def api_as():
    def make(person, scope="write") -> ApiClient:
        return ApiClient(token_for(person, scope))

    return make
