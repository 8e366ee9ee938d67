"""Nothing typed is lost when a session ended: a form posted from a signed-out tab is kept for an hour in
the cache under a random token (no session, no person: the visitor is signed out), the person signs in and
comes back to the page the form was on, where the text is put back into the same form.

Not kept: an anonymous feedback post (it must touch no Redis key, see README "Anonymity"), passwords and
anything that is not a short list of text fields.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.core.cache import cache
from django.utils.http import url_has_allowed_host_and_scheme

KEEP_SECONDS = 3600
MAX_CHARS = 100_000
PARAMETER = "restored"
NEVER_KEPT = {"csrfmiddlewaretoken", "password", "password1", "password2", "confirmed"}


def _key(token: str) -> str:
    return f"kept-text:{token}"


def form_page(request) -> str:
    """The page the form was on: the Referer when it is ours (Referrer-Policy same-origin), else home."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


def keep(request) -> str | None:
    """Keep a signed-out POST's fields; returns the token, or None when there is nothing to keep."""
    match = request.resolver_match
    if match is not None and match.view_name == "feedback:new" and request.POST.get("anonymous"):
        return None
    fields = [
        [name, value]
        for name, values in request.POST.lists()
        if name not in NEVER_KEPT
        for value in values
        if "\x00" not in value
    ]
    if not fields or sum(len(value) for _name, value in fields) > MAX_CHARS:
        return None
    token = secrets.token_urlsafe(16)
    cache.set(_key(token), {"action": request.path, "fields": fields}, timeout=KEEP_SECONDS)
    return token


def page_with_token(page: str, token: str | None) -> str:
    if not token:
        return page
    separator = "&" if "?" in page else "?"
    return f"{page}{separator}{PARAMETER}={token}"


def take(request) -> dict | None:
    """The kept form for this page's ?restored= token, once (a signed-in person only)."""
    token = request.GET.get(PARAMETER, "")
    if not token or not request.user.is_authenticated or len(token) > 64:
        return None
    kept = cache.get(_key(token))
    if kept is not None:
        cache.delete(_key(token))
    return kept
