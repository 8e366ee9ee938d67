"""Per-person fixed-window counters in the Django cache (Redis in production, so limits hold across web
processes): "30 per 10 minutes". Only a number per person and window is kept, never what was done.

One counter for any action (posting feedback, commenting, posting updates, voting, following, inviting).
Refusals: `too_many` (a 429 page, or for htmx a message and a reload) where nothing needs keeping, and
`refusal_message` for forms that re-render with the text and a 429. When the cache cannot be reached the
limiter lets the action through (and logs it): people keep working while Redis is down.

A counter's key carries no person id (a hash keyed with a secret derived from SECRET_KEY, different in
every window) and it expires when its window ends, so neither the key nor its TTL says whose it is or
when within the window it was first used: someone reading Redis learns nothing that dates a post.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)
_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_PATTERN = re.compile(r"^\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$", re.I)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def window_text(self) -> str:
        # Each ngettext call spelled out, so makemessages finds every unit.
        if self.seconds % 86400 == 0:
            n = self.seconds // 86400
            return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
        if self.seconds % 3600 == 0:
            n = self.seconds // 3600
            return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
        if self.seconds % 60 == 0:
            n = self.seconds // 60
            return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}
        return ngettext("%(n)d second", "%(n)d seconds", self.seconds) % {"n": self.seconds}


def parse_rate(text: str) -> Rate:
    """Parse "5 per 10 minutes", "20/hour", "1 per day". Raises ValueError on anything else."""
    match = _PATTERN.match(text or "")
    if not match:
        raise ValueError(f"Not a rate: {text!r}. Use e.g. '5 per 10 minutes'.")
    count, amount, unit = int(match[1]), int(match[2] or 1), match[3].lower()
    if amount < 1:
        raise ValueError(f"Not a rate: {text!r}.")
    return Rate(count=count, seconds=amount * _UNITS[unit])


def counter_key(*, scope: str, person_id: int, rate: str | Rate, now: float | None = None) -> str:
    """The cache key of the person's counter in the current window (tests and other processes use it too)."""
    rate = parse_rate(rate) if isinstance(rate, str) else rate
    window = int(time.time() if now is None else now) // rate.seconds
    digest = salted_hmac("socialbiz.ratelimit", f"{scope}:{rate.seconds}:{window}:{person_id}", algorithm="sha256")
    return f"ratelimit:{scope}:{digest.hexdigest()[:32]}"


def hit(*, scope: str, person_id: int, rate: str | Rate) -> bool:
    """Count one attempt; True while the person stays within the rate."""
    rate = parse_rate(rate) if isinstance(rate, str) else rate
    now = int(time.time())
    key = counter_key(scope=scope, person_id=person_id, rate=rate, now=now)
    # The key lives until its window ends (+1 s), whenever it was first used: the TTL dates nothing.
    expires_in = (now // rate.seconds + 1) * rate.seconds - now + 1
    try:
        cache.add(key, 0, timeout=expires_in)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=expires_in)
            used = 1
    except Exception as exc:  # the cache server is down: fail open, the action itself is what matters
        logger.warning("rate limit not counted: cache unavailable", extra={"state": exc.__class__.__name__})
        return True
    if used is None:  # django-redis ignored a connection error: the same, fail open
        logger.warning("rate limit not counted: cache unavailable")
        return True
    return used <= rate.count


def refusal_message(*, rate: str, doing: str, kept: bool = False) -> str:
    """What the person is told: what was limited, the rate in words, and that nothing changed."""
    parsed = parse_rate(rate)
    values = {"doing": doing, "count": parsed.count, "window": parsed.window_text()}
    if kept:
        return (
            _(
                "You are %(doing)s faster than the site allows (%(count)d per %(window)s). Nothing was posted and "
                "your text is still here: wait a little, then send it again."
            )
            % values
        )
    return (
        _(
            "You are %(doing)s faster than the site allows (%(count)d per %(window)s). Nothing was changed: "
            "wait a little, then try again."
        )
        % values
    )


def too_many(request: HttpRequest, *, rate: str, doing: str, back_url: str) -> HttpResponse:
    """The refusal: a 429 page saying what was limited and for how long; nothing was changed.
    htmx does not swap error answers, so an htmx request gets the message and a reload of `back_url`."""
    message = refusal_message(rate=rate, doing=doing)
    if getattr(request, "htmx", False):
        messages.error(request, message)
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
        response["HX-Redirect"] = back_url
        return response
    return render(request, "429.html", {"message": message, "back_url": back_url}, status=429)
