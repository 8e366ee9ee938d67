"""Cursor (keyset) pagination over the same orderings the pages use: the cursor is the last item's sort
values, signed so a client cannot forge one; a page costs the same query whatever page it is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from ninja.errors import HttpError

SALT = "api.cursor"


def page_size(limit: int | None) -> int:
    if limit is None:
        return settings.API_PAGE_SIZE
    return max(1, min(limit, settings.API_MAX_PAGE_SIZE))


def _encode(value: Any) -> Any:
    return {"dt": value.isoformat()} if isinstance(value, dt.datetime) else value


def _decode(value: Any) -> Any:
    return dt.datetime.fromisoformat(value["dt"]) if isinstance(value, dict) else value


def _after(ordering: tuple[str, ...], values: list) -> Q:
    """Rows after the cursor for an ordering of descending fields: (a < x) or (a = x and b < y) or ..."""
    condition = Q()
    for index, field in enumerate(ordering):
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[index]})
        for earlier, value in zip(ordering[:index], values[:index], strict=False):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition


def cursor_page(
    qs: QuerySet, *, ordering: tuple[str, ...], cursor: str | None, limit: int | None, scope: str
) -> tuple[list, str | None]:
    """One page of `qs` in `ordering` after `cursor`, and the cursor of the next page (None at the end).
    `scope` ties a cursor to the list and sort it came from."""
    size = page_size(limit)
    qs = qs.order_by(*ordering)
    if cursor:
        try:
            data = signing.loads(cursor, salt=f"{SALT}:{scope}")
            values = [_decode(v) for v in data]
            assert len(values) == len(ordering)
        except Exception:
            raise HttpError(400, "The cursor is not one this list gave out. Start again without it.")
        qs = qs.filter(_after(ordering, values))
    rows = list(qs[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = signing.dumps([_encode(getattr(last, f.lstrip("-"))) for f in ordering], salt=f"{SALT}:{scope}")
    return rows, next_cursor
