"""What else the movement page's timeline shows besides stage changes, without movements importing the apps above.

An app above registers a provider in its AppConfig.ready(); `provider(movement=...)` returns
TimelineEntry rows (one or two queries, whatever the movement's size). The page merges them with the
stage changes by time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    heading: str
    who: str = ""
    text: str = ""
    until: date | None = None
    kind: str = "stage"  # a CSS hook: stage, support, sanction, sponsor


Provider = Callable[..., list[TimelineEntry]]

_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    _providers[name] = provider


def entries_for(*, movement) -> list[TimelineEntry]:
    rows: list[TimelineEntry] = []
    for provider in _providers.values():
        rows.extend(provider(movement=movement))
    return rows
