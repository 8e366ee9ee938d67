"""allauth's OpenID Connect provider with a nonce bound to the sign-in's state.

allauth sends `state` and PKCE (S256) but no `nonce`; this provider adds a random nonce to every
authorization request and keeps it in the stashed state; SocialAccountAdapter.pre_social_login
refuses an ID token whose nonce differs. Selected through
SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"].
"""

from __future__ import annotations

import secrets

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider

NONCE_STATE_KEY = "oidc_nonce"


class NonceOpenIDConnectProvider(OpenIDConnectProvider):
    # allauth builds the login and callback URLs from the provider's package: keep allauth's own.
    package = "allauth.socialaccount.providers.openid_connect"

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, **{NONCE_STATE_KEY: nonce}, **kwargs
        )
