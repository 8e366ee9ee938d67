"""Page parts cached under content versions that the database bumps (key-based expiry).

A content version (people.ContentVersion) is a counter that statement-level triggers bump in the same
transaction as every write to the rows it covers (feedback/migrations/0012 lists them): a service, the
admin, a plain UPDATE and a COPY alike. A page reads the versions it needs first (one query), then keys
what it caches by them: a cached value is at least as new as the version it is filed under, and after a
write its key is never asked for again, so nothing has to be found and deleted.

On SQLite (the zero-setup demo) there are no triggers: nothing is cached, everything is computed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.utils import translation

from socialbiz.fragments import digest

TIMEOUT_SECONDS = 60 * 60 * 24
_MISSING = object()


class Versions(dict):
    """The versions one request read ({name: value}), and the cached values fetched for it in one round trip."""

    def __init__(self, values: dict[str, int]):
        super().__init__(values)
        self.fetched: dict[str, Any] = {}
        self.asked: set[str] = set()  # fetched or found missing: not asked of the cache again


def read(*names: str) -> Versions | None:
    """The current value of each name (0 for one never bumped), or None where versions are not kept."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, value FROM people_contentversion WHERE name = ANY(%s)", [list(names)])
        found = dict(cursor.fetchall())
    return Versions({name: found.get(name, 0) for name in names})


def _cache_key(versions: dict[str, int], name: str, key: Iterable[Any]) -> str:
    return f"v:{name}:{digest((versions[name], translation.get_language(), *key))}"


def prefetch(versions: Versions | None, entries: Iterable[tuple[str, Iterable[Any]]]) -> None:
    """Fetch the values `cached()` will be asked for (each a (name, key) pair) in one cache round trip
    instead of one each; what is not there is computed by `cached()` as usual."""
    if versions is None:
        return
    keys = [key for key in (_cache_key(versions, name, key) for name, key in entries) if key not in versions.asked]
    versions.fetched.update(cache.get_many(keys))
    versions.asked.update(keys)


def cached(versions: Versions | None, name: str, key: Iterable[Any], compute: Callable[[], Any]) -> Any:
    """`compute()`, kept in the cache under version `name` and `key` (everything else the value depends on:
    the viewer's visibility, the filters; the active language is added). Computed every time where versions are not kept."""
    if versions is None:
        return compute()
    cache_key = _cache_key(versions, name, key)
    if cache_key in versions.fetched:
        return versions.fetched[cache_key]
    value = _MISSING if cache_key in versions.asked else cache.get(cache_key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(cache_key, value, timeout=TIMEOUT_SECONDS)
    return value
