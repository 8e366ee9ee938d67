"""Every page needs a signed-in person, except an explicit short list."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from api.api import not_found as api_not_found

# URL names (namespace:name) that anonymous visitors may open: signing in, password reset, health.
PUBLIC_URL_NAMES = {
    "healthz",
    "admin_login",
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_inactive",
    "account_logout",
    "account_login_code_confirm",
    "account_request_login_code",
    "account_confirm_login_code",
    "account_confirm_password_reset_code",
    "account_reset_password_code",
    "account_reauthenticate",
    "account_verify_email_code",
    "nudges:unsubscribe",
    # The language switcher on the sign-in page: a cookie, and the preference once signed in.
    "people:switch_language",
    # The emailed invitation link: signed out, a page to sign in or sign up (the token is the proof).
    "movements:invitation",
    # Feed links: the secret in the URL is the proof (tests/integrations/test_feeds.py).
    "integrations:feed_movement",
    "integrations:feed_feedback",
    "integrations:feed_pilots",
}
# Prefixes whose views are public by design: the admin has its own login; allauth's social-login
# callbacks must be reachable before sign-in; the API answers an anonymous caller with a 401 problem
# itself (tests/hardening/url_table.py), its schema and docs are public.
PUBLIC_PREFIXES = ("admin:", "socialaccount_", "openid_connect_", "api:")
# The API's unnamed catch-all: anything else under /api/v1/ is a 404 problem, not the login page.
PUBLIC_CALLBACKS = {api_not_found}


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else repr(entry.pattern)), entry.callback


def test_every_url_requires_login_except_the_allowed_list():
    open_views = []
    for name, callback in walk(get_resolver().url_patterns):
        public = getattr(callback, "login_required", True) is False
        if public and callback in PUBLIC_CALLBACKS:
            continue
        if public and name not in PUBLIC_URL_NAMES and not name.startswith(PUBLIC_PREFIXES):
            open_views.append(name)
    assert open_views == []


def test_the_walk_sees_our_own_pages():
    names = {name for name, _ in walk(get_resolver().url_patterns)}
    assert {"home", "healthz", "movements:list", "feedback:list", "account_login"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/movements/", "/feedback/", "/movements/new/"])
def test_anonymous_visitor_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/", "/healthz"])
def test_login_and_reset_pages_are_open(client, path):
    assert client.get(path).status_code == 200
