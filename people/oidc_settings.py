"""Build allauth's OpenID Connect apps from environment variables (read by socialbiz/settings.py).

Two ways, documented in README ("Single sign-on, directory and privacy"):
- OIDC_PROVIDERS=entra,okta with OIDC_<ID>_ISSUER, OIDC_<ID>_CLIENT_ID, OIDC_<ID>_SECRET,
  OIDC_<ID>_LABEL and optionally OIDC_<ID>_SCOPES (space separated) and OIDC_<ID>_TOKEN_AUTH_METHOD
  (client_secret_post or client_secret_basic);
- OIDC_PROVIDERS_JSON='[{"id": "entra", "issuer": "...", "client_id": "...", "secret": "...", "label": "...",
  "scopes": "...", "token_auth_method": "..."}]'.
Kept free of Django imports so settings.py can use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")


class OIDCConfigError(ValueError):
    pass


TOKEN_AUTH_METHODS = {"client_secret_post", "client_secret_basic"}


def _app(
    *,
    provider_id: str,
    issuer: str,
    client_id: str,
    secret: str,
    label: str,
    scopes: list[str] | None,
    token_auth_method: str = "",
) -> dict:
    if not PROVIDER_ID.match(provider_id):
        raise OIDCConfigError(f"OpenID Connect provider id {provider_id!r}: use lower-case letters, digits and '-'.")
    missing = [name for name, value in (("issuer", issuer), ("client id", client_id), ("secret", secret)) if not value]
    if missing:
        raise OIDCConfigError(f"OpenID Connect provider {provider_id!r} is missing: {', '.join(missing)}.")
    settings: dict = {
        "server_url": issuer.rstrip("/"),
        # PKCE (S256) on every authorization request; the nonce is added by people.sso.
        "oauth_pkce_enabled": True,
    }
    if token_auth_method:
        if token_auth_method not in TOKEN_AUTH_METHODS:
            raise OIDCConfigError(
                f"OpenID Connect provider {provider_id!r}: token auth method must be one of {', '.join(sorted(TOKEN_AUTH_METHODS))}."
            )
        # Otherwise allauth picks from the provider's discovery document (client_secret_post when offered).
        settings["token_auth_method"] = token_auth_method
    if scopes:
        settings["scope"] = scopes
    return {
        "provider_id": provider_id,
        "name": label or provider_id.title(),
        "client_id": client_id,
        "secret": secret,
        "settings": settings,
    }


def oidc_apps_from_env(environ: Mapping[str, str]) -> list[dict]:
    """The list for SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]."""
    apps: list[dict] = []
    raw_json = environ.get("OIDC_PROVIDERS_JSON", "").strip()
    if raw_json:
        try:
            entries = json.loads(raw_json)
        except json.JSONDecodeError as exc:
            raise OIDCConfigError(f"OIDC_PROVIDERS_JSON is not valid JSON: {exc}") from exc
        if not isinstance(entries, list):
            raise OIDCConfigError("OIDC_PROVIDERS_JSON must be a JSON list of objects.")
        for entry in entries:
            if not isinstance(entry, dict):
                raise OIDCConfigError("OIDC_PROVIDERS_JSON must be a JSON list of objects.")
            scopes = entry.get("scopes")
            apps.append(
                _app(
                    provider_id=str(entry.get("id", "")).strip().lower(),
                    issuer=str(entry.get("issuer", "")).strip(),
                    client_id=str(entry.get("client_id", "")).strip(),
                    secret=str(entry.get("secret", "")).strip(),
                    label=str(entry.get("label", "")).strip(),
                    scopes=scopes.split() if isinstance(scopes, str) else scopes,
                    token_auth_method=str(entry.get("token_auth_method", "")).strip(),
                )
            )
    for provider_id in [p.strip().lower() for p in environ.get("OIDC_PROVIDERS", "").split(",") if p.strip()]:
        prefix = f"OIDC_{provider_id.upper().replace('-', '_')}_"
        apps.append(
            _app(
                provider_id=provider_id,
                issuer=environ.get(prefix + "ISSUER", "").strip(),
                client_id=environ.get(prefix + "CLIENT_ID", "").strip(),
                secret=environ.get(prefix + "SECRET", "").strip(),
                label=environ.get(prefix + "LABEL", "").strip(),
                scopes=environ.get(prefix + "SCOPES", "").split() or None,
                token_auth_method=environ.get(prefix + "TOKEN_AUTH_METHOD", "").strip(),
            )
        )
    ids = [app["provider_id"] for app in apps]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise OIDCConfigError(f"OpenID Connect provider ids must be unique: {', '.join(duplicates)}.")
    return apps
