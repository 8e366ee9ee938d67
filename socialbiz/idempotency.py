"""Back, then Send again, does not post twice: a create form carries a random key ({% idempotency_field %}),
and its view is wrapped in @once_per_key. The first POST with a key claims it in the shared cache
(cache.add, atomic in Redis); a second POST with the same key does not run the view and goes where the first
one went. A form that came back with errors frees its key, so correcting it and sending again works.

The cache key is a hash keyed with a secret (person and form key): no person id in Redis. Browsers put a
page's hidden fields back when Back shows it again, so the resent form carries the same key. A form
posted anonymously (feedback) is left alone: it must touch no Redis key at all (README, "Anonymity").
"""

from __future__ import annotations

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


def _claim(person_id: int, key: str) -> str:
    return "idempotency:" + salted_hmac("socialbiz.idempotency", f"{person_id}:{key}").hexdigest()[:40]


def once_per_key(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not key or len(key) > 64 or request.POST.get("anonymous") or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        claim = _claim(request.user.pk, key)
        if not cache.add(claim, PENDING, timeout=KEEP_SECONDS):
            first = cache.get(claim)
            if first is not None:  # None: the cache does not answer (Redis down), and posting must still work
                messages.info(request, _("That was already sent; it was not posted a second time."))
                return redirect(first if first != PENDING else request.path)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            cache.delete(claim)
            raise
        if response.status_code in (301, 302, 303) and response.get("Location"):
            cache.set(claim, response["Location"], timeout=KEEP_SECONDS)
        else:
            cache.delete(claim)  # the form came back (errors, a limit): sending it again is allowed
        return response

    return wrapper
