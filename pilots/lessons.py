"""The lessons library (feedback/lessons.py) shows each adopted or retired pilot's measures: baseline, target,
the last value recorded by hand and what it came to (met, or not by the end). Two queries for the whole page."""

from __future__ import annotations

from feedback.lessons import lessons_extend

from .models import Measure, MeasureValue
from .selectors import Status, measure_status, pilot_window


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
    by_movement: dict[int, list[Measure]] = {}
    for movement in movements:
        by_movement[movement.pk] = []
    for measure in measures:
        movement = next(m for m in movements if m.pk == measure.movement_id)
        value = latest.get(measure.pk)
        measure.last_value = value
        window = pilot_window(movement)
        end = window[1] if window else None
        # What it came to by the pilot's end: met, or not (on or off track no longer means anything).
        measure.met = bool(
            value and end and measure_status(measure, value.value, movement=movement, today=end)[0] == Status.MET
        )
        by_movement[measure.movement_id].append(measure)
    for movement in movements:
        movement.lesson_measures = by_movement[movement.pk]
