"""Reads that may come from a PostgreSQL streaming replica (DATABASE_REPLICA_URL): the dashboards'
and analytics' figures, and nothing else.

A view opts in around the figures only, with `replica_reads()`; the session, the person and every
permission check are read before that, from the primary, so a read that must see the person's own
write never goes to the replica. When the replica is unreachable, or replays more than
REPLICA_MAX_LAG_SECONDS behind, the same block reads from the primary instead. The answer is kept
for REPLICA_CHECK_SECONDS per process, so a healthy replica costs one small query every few seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, connections

REPLICA = "replica"
PRIMARY = "default"
logger = logging.getLogger("socialbiz.replica")
T = TypeVar("T")

_alias: ContextVar[str | None] = ContextVar("socialbiz_read_alias", default=None)
_checked: dict[str, tuple[float, bool]] = {}

# Seconds the replica's replay is behind: 0 when it has replayed everything it received.
LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
    END
"""


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_usable() -> bool:
    """Reachable and not lagging; checked at most every REPLICA_CHECK_SECONDS."""
    if not replica_configured():
        return False
    now = time.monotonic()
    checked_at, usable = _checked.get(REPLICA, (0.0, False))
    if now - checked_at < settings.REPLICA_CHECK_SECONDS:
        return usable
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = float(cursor.fetchone()[0])
        usable = lag <= settings.REPLICA_MAX_LAG_SECONDS
        if not usable:
            logger.warning("replica lags %.1f s: reading from the primary", lag)
    except DatabaseError as error:
        connections[REPLICA].close()
        usable = False
        logger.warning("replica unreachable (%s): reading from the primary", error.__class__.__name__)
    _checked[REPLICA] = (now, usable)
    return usable


def forget_replica_health() -> None:
    _checked.clear()


def read_alias() -> str:
    """The database the current block reads from (the primary outside `replica_reads()`)."""
    return _alias.get() or PRIMARY


@contextmanager
def replica_reads() -> Iterator[str]:
    """Inside the block, ORM reads and `read_alias()` go to the replica when it is usable."""
    token = _alias.set(REPLICA if replica_usable() else PRIMARY)
    try:
        yield _alias.get()
    finally:
        _alias.reset(token)


def read_with_fallback(compute: Callable[[], T]) -> T:
    """`compute()` inside `replica_reads()`; if the replica fails mid-way, once more from the primary."""
    with replica_reads() as alias:
        try:
            return compute()
        except DatabaseError as error:
            if alias == PRIMARY:
                raise
            connections[REPLICA].close()
            _checked[REPLICA] = (time.monotonic(), False)
            logger.warning("replica failed mid-read (%s): reading from the primary", error.__class__.__name__)
    return compute()


class ReplicaRouter:
    """Routes reads inside `replica_reads()`; every write, and every read elsewhere, goes to the primary."""

    def db_for_read(self, model, **hints):
        return _alias.get()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database: the replica is a copy of the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY
