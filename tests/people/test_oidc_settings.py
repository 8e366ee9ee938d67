import pytest

from people.oidc_settings import OIDCConfigError, oidc_apps_from_env
from tests.project.test_settings import settings_of


def test_providers_are_read_from_per_provider_variables():
    apps = oidc_apps_from_env(
        {
            "OIDC_PROVIDERS": "entra, Okta",
            "OIDC_ENTRA_ISSUER": "https://login.microsoftonline.com/tenant-1/v2.0",
            "OIDC_ENTRA_CLIENT_ID": "client-1",
            "OIDC_ENTRA_SECRET": "secret-1",
            "OIDC_ENTRA_LABEL": "Microsoft",
            "OIDC_OKTA_ISSUER": "https://acme.okta.com/",
            "OIDC_OKTA_CLIENT_ID": "client-2",
            "OIDC_OKTA_SECRET": "secret-2",
            "OIDC_OKTA_SCOPES": "openid email profile groups",
            "OIDC_OKTA_TOKEN_AUTH_METHOD": "client_secret_basic",
        }
    )
    assert [(a["provider_id"], a["name"], a["client_id"], a["secret"]) for a in apps] == [
        ("entra", "Microsoft", "client-1", "secret-1"),
        ("okta", "Okta", "client-2", "secret-2"),
    ]
    assert apps[0]["settings"]["server_url"] == "https://login.microsoftonline.com/tenant-1/v2.0"
    assert apps[0]["settings"]["oauth_pkce_enabled"] is True
    assert apps[1]["settings"]["server_url"] == "https://acme.okta.com"
    assert apps[1]["settings"]["scope"] == ["openid", "email", "profile", "groups"]
    assert apps[1]["settings"]["token_auth_method"] == "client_secret_basic"
    assert "token_auth_method" not in apps[0]["settings"]


def test_providers_can_come_from_one_json_variable():
    apps = oidc_apps_from_env(
        {
            "OIDC_PROVIDERS_JSON": '[{"id": "keycloak", "issuer": "https://sso.acme.test/realms/acme", '
            '"client_id": "portal", "secret": "s", "label": "Acme SSO"}]'
        }
    )
    assert [(a["provider_id"], a["name"]) for a in apps] == [("keycloak", "Acme SSO")]


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"OIDC_PROVIDERS": "entra", "OIDC_ENTRA_ISSUER": "https://x"}, "missing: client id, secret"),
        ({"OIDC_PROVIDERS": "bad id!"}, "use lower-case letters"),
        ({"OIDC_PROVIDERS_JSON": "{not json"}, "not valid JSON"),
        (
            {
                "OIDC_PROVIDERS": "a",
                "OIDC_A_ISSUER": "i",
                "OIDC_A_CLIENT_ID": "c",
                "OIDC_A_SECRET": "s",
                "OIDC_A_TOKEN_AUTH_METHOD": "private_key_jwt",
            },
            "token auth method must be one of",
        ),
        ({"OIDC_PROVIDERS_JSON": '{"id": "x"}'}, "must be a JSON list"),
        (
            {"OIDC_PROVIDERS": "a,a", "OIDC_A_ISSUER": "i", "OIDC_A_CLIENT_ID": "c", "OIDC_A_SECRET": "s"},
            "must be unique",
        ),
    ],
)
def test_incomplete_provider_settings_are_refused_with_a_clear_message(environ, message):
    with pytest.raises(OIDCConfigError, match=message):
        oidc_apps_from_env(environ)


def test_settings_build_the_openid_connect_apps_and_session_timeouts_from_the_environment():
    values = settings_of(
        {
            "DJANGO_DEBUG": "true",
            "OIDC_PROVIDERS": "google",
            "OIDC_GOOGLE_ISSUER": "https://accounts.google.com",
            "OIDC_GOOGLE_CLIENT_ID": "g-client",
            "OIDC_GOOGLE_SECRET": "g-secret",
            "OIDC_GOOGLE_LABEL": "Google",
            "SESSION_IDLE_TIMEOUT": "900",
            "PASSWORD_LOGIN_ENABLED": "false",
        },
        "SOCIALACCOUNT_PROVIDERS",
        "SESSION_IDLE_TIMEOUT",
        "SESSION_ABSOLUTE_TIMEOUT",
        "PASSWORD_LOGIN_ENABLED",
        "SOCIALACCOUNT_EMAIL_AUTHENTICATION",
        "MIDDLEWARE",
    )
    (app,) = values["SOCIALACCOUNT_PROVIDERS"]["openid_connect"]["APPS"]
    assert (app["provider_id"], app["client_id"], app["name"]) == ("google", "g-client", "Google")
    assert (values["SESSION_IDLE_TIMEOUT"], values["SESSION_ABSOLUTE_TIMEOUT"]) == (900, 43200)
    assert values["PASSWORD_LOGIN_ENABLED"] is False
    assert values["SOCIALACCOUNT_EMAIL_AUTHENTICATION"] is False
    assert "people.middleware.SessionPolicyMiddleware" in values["MIDDLEWARE"]
