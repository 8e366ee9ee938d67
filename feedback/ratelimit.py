"""A per-person fixed-window counter in the Django cache (Redis in production): "5 per 10 minutes"."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_PATTERN = re.compile(r"^\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$", re.I)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """Parse "5 per 10 minutes", "20/hour", "1 per day". Raises ValueError on anything else."""
    match = _PATTERN.match(text or "")
    if not match:
        raise ValueError(f"Not a rate: {text!r}. Use e.g. '5 per 10 minutes'.")
    count, amount, unit = int(match[1]), int(match[2] or 1), match[3].lower()
    if amount < 1:
        raise ValueError(f"Not a rate: {text!r}.")
    return Rate(count=count, seconds=amount * _UNITS[unit])


def hit(*, scope: str, person_id: int, rate: Rate | None = None) -> bool:
    """Count one attempt; True while the person stays within the rate. Only a counter is kept, never what was posted."""
    rate = rate or parse_rate(settings.FEEDBACK_POST_RATE_LIMIT)
    window = int(time.time()) // rate.seconds
    key = f"ratelimit:{scope}:{person_id}:{window}"
    cache.add(key, 0, timeout=rate.seconds + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rate.seconds + 5)
        used = 1
    return used <= rate.count
