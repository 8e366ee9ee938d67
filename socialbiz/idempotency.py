"""Back, then Send again, does not post twice: a create form carries a random key ({% idempotency_field %}),
and its view is wrapped in @once_per_key. The first POST with a key claims it in the shared cache
(cache.add, atomic in Redis); a second POST with the same key does not run the view and goes where the first
one went. A form that came back with errors frees its key, so correcting it and sending again works.

The same fields sent again to the same address by the same person within 10 minutes count as a second
sending too: Back re-fetches our no-store pages, so the form may come with a new key but the same text.
The cache keys are hashes keyed with a secret (person, key or content): no person id or text in Redis. A form
posted anonymously (feedback) is left alone: it must touch no Redis key at all (README, "Anonymity").
"""

from __future__ import annotations

import re
import secrets
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import redirect
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

FIELD = "idempotency_key"
KEEP_SECONDS = 24 * 3600
PENDING = "pending"


def new_key() -> str:
    return secrets.token_urlsafe(16)


_KEY_INPUT = re.compile(rf'(<input type="hidden" name="{re.escape(FIELD)}" value=")[^"]*(")')


def fresh_keys(html: str) -> str:
    """A page part kept in the cache for many viewers (socialbiz/fragments.py) with a new one-time key in
    each of its forms, as `{% idempotency_field %}` would have rendered for this view."""
    return _KEY_INPUT.sub(lambda match: f"{match.group(1)}{new_key()}{match.group(2)}", html)


IGNORED = {"csrfmiddlewaretoken", FIELD}
CONTENT_SECONDS = 600


def _hashed(text: str) -> str:
    return "idempotency:" + salted_hmac("socialbiz.idempotency", text).hexdigest()[:40]


def _claims(request) -> list[tuple[str, int]]:
    """(cache key, seconds): the form's one-time key, and the words themselves: the same fields sent to the
    same address by the same person within 10 minutes (Back re-fetches our no-store pages, so a form sent
    again may carry a new key but the same text)."""
    fields = sorted((n, v) for n, values in request.POST.lists() if n not in IGNORED for v in values)
    claims = [(_hashed(f"{request.user.pk}:content:{request.path}:{fields!r}"), CONTENT_SECONDS)]
    key = request.POST.get(FIELD, "")
    if key and len(key) <= 64:
        claims.append((_hashed(f"{request.user.pk}:key:{key}"), KEEP_SECONDS))
    return claims


def once_per_key(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST" or request.POST.get("anonymous") or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        claims = _claims(request)
        taken: list[str] = []
        for claim, seconds in claims:
            if cache.add(claim, PENDING, timeout=seconds):
                taken.append(claim)
                continue
            first = cache.get(claim)
            if first is None:  # the cache does not answer (Redis down): posting must still work
                continue
            cache.delete_many(taken)
            messages.info(request, _("That was already sent; it was not posted a second time."))
            return redirect(first if first != PENDING else request.path)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            cache.delete_many(taken)
            raise
        if response.status_code in (301, 302, 303) and response.get("Location"):
            for claim, seconds in claims:
                cache.set(claim, response["Location"], timeout=seconds)
        else:
            cache.delete_many(taken)  # the form came back (errors, a limit): sending it again is allowed
        return response

    return wrapper
