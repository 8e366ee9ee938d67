"""Single sign-on end to end in Chromium, against a real OpenID Connect provider on loopback."""

import pytest

from people.models import AuditAction, AuditEvent, User
from tests.people.oidc import OIDCProvider

ALICE = {
    "email": "alice@acme.test",
    "email_verified": True,
    "name": "Alice Able",
    "department": "Engineering/Platform",
    "job_title": "Platform engineer",
}


@pytest.fixture(scope="module")
def browser_provider(live_server, tmp_path_factory):
    provider = OIDCProvider(
        redirect_uris=[f"{live_server.url}/accounts/oidc/acme/login/callback/"],
        accounts_file=tmp_path_factory.mktemp("oidc-browser") / "accounts.json",
    )
    yield provider
    provider.stop()


@pytest.fixture
def sso_site(browser_provider, settings, transactional_db):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [browser_provider.app_settings("acme", label="Acme ID")],
        }
    }
    settings.SIGNUP_ALLOWED_DOMAINS = ["acme.test"]
    browser_provider.set_accounts({"alice-sub": ALICE})
    return browser_provider


def sign_in_with_acme(page, live_server, login: str):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Acme ID").click()
    page.get_by_role("button", name="Continue").click()  # allauth's confirmation: sign-in starts with a POST
    page.wait_for_url("http://127.0.0.1:*/interaction/**")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()


def test_a_person_signs_in_with_the_company_provider_in_chromium(sso_site, live_server, page, axe):
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe(page) == []
    sign_in_with_acme(page, live_server, "alice-sub")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Alice Able"
    alice = User.objects.get(email="alice@acme.test")
    assert alice.department.name == "Platform" and alice.job_title == "Platform engineer"
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")

    # Signing out ends the session on the server: the old cookie no longer opens the portal.
    page.locator("summary").filter(has_text="Alice Able").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.context.add_cookies([{**session_cookie}])
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_IN, actor=alice, detail__method="sso:acme").count() == 1


def test_privacy_page_is_reachable_from_the_user_menu_and_accessible(sso_site, live_server, page, axe):
    sign_in_with_acme(page, live_server, "alice-sub")
    page.wait_for_url(f"{live_server.url}/")
    page.locator("summary").filter(has_text="Alice Able").click()
    page.get_by_role("link", name="Privacy").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Privacy and your data"
    assert axe(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all my data (JSON)").click()
    assert b'"alice@acme.test"' in open(download.value.path(), "rb").read()
    page.get_by_role("button", name="Ask to be erased").click()
    assert page.get_by_text("Please tick the box to confirm.").is_visible()
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Ask to be erased").click()
    assert page.get_by_text("Your request to be erased has been recorded.").is_visible()
