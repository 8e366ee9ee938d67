"""A queryset compiled to SQL once per shape and run again with new parameters (lookups asked on every view).

Building and compiling a queryset costs Django several thousand Python calls, the same for every lookup of
one shape: while a title is typed, a person asks the same query again and again with other words. Here it is
built once with stand-in values where the typed words and the ids go, compiled, and kept per process (`run`);
each later run puts the real values in the stand-ins' places and reads rows into model instances as Django's
own iterable does (annotations and select_related included).

The shape key must hold everything else the SQL text was made from: the number of words, the limit, and what
of the viewer the queryset's visibility rule reads (`viewer_shape`). Anything read from the viewer's id goes
through the stand-in, so two people of one shape share a statement and each gets their own rows.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date, datetime
from typing import Any

from django.db import connection, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

KEPT = 512  # statements per process; a shape is a (visibility, words, limit) combination


class StandIn(str):
    """A parameter value that marks where a real value goes (never sent to the database)."""


# Ids no row has: where an id would be a parameter, these mark its place.
_FIRST_ID_STAND_IN = -730_000_001


def _stand_in(index: int, name: str, value: Any) -> int | StandIn:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"{name}: only ids and text can be stood in for, not {type(value).__name__}")
    return _FIRST_ID_STAND_IN - index if isinstance(value, int) else StandIn(f"\x00stand-in:{name}")


class Statement:
    """A queryset's SQL and parameters, with the positions of the stand-ins (`slots`: {stand-in: name})."""

    def __init__(self, queryset: QuerySet, slots: dict[Hashable, str]):
        self.db = queryset.db
        self.compiler = queryset.query.get_compiler(using=self.db)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        if any(isinstance(param, datetime | date) for param in self.params):
            # A moment in the SQL (timezone.now() in a filter) would be kept with it and go stale.
            raise ValueError("a date or time among the query's parameters: it cannot be kept")
        self.slots = [
            (index, slots[param])
            for index, param in enumerate(self.params)
            if isinstance(param, str | int) and not isinstance(param, bool) and param in slots
        ]
        # The viewer's id may be absent (a rule that reads only the viewer's department); any other stand-in
        # missing means the query was not built from it.
        missing = set(slots.values()) - {name for _index, name in self.slots} - {"viewer"}
        if missing:
            raise ValueError(f"stand-ins not found among the query's parameters: {sorted(missing)}")
        # How rows become instances (django.db.models.query.ModelIterable), worked out once.
        klass_info, select = self.compiler.klass_info, self.compiler.select
        self.model = klass_info["model"]
        self.start, self.end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.names = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)
        self.annotations = self.compiler.annotation_col_map or {}

    def run(self, values: dict[str, Any]) -> list:
        params = list(self.params)
        for index, name in self.slots:
            params[index] = values[name]
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        found = []
        for row in self.compiler.results_iter([rows]):
            instance = self.model.from_db(self.db, self.names, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, instance)
            for name, position in self.annotations.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found


_kept: OrderedDict[Hashable, Statement] = OrderedDict()


def run(shape: Hashable, build: Callable[..., QuerySet], values: dict[str, Any]) -> list:
    """`build(**values)` as model instances: built and compiled the first time this shape is asked for in this
    process, with a stand-in for each value (an id no row has, or a marked text), and run with `values` then and
    every later time. `shape` holds everything else the query was built from. Built every time on SQLite (the
    one-machine demo), where nothing is measured."""
    if connection.vendor != "postgresql":
        return list(build(**values))
    statement = _kept.get(shape)
    if statement is None:
        stand_ins = {name: _stand_in(index, name, value) for index, (name, value) in enumerate(values.items())}
        statement = _kept[shape] = Statement(build(**stand_ins), {value: name for name, value in stand_ins.items()})
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    else:
        _kept.move_to_end(shape)
    return statement.run(values)


def viewer_shape(viewer) -> tuple:
    """What the visibility rules of movements and posts read of a person, besides their id (MovementQuerySet and
    FeedbackQuerySet.visible_to): a change to those rules that reads more of the person must add it here."""
    department = viewer.department if viewer.department_id else None
    return (
        viewer.is_authenticated,
        viewer.is_staff,
        bool(getattr(viewer, "can_moderate", False)),
        tuple(department.ancestor_ids) if department else (),
    )


def viewer_with_id(viewer, pk: int):
    """A copy of the viewer with another id (a stand-in's; the original is left alone)."""
    copied = copy.copy(viewer)
    copied.pk = copied.id = pk
    return copied
