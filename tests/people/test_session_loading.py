"""The session and the signed-in person (with their department) are read with one plain SELECT
(people/sessions.py, people/backends.py): the same data, the same expiry and the same refusal of leavers as
Django's own; a session row without its person's id (saved before people 0006) still signs its person in."""

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
from people.models import Department, User
from people.models import Session as PersonSession
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


def _request_with(session_key: str):
    # The real middleware path: Django's get_user with the session store's joined person (people.middleware).
    from people.middleware import _user_of

    request = RequestFactory().get("/")
    request.session = SessionStore(session_key=session_key)
    return request, _user_of


def test_a_signed_in_request_reads_session_person_and_department_in_one_query(client, django_assert_num_queries):
    department = Department.objects.create(name="Logistics")
    person = UserFactory(department=department, language="fr")
    client.force_login(person)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert PersonSession.objects.get(session_key=key).user_id == person.pk
    request, user_of = _request_with(key)
    with django_assert_num_queries(1):
        user = user_of(request)
        assert user.pk == person.pk and user.language == "fr"
        assert user.department.name == "Logistics" and user.department.ancestor_ids == department.ancestor_ids
    assert model_to_dict(user) == model_to_dict(User.objects.get(pk=person.pk))
    assert user.get_session_auth_hash() == person.get_session_auth_hash()


def test_a_session_without_its_persons_id_still_signs_them_in_with_a_second_query(client, django_assert_num_queries):
    person = UserFactory()
    client.force_login(person)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    PersonSession.objects.filter(session_key=key).update(user=None)  # as a row saved before the column existed
    request, user_of = _request_with(key)
    with django_assert_num_queries(2):
        assert user_of(request).pk == person.pk
    store = SessionStore(session_key=key)
    store["probe"] = 1
    store.save()  # the next save of the session (a stamp, a message) fills the column again
    assert PersonSession.objects.get(session_key=key).user_id == person.pk
    request, user_of = _request_with(key)
    with django_assert_num_queries(1):
        assert user_of(request).pk == person.pk


def test_the_joined_person_is_as_fresh_as_a_read_of_their_own(client):
    person = UserFactory(language="de")
    client.force_login(person)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    User.objects.filter(pk=person.pk).update(language="es")
    request, user_of = _request_with(key)
    assert user_of(request).language == "es"
    person_deactivate(person=person)
    request, user_of = _request_with(key)
    assert not user_of(request).is_authenticated


def test_a_session_row_naming_another_person_is_not_trusted_for_the_person(client):
    person, other = UserFactory(), UserFactory()
    client.force_login(person)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    PersonSession.objects.filter(session_key=key).update(user=other)
    request, user_of = _request_with(key)
    assert user_of(request).pk == person.pk  # the signed session data decides; the column only saves a read


def test_deleting_a_person_deletes_their_sessions(client):
    person = UserFactory()
    client.force_login(person)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    User.objects.filter(pk=person.pk).delete()
    assert not Session.objects.filter(session_key=key).exists()
