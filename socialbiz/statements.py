"""A queryset compiled to SQL once per shape and run again with new parameters (the similar lookups).

Building and compiling a queryset costs Django several thousand Python calls, the same for every lookup of
one shape: while a title is typed, a person asks the same query again and again with other words. Here it is
built once with stand-in values (`StandIn`) where the typed words and the viewer's id go, compiled, and kept
per process; each later run puts the real values in the stand-ins' places and reads rows into model instances
as Django's own iterable does (annotations and select_related included).

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

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

KEPT = 512  # statements per process; a shape is a (visibility, words, limit) combination


class StandIn(str):
    """A parameter value that marks where a real value goes (never sent to the database)."""


# An id no row has: where the viewer's id would be a parameter, this marks its place.
VIEWER_ID_STAND_IN = -730_000_001


def stand_in_id(slot: int) -> int:
    """Another id no row has (slot 1, 2, ...), for where a movement's or a department's id goes."""
    return VIEWER_ID_STAND_IN - slot


class Statement:
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

    def run(self, values: dict[str, Any]) -> list:
        params = list(self.params)
        for index, name in self.slots:
            params[index] = values[name]
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        return self.instances(rows)

    def instances(self, rows: list) -> list:
        """Model instances from the rows, as django.db.models.query.ModelIterable makes them."""
        compiler = self.compiler
        select, klass_info, annotations = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, self.db)
        found = []
        for row in compiler.results_iter([rows]):
            instance = model.from_db(self.db, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in (annotations or {}).items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found


_kept: OrderedDict[Hashable, Statement] = OrderedDict()


def compiled(shape: Hashable, build: Callable[[], tuple[QuerySet, dict[Hashable, str]]]) -> Statement:
    """The statement of this shape, built (`build()` returns the queryset and {stand-in value: slot name}) and
    compiled the first time it is asked for in this process."""
    statement = _kept.get(shape)
    if statement is None:
        statement = _kept[shape] = Statement(*build())
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    else:
        _kept.move_to_end(shape)
    return statement


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


def stand_in_viewer(viewer):
    """A copy of the viewer whose id is the stand-in (the original is left alone)."""
    stand_in = copy.copy(viewer)
    stand_in.pk = stand_in.id = VIEWER_ID_STAND_IN
    return stand_in
