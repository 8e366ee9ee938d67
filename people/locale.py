"""Writing to a person in their own language and time zone, whoever sends it (a worker, a colleague's
request): used for email, chat copies and pages reached from an email without a session."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone, translation


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@contextmanager
def addressed_to(*, language: str | None, time_zone: str | None) -> Iterator[None]:
    """Translate and show times as the recipient reads them (their saved language, else LANGUAGE_CODE)."""
    chosen = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(chosen), timezone.override(zone(time_zone)):
        yield
