"""Posting feedback uses the site's shared per-person counter (socialbiz/ratelimit.py) with its own rate."""

from __future__ import annotations

from django.conf import settings

from socialbiz import ratelimit as shared
from socialbiz.ratelimit import Rate, parse_rate

__all__ = ["Rate", "hit", "parse_rate"]


def hit(*, scope: str, person_id: int, rate: Rate | None = None) -> bool:
    """Count one attempt; True while the person stays within FEEDBACK_POST_RATE_LIMIT (or `rate`)."""
    return shared.hit(scope=scope, person_id=person_id, rate=rate or parse_rate(settings.FEEDBACK_POST_RATE_LIMIT))
