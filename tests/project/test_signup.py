import pytest
from allauth.account.models import EmailAddress

from people.models import User
from tests.factories import UserFactory

NEW = {"password1": "a-long-pass-phrase-1", "password2": "a-long-pass-phrase-1"}


@pytest.mark.django_db
def test_signup_outside_the_allowed_domains_is_refused(client, settings):
    settings.SIGNUP_ALLOWED_DOMAINS, settings.SIGNUP_OPEN = ["acme.com"], True
    response = client.post(
        "/accounts/signup/",
        {"email": "x@evil.test", "password1": "a-long-pass-phrase-1", "password2": "a-long-pass-phrase-1"},
    )
    assert response.status_code == 200
    assert "Sign-up is limited to addresses at: acme.com." in response.content.decode()
    assert not User.objects.filter(email="x@evil.test").exists()


@pytest.mark.django_db
def test_signup_inside_the_allowed_domains_creates_the_person_who_confirms_then_signs_in(client, settings, mailoutbox):
    settings.SIGNUP_ALLOWED_DOMAINS, settings.SIGNUP_OPEN = ["acme.com"], True
    response = client.post("/accounts/signup/", {"email": "new@ACME.com", **NEW})
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    person = User.objects.get(email="new@acme.com")
    assert "_auth_user_id" not in client.session
    # Not signed in before the address is confirmed: signing in sends the confirmation again.
    response = client.post("/accounts/login/", {"login": "new@acme.com", "password": NEW["password1"]})
    assert response["Location"] == "/accounts/confirm-email/" and "_auth_user_id" not in client.session
    assert len(mailoutbox) == 2 and all(m.to == ["new@acme.com"] for m in mailoutbox)
    EmailAddress.objects.filter(user=person).update(verified=True)
    response = client.post("/accounts/login/", {"login": "new@acme.com", "password": NEW["password1"]})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.django_db
def test_signup_answers_the_same_whether_or_not_the_address_has_an_account(client, settings, mailoutbox):
    settings.SIGNUP_OPEN = True
    UserFactory(email="taken@acme.com")
    taken = client.post("/accounts/signup/", {"email": "Taken@acme.com", **NEW})
    fresh = client.post("/accounts/signup/", {"email": "fresh@acme.com", **NEW})
    assert (
        (taken.status_code, taken["Location"])
        == (fresh.status_code, fresh["Location"])
        == (302, "/accounts/confirm-email/")
    )
    assert "already" not in client.get(taken["Location"]).content.decode()
    assert User.objects.filter(email__iexact="taken@acme.com").count() == 1
    # The holder is told someone tried; the new address gets its confirmation link.
    assert {tuple(m.to) for m in mailoutbox} == {("taken@acme.com",), ("fresh@acme.com",)}


def test_signup_is_closed_when_nothing_opens_it():
    from tests.project.test_settings import PRODUCTION_ENV, settings_of

    assert settings_of(PRODUCTION_ENV, "SIGNUP_OPEN")["SIGNUP_OPEN"] is False
    limited = settings_of({**PRODUCTION_ENV, "SIGNUP_ALLOWED_DOMAINS": "acme.com"}, "SIGNUP_OPEN")
    assert limited["SIGNUP_OPEN"] is True
    assert settings_of({**PRODUCTION_ENV, "SIGNUP_OPEN": "true"}, "SIGNUP_OPEN")["SIGNUP_OPEN"] is True


@pytest.mark.django_db
def test_signup_with_the_default_settings_shows_the_closed_page(client):
    response = client.post("/accounts/signup/", {"email": "outsider@evil.test", **NEW})
    assert "Sign Up Closed" in response.content.decode()
    assert not User.objects.filter(email="outsider@evil.test").exists()


@pytest.mark.django_db
def test_closed_signup_shows_the_closed_page_and_creates_no_one(client, settings):
    settings.SIGNUP_OPEN = False
    response = client.post(
        "/accounts/signup/",
        {"email": "new@acme.com", "password1": "a-long-pass-phrase-1", "password2": "a-long-pass-phrase-1"},
    )
    assert "Sign Up Closed" in response.content.decode()
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_login_with_email_and_password(client, person, password):
    response = client.post("/accounts/login/", {"login": person.email.upper(), "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"] == person


def test_email_is_unique_whatever_the_case(db):
    from django.db import IntegrityError, transaction

    User.objects.create_user("Sam@Example.com", "x")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="SAM@example.com")
