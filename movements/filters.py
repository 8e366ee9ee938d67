"""Yes/no filters of the movement list that apps above add (e.g. "officially sanctioned"), without movements
importing them. The owning app registers one in its AppConfig.ready(): a name (the query-string key), a
label, and `narrow(queryset) -> queryset`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class BrowseFlag:
    name: str
    label: str
    narrow: Callable[[QuerySet], QuerySet]


_flags: dict[str, BrowseFlag] = {}


def register(name: str, *, label: str, narrow: Callable[[QuerySet], QuerySet]) -> None:
    _flags[name] = BrowseFlag(name, label, narrow)


def registered() -> list[BrowseFlag]:
    return list(_flags.values())


def get(name: str) -> BrowseFlag | None:
    return _flags.get(name)
