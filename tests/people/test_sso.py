from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount

from people.models import AuditAction, AuditEvent, User

from .conftest import sso_sign_in, start_sign_in

pytestmark = pytest.mark.django_db

ALICE = {
    "email": "alice@acme.test",
    "email_verified": True,
    "name": "Alice Able",
    "department": "Engineering/Platform",
    "job_title": "Platform engineer",
}


def test_first_sign_in_creates_the_person_from_the_claims(client, sso):
    sso.set_accounts({"alice-sub": ALICE})
    response = sso_sign_in(client, sso, "alice-sub")
    assert response.status_code == 302 and response["Location"] == "/"
    person = User.objects.get(email="alice@acme.test")
    assert (person.display_name, person.job_title) == ("Alice Able", "Platform engineer")
    assert person.department.name == "Platform" and person.department.parent.name == "Engineering"
    assert not person.has_usable_password()
    assert SocialAccount.objects.get(user=person).uid == "alice-sub"
    assert SocialAccount.objects.get(user=person).provider == "acme"
    assert client.get("/").context["user"] == person
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_IN, actor=person, detail__method="sso:acme").exists()


def test_authorization_request_carries_state_nonce_and_pkce(client, sso):
    query = parse_qs(urlsplit(start_sign_in(client)).query)
    assert query["client_id"] == ["socialbiz"]
    assert len(query["state"][0]) >= 16
    assert len(query["nonce"][0]) >= 32
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}


def test_sign_in_gives_a_new_session_id(client, sso):
    sso.set_accounts({"alice-sub": ALICE})
    callback = sso.sign_in(start_sign_in(client), "alice-sub")
    before = client.cookies["sessionid"].value  # the anonymous session that holds the state
    parts = urlsplit(callback)
    client.get(parts.path + "?" + parts.query)
    after = client.cookies["sessionid"].value
    assert client.get("/").context["user"].email == "alice@acme.test"
    assert before != after


def test_replayed_state_and_code_are_refused(client, sso, django_user_model):
    sso.set_accounts({"alice-sub": ALICE})
    callback = sso.sign_in(start_sign_in(client), "alice-sub")
    parts = urlsplit(callback)
    assert client.get(parts.path + "?" + parts.query).status_code == 302
    # The same answer again, in the same browser and in another one: the state is spent.
    client.post("/accounts/logout/")
    again = client.get(parts.path + "?" + parts.query)
    assert again.status_code == 401
    assert "Single sign-on failed" in again.content.decode()
    assert not again.wsgi_request.user.is_authenticated
    from django.test import Client

    stranger = Client()
    stolen = stranger.get(parts.path + "?" + parts.query)
    assert stolen.status_code == 401
    assert "Single sign-on failed" in stolen.content.decode()
    assert stranger.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, detail__provider="acme").count() == 2


def test_id_token_from_an_unexpected_issuer_is_refused(client, sso, settings):
    """The portal expects issuer https://id.other.test; the real provider's token names its own issuer."""
    spoofed = sso.app_settings("spoofed", openid_configuration_overrides={"issuer": "https://id.other.test"})
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {**settings.SOCIALACCOUNT_PROVIDERS["openid_connect"], "APPS": [spoofed]}
    }
    sso.set_accounts({"alice-sub": ALICE})
    response = sso_sign_in(client, sso, "alice-sub", provider_id="spoofed")
    assert response.status_code == 401
    assert "Single sign-on failed" in response.content.decode()
    assert not User.objects.filter(email="alice@acme.test").exists()
    assert not SocialAccount.objects.exists()


def _id_token_for(provider, client_id: str, client_secret: str, login: str) -> str:
    """Run the authorization code flow at the real provider as `client_id` and return its ID token."""
    import requests
    from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge

    pkce = generate_code_challenge()
    redirect_uri = provider.redirect_uris[0]
    authorize = (
        requests.Request(
            "GET",
            f"{provider.issuer}/auth",
            params={
                "client_id": client_id,
                "response_type": "code",
                "scope": "openid email profile",
                "redirect_uri": redirect_uri,
                "state": "s" * 20,
                "nonce": "n" * 40,
                "code_challenge": pkce["code_challenge"],
                "code_challenge_method": "S256",
            },
        )
        .prepare()
        .url
    )
    code = parse_qs(urlsplit(provider.sign_in(authorize, login)).query)["code"][0]
    token = requests.post(
        f"{provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "client_secret": client_secret,
            "code_verifier": pkce["code_verifier"],
        },
        timeout=10,
    )
    assert token.ok, token.text
    return token.json()["id_token"]


def test_id_token_issued_to_another_application_is_refused(rf, sso):
    from allauth.socialaccount.adapter import get_adapter
    from allauth.socialaccount.providers.oauth2.client import OAuth2Error
    from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter

    from .oidc import CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET

    sso.set_accounts({"alice-sub": ALICE})
    request = rf.get("/")
    app = get_adapter().get_app(request, provider="acme")
    adapter = OpenIDConnectOAuth2Adapter(request, "acme")
    adapter.did_fetch_access_token = False  # verify the signature too, as for a token handed over by anyone

    ours = adapter._decode_id_token(app, _id_token_for(sso, CLIENT_ID, CLIENT_SECRET, "alice-sub"))
    assert (ours["aud"], ours["sub"], ours["iss"]) == ("socialbiz", "alice-sub", sso.issuer)
    with pytest.raises(OAuth2Error):
        adapter._decode_id_token(app, _id_token_for(sso, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET, "alice-sub"))


def test_id_token_with_another_nonce_is_refused(client, sso):
    sso.set_accounts({"alice-sub": ALICE})
    authorize_url = start_sign_in(client)
    session = client.session
    states = session["socialaccount_states"]
    for state in states.values():
        state[0]["oidc_nonce"] = "not-the-nonce-that-was-sent"
    session["socialaccount_states"] = states
    session.save()
    callback = urlsplit(sso.sign_in(authorize_url, "alice-sub"))
    response = client.get(callback.path + "?" + callback.query, follow=True)
    assert "The sign-in could not be verified" in response.content.decode()
    assert not User.objects.filter(email="alice@acme.test").exists()
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_REFUSED, detail__reason="nonce").exists()


def test_a_changed_email_at_the_provider_keeps_the_account(client, sso):
    sso.set_accounts({"alice-sub": ALICE})
    sso_sign_in(client, sso, "alice-sub")
    alice = User.objects.get(email="alice@acme.test")
    client.post("/accounts/logout/")
    sso.set_accounts({"alice-sub": {**ALICE, "email": "alice.able@acme.test", "name": "Alice Able-Baker"}})
    response = sso_sign_in(client, sso, "alice-sub")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.email, alice.display_name) == ("alice.able@acme.test", "Alice Able-Baker")
    assert User.objects.count() == 1
    assert client.get("/").context["user"] == alice


def test_a_new_subject_with_an_existing_email_does_not_take_the_account_over(client, sso):
    sso.set_accounts({"alice-sub": ALICE})
    sso_sign_in(client, sso, "alice-sub")
    client.post("/accounts/logout/")
    sso.set_accounts({"alice-sub": ALICE, "mallory-sub": {**ALICE, "name": "Mallory"}})
    response = sso_sign_in(client, sso, "mallory-sub")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "An account with this email address already exists" in client.get("/accounts/login/").content.decode()
    assert client.get("/").status_code == 302
    assert list(SocialAccount.objects.values_list("uid", flat=True)) == ["alice-sub"]
    assert User.objects.get().display_name == "Alice Able"


def test_a_password_account_with_the_same_email_is_not_taken_over(client, sso, django_user_model):
    django_user_model.objects.create_user("alice@acme.test", "a-long-pass-phrase-1", display_name="Real Alice")
    sso.set_accounts({"intruder-sub": ALICE})
    sso_sign_in(client, sso, "intruder-sub")
    assert client.get("/").status_code == 302
    assert not SocialAccount.objects.exists()


def test_a_directory_person_is_linked_on_first_sign_in_by_employee_id(client, sso, django_user_model):
    imported = django_user_model.objects.create_user("alice@acme.test", None, employee_id="E-1", display_name="Alice")
    sso.set_accounts({"alice-sub": {**ALICE, "employee_id": "E-1"}})
    response = sso_sign_in(client, sso, "alice-sub")
    assert response.status_code == 302 and response["Location"] == "/"
    assert SocialAccount.objects.get(uid="alice-sub").user == imported
    assert client.get("/").context["user"] == imported


def test_sign_in_outside_the_allowed_domains_is_refused(client, sso):
    sso.set_accounts({"eve-sub": {**ALICE, "email": "eve@elsewhere.test"}})
    response = sso_sign_in(client, sso, "eve-sub")
    assert response["Location"] == "/accounts/login/"
    assert "Sign-in is limited to addresses at: acme.test." in client.get("/accounts/login/").content.decode()
    assert not User.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_REFUSED, detail__reason="domain").exists()


def test_a_deactivated_person_cannot_sign_in_through_sso(client, sso):
    from people.services import person_deactivate

    sso.set_accounts({"alice-sub": ALICE})
    sso_sign_in(client, sso, "alice-sub")
    client.post("/accounts/logout/")
    person_deactivate(person=User.objects.get())
    response = sso_sign_in(client, sso, "alice-sub")
    assert response["Location"] == "/accounts/inactive/"
    assert client.get("/").status_code == 302


def test_login_page_offers_the_configured_provider(client, sso):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme ID" in page
    assert 'href="/accounts/oidc/acme/login/' in page


def test_sso_only_login_page_shows_the_provider_and_no_password_form(client, sso, settings):
    settings.PASSWORD_LOGIN_ENABLED = False
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme ID" in page
    assert 'type="password"' not in page
    assert "Password sign-in is turned off: use your company account above." in page


def test_a_provider_that_sends_no_email_is_refused(client, sso):
    sso.set_accounts({"ghost-sub": {"name": "Ghost"}})
    response = sso_sign_in(client, sso, "ghost-sub")
    assert response["Location"] == "/accounts/login/"
    assert "did not send an email address" in client.get("/accounts/login/").content.decode()
    assert not User.objects.exists()
