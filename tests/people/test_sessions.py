from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from movements.models import Movement
from people.models import AuditAction, AuditEvent
from people.services import person_deactivate
from tests.factories import MembershipFactory, MovementFactory, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, person, password):
    response = client.post("/accounts/login/", {"login": person.email, "password": password})
    assert response.status_code == 302
    return client.cookies["sessionid"].value


def test_password_sign_in_gives_a_new_session_id(client, person, password):
    session = client.session  # an anonymous session exists before sign-in
    session["probe"] = 1
    session.save()
    before = client.cookies["sessionid"].value
    after = sign_in(client, person, password)
    assert before != after
    assert not Session.objects.filter(session_key=before).exists()


def test_sign_out_ends_the_session_on_the_server(client, person, password):
    key = sign_in(client, person, password)
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie is worth nothing now.
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_OUT, actor=person).exists()


def test_deactivated_persons_old_session_cookie_is_refused(client, person, password):
    key = sign_in(client, person, password)
    assert client.get("/").status_code == 200
    person_deactivate(person=person)
    thief = Client()
    thief.cookies["sessionid"] = key
    response = thief.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # The server-side session is gone too, so reactivating the account would not revive the cookie.
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED, detail__reason="deactivated").exists()


def test_deactivated_person_cannot_sign_in_with_a_password(client, person, password):
    person_deactivate(person=person)
    response = client.post("/accounts/login/", {"login": person.email, "password": password})
    assert client.get("/").status_code == 302
    assert response.status_code in (200, 302)
    assert "_auth_user_id" not in client.session


def test_idle_timeout_signs_out(client, person, password, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    settings.SESSION_ABSOLUTE_TIMEOUT = 0
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, person, password)
        clock.shift(timedelta(seconds=590))
        assert client.get("/").status_code == 200  # activity resets the idle clock
        clock.shift(timedelta(seconds=590))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(seconds=601))
        response = client.get("/")
    assert response.status_code == 302
    assert "Your session has expired" in client.get("/accounts/login/").content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_OUT, detail__reason="idle_timeout").exists()


def test_absolute_timeout_signs_out_even_an_active_person(client, person, password, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    settings.SESSION_ABSOLUTE_TIMEOUT = 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, person, password)
        for _ in range(7):  # active every 500 s, never idle for 600 s
            clock.shift(timedelta(seconds=500))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(seconds=500))  # 4000 s since sign-in
        assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_OUT, detail__reason="absolute_timeout").exists()


def test_leaver_who_was_the_only_lead_flags_the_movement(monkeypatch):
    flagged = []
    monkeypatch.setattr(
        "nudges.subscribers._ask_members_to_lead",
        lambda movement_id: flagged.append(Movement.objects.get(pk=movement_id)),
    )
    founder = UserFactory()
    solo = MovementFactory(founder=founder)
    shared = MovementFactory(founder=founder)
    MembershipFactory(movement=shared, is_lead=True)
    followed = MovementFactory()
    MembershipFactory(movement=followed, person=founder)

    assert person_deactivate(person=founder) is True
    assert flagged == [solo]
    # What they started stays, with them as founder.
    solo.refresh_from_db()
    assert solo.founder == founder and solo.memberships.count() == 1
    assert person_deactivate(person=founder) is False
    assert flagged == [solo]


def test_a_lead_whose_co_lead_already_left_the_company_also_flags(monkeypatch):
    flagged = []
    monkeypatch.setattr(
        "nudges.subscribers._ask_members_to_lead",
        lambda movement_id: flagged.append(Movement.objects.get(pk=movement_id)),
    )
    movement = MovementFactory()
    co_lead = MembershipFactory(movement=movement, is_lead=True).person
    person_deactivate(person=co_lead)
    assert flagged == []
    person_deactivate(person=movement.founder)
    assert flagged == [movement]


def test_erasure_ends_the_persons_sessions_on_the_server(client, person, password):
    from people.services import person_erase

    key = sign_in(client, person, password)
    person_erase(person=person)
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get("/").status_code == 302
