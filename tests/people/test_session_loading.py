"""The session and the signed-in person are read with one plain SELECT each (people/sessions.py,
people/backends.py): the same data, the same expiry and the same refusal of leavers as Django's own."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.utils import timezone

from people.backends import PasswordAllauthBackend, PasswordModelBackend
from people.models import User
from people.services import person_deactivate
from people.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_engine_is_ours():
    assert settings.SESSION_ENGINE == "people.sessions"


def test_a_session_saved_by_djangos_engine_reads_the_same():
    theirs = DjangoSessionStore()
    theirs.update({"_auth_user_id": "7", "people_last_seen_at": 1700000000, "text": "ünïcode"})
    theirs.save()
    ours = SessionStore(session_key=theirs.session_key)
    assert dict(ours.items()) == dict(DjangoSessionStore(session_key=theirs.session_key).items())
    assert ours.session_key == theirs.session_key


def test_a_session_saved_by_ours_reads_the_same_with_djangos():
    ours = SessionStore()
    ours["probe"] = [1, 2]
    ours.save()
    assert DjangoSessionStore(session_key=ours.session_key)["probe"] == [1, 2]


def test_an_expired_session_reads_empty_and_is_saved_under_a_new_key():
    store = SessionStore()
    store["probe"] = 1
    store.save()
    old_key = store.session_key
    Session.objects.filter(session_key=old_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(session_key=old_key)
    assert dict(expired.items()) == {}
    assert expired.session_key is None
    expired["probe"] = 2
    expired.save()
    assert expired.session_key != old_key


def test_an_unknown_session_key_reads_empty():
    store = SessionStore(session_key="x" * 32)
    assert store.get("probe") is None
    assert store.session_key is None


def test_a_session_is_read_in_one_query(django_assert_num_queries):
    store = SessionStore()
    store["probe"] = 1
    store.save()
    with django_assert_num_queries(1):
        assert SessionStore(session_key=store.session_key)["probe"] == 1


@pytest.mark.parametrize("backend", [PasswordModelBackend, PasswordAllauthBackend])
def test_the_backend_loads_the_same_person_as_the_orm(backend, django_assert_num_queries):
    person = UserFactory(language="de", time_zone="Europe/Berlin")
    with django_assert_num_queries(1):
        loaded = backend().get_user(person.pk)
    expected = User.objects.get(pk=person.pk)
    assert isinstance(loaded, User) and loaded.pk == person.pk
    assert model_to_dict(loaded) == model_to_dict(expected)
    assert loaded.password == expected.password and loaded.last_login == expected.last_login
    assert loaded.get_session_auth_hash() == expected.get_session_auth_hash()
    assert not loaded.get_deferred_fields()


@pytest.mark.parametrize("backend", [PasswordModelBackend, PasswordAllauthBackend])
def test_the_backend_refuses_a_leaver_and_an_unknown_id(backend):
    person = UserFactory()
    person_deactivate(person=person)
    assert backend().get_user(person.pk) is None
    assert backend().get_user(person.pk + 10_000) is None


def test_a_changed_password_still_signs_out_other_sessions(client):
    person = UserFactory()
    client.force_login(person)
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert get_user(request).pk == person.pk
    person.set_password("a-new-password-42")
    person.save()
    request.session = SessionStore(session_key=request.session.session_key)
    assert not get_user(request).is_authenticated
    assert SESSION_KEY not in SessionStore(session_key=request.session.session_key)
