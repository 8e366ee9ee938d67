import pytest

from people.models import User


@pytest.mark.django_db
def test_signup_outside_the_allowed_domains_is_refused(client, settings):
    settings.SIGNUP_ALLOWED_DOMAINS = ["acme.com"]
    response = client.post(
        "/accounts/signup/",
        {"email": "x@evil.test", "password1": "a-long-pass-phrase-1", "password2": "a-long-pass-phrase-1"},
    )
    assert response.status_code == 200
    assert "Sign-up is limited to addresses at: acme.com." in response.content.decode()
    assert not User.objects.filter(email="x@evil.test").exists()


@pytest.mark.django_db
def test_signup_inside_the_allowed_domains_creates_the_person(client, settings):
    settings.SIGNUP_ALLOWED_DOMAINS = ["acme.com"]
    response = client.post(
        "/accounts/signup/",
        {"email": "new@ACME.com", "password1": "a-long-pass-phrase-1", "password2": "a-long-pass-phrase-1"},
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new@acme.com").exists()


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
