"""The admin signs in through allauth's form: the same rate limits and lockout as everyone else."""

import pytest
from django.test import Client

from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_person(password):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


def test_admin_login_sends_to_the_sign_in_form_keeping_next(client):
    response = client.get("/admin/login/?next=/admin/people/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpeople%2Fuser%2F"


def test_the_admin_sends_a_signed_out_visitor_to_the_sign_in_form(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    assert response.status_code == 200


def test_admin_login_refuses_a_next_to_another_site(client):
    response = client.get("/admin/login/?next=https://evil.example.com/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_posting_the_old_admin_form_checks_no_password(admin_person, password):
    browser = Client()
    response = browser.post("/admin/login/?next=/admin/", {"username": admin_person.email, "password": password})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in browser.session
    assert browser.get("/admin/").status_code == 302


def test_forty_wrong_admin_passwords_then_the_right_one_do_not_get_in_while_locked(admin_person, password):
    """The attack of issue 22: brute force through the admin's login, then the right password."""
    browser = Client()
    for attempt in range(40):
        browser.post("/admin/login/?next=/admin/", {"username": admin_person.email, "password": f"wrong-{attempt}"})
        # Following the admin's redirect lands on allauth's form, which counts the failure.
        login_url = browser.get("/admin/login/?next=/admin/")["Location"]
        browser.post(login_url, {"login": admin_person.email, "password": f"wrong-{attempt}"})
    browser.post("/admin/login/?next=/admin/", {"username": admin_person.email, "password": password})
    response = browser.post("/accounts/login/?next=/admin/", {"login": admin_person.email, "password": password})
    assert "_auth_user_id" not in browser.session
    assert response.status_code in (200, 429)
    assert browser.get("/admin/").status_code == 302
    assert User.objects.get(pk=admin_person.pk).last_login is None


def test_the_right_admin_password_gets_in_through_the_sign_in_form(admin_person, password):
    browser = Client()
    response = browser.post("/accounts/login/?next=/admin/", {"login": admin_person.email, "password": password})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200
    assert browser.get("/admin/login/")["Location"] == "/admin/"


def test_a_signed_in_person_who_is_not_staff_gets_404_from_admin_login(client, person):
    client.force_login(person)
    assert client.get("/admin/login/?next=/admin/").status_code == 404
