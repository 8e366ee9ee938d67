"""Who is calling: a personal access token (Authorization: Bearer sbz_...) or, for same-origin htmx use,
the session cookie with Django's CSRF check on writes. A read-only token may only read."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer, SessionAuth

from . import services

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenAuth(HttpBearer):
    openapi_bearerFormat = "sbz_…"

    def authenticate(self, request: HttpRequest, token: str):
        found = services.token_authenticate(raw=token)
        if found is None:
            return None
        if request.method not in SAFE_METHODS and not found.can_write:
            raise AuthorizationError(message="This token may only read. Create a token with the write scope.")
        request.user = found.person
        request.api_token = found
        return found.person


class ActiveSessionAuth(SessionAuth):
    """The signed-in person (the session middleware has already signed out leavers)."""

    def _get_key(self, request: HttpRequest):
        # Keep the body before the CSRF check: for a form-encoded POST it reads request.POST, which
        # would consume the stream that the API then parses (a 500 instead of a 400).
        try:
            request.body  # noqa: B018
        except RequestDataTooBig:
            pass  # answered as a 413 problem when the body is parsed
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


token_auth = TokenAuth()
session_auth = ActiveSessionAuth(csrf=True)
