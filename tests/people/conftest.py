from urllib.parse import urlsplit

import pytest

from .oidc import OIDCProvider

CALLBACK = "http://testserver/accounts/oidc/{}/login/callback/"


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory):
    """A real OpenID Connect provider on loopback, shared by a test module."""
    provider = OIDCProvider(
        redirect_uris=[CALLBACK.format(p) for p in ("acme", "spoofed")],
        accounts_file=tmp_path_factory.mktemp("oidc") / "accounts.json",
    )
    yield provider
    provider.stop()


@pytest.fixture
def sso(oidc_provider, settings):
    """The portal configured for the loopback provider (id "acme"), company domain acme.test."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [oidc_provider.app_settings("acme")],
        },
    }
    settings.SIGNUP_ALLOWED_DOMAINS = ["acme.test"]
    oidc_provider.set_accounts({})
    return oidc_provider


def start_sign_in(client, provider_id: str = "acme") -> str:
    """Press "Continue" on the portal's SSO page; return the provider's authorization URL."""
    response = client.post(f"/accounts/oidc/{provider_id}/login/")
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def sso_sign_in(client, provider, login: str, provider_id: str = "acme"):
    """The whole round trip; returns the portal's answer to the callback."""
    callback = provider.sign_in(start_sign_in(client, provider_id), login)
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")
