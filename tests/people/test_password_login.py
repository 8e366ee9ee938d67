import pytest
from django.test import Client

from people.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_with_password_sign_in_off_the_right_password_is_refused(client, person, password, settings):
    settings.PASSWORD_LOGIN_ENABLED = False
    response = client.post("/accounts/login/", {"login": person.email, "password": password})
    assert response.status_code == 200
    assert "Password sign-in is turned off" in response.content.decode()
    assert client.get("/").status_code == 302


def test_with_password_sign_in_off_the_admin_login_refuses_too(person, password, settings):
    person.is_staff = person.is_superuser = True
    person.save()
    settings.PASSWORD_LOGIN_ENABLED = False
    admin = Client()
    response = admin.post("/admin/login/?next=/admin/", {"username": person.email, "password": password})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = admin.post("/accounts/login/?next=/admin/", {"login": person.email, "password": password})
    assert "Password sign-in is turned off" in response.content.decode()
    assert admin.get("/admin/").status_code == 302


def test_with_password_sign_in_off_the_login_page_has_no_password_field(client, settings):
    settings.PASSWORD_LOGIN_ENABLED = False
    page = client.get("/accounts/login/").content.decode()
    assert 'type="password"' not in page
    assert "no single sign-on provider is configured" in page


def test_with_password_sign_in_off_sign_up_is_closed(client, settings):
    settings.PASSWORD_LOGIN_ENABLED = False
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "a-long-pass-phrase-1", "password2": "a-long-pass-phrase-1"},
    )
    assert "Sign Up Closed" in response.content.decode()


def test_password_sign_in_still_works_by_default(client, person, password):
    assert client.post("/accounts/login/", {"login": person.email, "password": password}).status_code == 302
    assert client.get("/").status_code == 200


def test_failed_password_sign_in_is_audited_without_the_password(client, person):
    client.post("/accounts/login/", {"login": person.email, "password": "wrong-password-123"})
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.target_id == str(person.pk)
    assert person.email not in str(event.detail)
    assert "wrong-password-123" not in str(event.detail) + event.target_repr


def test_a_password_typed_into_the_email_field_is_not_kept_in_the_audit_log(client, person):
    from django.contrib.auth import authenticate

    secret = "Correct.Horse-9@battery.staple"  # shaped like an address, so the form passes it on
    client.post("/accounts/login/", {"login": secret, "password": "x"})
    authenticate(None, username=secret.upper(), password="y")  # any other way in fires the same signal
    events = list(AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).order_by("pk"))
    assert len(events) == 2
    for event in events:
        stored = str(event.detail) + event.target_repr + event.target_id
        assert secret.lower() not in stored.lower()
        assert event.target_id == ""
    # A keyed hash still groups repeated tries of one string, without being reversible by whoever reads the log.
    assert events[0].detail["tried_hmac"] == events[1].detail["tried_hmac"]
    import hashlib

    assert events[0].detail["tried_hmac"] not in hashlib.sha256(secret.lower().encode()).hexdigest()


def test_the_sign_in_hash_is_keyed_with_the_secret_key(client, person, settings):
    client.post("/accounts/login/", {"login": "someone@example.com", "password": "x"})
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789abcdefgh"
    client.post("/accounts/login/", {"login": "someone@example.com", "password": "x"})
    first, second = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).order_by("pk")
    assert first.detail["tried_hmac"] != second.detail["tried_hmac"]
