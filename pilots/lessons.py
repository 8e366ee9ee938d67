"""The lessons library (feedback/lessons.py) shows each adopted or retired pilot's measures: baseline, target,
the last value recorded by hand and what it came to (met, or not by the end). Two queries for the whole page."""

from __future__ import annotations

from feedback.lessons import lessons_extend

from .models import Measure, MeasureValue
from .selectors import Status, measure_status


@lessons_extend
def add_measures(movements: list) -> None:
    measures = list(Measure.objects.filter(movement__in=movements).order_by("movement_id", "pk"))
    latest = (
        {
            value.measure_id: value
            for value in MeasureValue.objects.filter(measure__in=measures)
            .order_by("measure_id", "-measured_on", "-pk")
            .distinct("measure_id")
        }
        if measures
        else {}
    )
    for movement in movements:
        movement.lesson_measures = []
    by_pk = {movement.pk: movement for movement in movements}
    for measure in measures:
        movement = by_pk[measure.movement_id]
        value = measure.last_value = latest.get(measure.pk)
        # What the last value came to, by the pilots' own rule (met, or not: on/off track no longer applies).
        status = measure_status(measure, value.value, movement=movement, today=value.measured_on) if value else None
        measure.met = bool(status and status[0] == Status.MET)
        movement.lesson_measures.append(measure)
