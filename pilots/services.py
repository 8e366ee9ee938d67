"""Every write on pilots. Each service is atomic, validates with a clear message and records one event.

Measures: leads define them (while recruiting or piloting); values of a hand-recorded measure are entered by
the leads and the holders of the measure's role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activity.events import event_record
from activity.models import Verb
from movements.models import Movement, Role, Stage
from movements.services import active_membership, require_lead
from people.models import User

from .models import COMPUTED_UNITS, PERCENT_SOURCES, Direction, Measure, MeasureValue, Source

MAX_MEASURES = 5


def _record(*, actor: User | None, verb: Verb, movement: Movement, **payload) -> None:
    now = timezone.now()
    event_record(actor=actor, verb=verb, movement=movement, payload=payload, at=now)
    Movement.objects.filter(pk=movement.pk).update(last_activity_at=now)


def _check_target(*, direction: str, baseline: Decimal, target: Decimal) -> None:
    if target == baseline:
        raise ValidationError(
            _("The target equals the baseline: say where the pilot should get to."), code="target_is_baseline"
        )
    if direction == Direction.UP and target < baseline:
        raise ValidationError(
            _("The measure should go up, so the target must be above the baseline (or choose “down”)."),
            code="target_direction",
        )
    if direction == Direction.DOWN and target > baseline:
        raise ValidationError(
            _("The measure should go down, so the target must be below the baseline (or choose “up”)."),
            code="target_direction",
        )


@transaction.atomic
def measure_define(
    *,
    movement: Movement,
    actor: User,
    name: str,
    direction: str,
    baseline: Decimal,
    target: Decimal,
    source: str,
    unit: str = "",
    is_count: bool = False,
    recorder_role: Role | None = None,
) -> Measure:
    """A lead adds a success measure to the pilot (before it starts or while it runs)."""
    require_lead(movement=movement, person=actor)
    movement = Movement.objects.select_for_update().get(pk=movement.pk)
    if movement.stage not in (Stage.RECRUITING, Stage.PILOTING):
        raise ValidationError(_("The pilot is over: its measures can no longer change."), code="stage")
    name, unit = name.strip(), unit.strip()
    source = Source(source)
    direction = Direction(direction)
    if not name:
        raise ValidationError(_("Give the measure a name."), code="name")
    if source != Source.BY_HAND:
        # A computed measure has the portal's unit; a share is a percentage, everything else a count.
        unit, is_count, recorder_role = str(COMPUTED_UNITS[source]), source not in PERCENT_SOURCES, None
    elif not unit:
        raise ValidationError(_("Say what the measure counts in (its unit: hours, tickets, %…)."), code="unit")
    _check_target(direction=direction, baseline=baseline, target=target)
    if is_count and (baseline < 0 or target < 0):
        raise ValidationError(_("A count cannot be negative."), code="negative_count")
    if is_count and (baseline % 1 or target % 1):
        raise ValidationError(_("A count is a whole number."), code="fractional_count")
    if source in PERCENT_SOURCES and not (0 <= baseline <= 100 and 0 <= target <= 100):
        raise ValidationError(_("A share is between 0 and 100 %."), code="percentage")
    if recorder_role is not None and recorder_role.movement_id != movement.pk:
        raise ValidationError(_("Pick one of this movement's roles."), code="role")
    if Measure.objects.filter(movement=movement).count() >= MAX_MEASURES:
        raise ValidationError(
            _("A pilot has at most %(count)s measures: fewer, well chosen, are read.") % {"count": MAX_MEASURES},
            code="too_many",
        )
    try:
        with transaction.atomic():
            measure = Measure.objects.create(
                movement=movement,
                name=name,
                unit=unit,
                direction=direction,
                baseline=baseline,
                target=target,
                source=source,
                is_count=is_count,
                recorder_role=recorder_role,
                created_by=actor,
            )
    except IntegrityError:
        raise ValidationError(_("This pilot already has a measure with that name."), code="duplicate") from None
    _record(actor=actor, verb=Verb.DEFINED_MEASURE, movement=movement, measure_id=measure.pk)
    return measure


def may_record(*, measure: Measure, person: User) -> bool:
    """Leads, and the current holders of the measure's role, record its values."""
    membership = active_membership(movement=measure.movement, person=person)
    if membership is None:
        return False
    if membership.is_lead:
        return True
    return measure.recorder_role_id is not None and measure.recorder_role.assignments.filter(person=person).exists()


@transaction.atomic
def measure_value_record(
    *, measure: Measure, actor: User, measured_on: dt.date, value: Decimal, note: str = "", unit: str = ""
) -> MeasureValue:
    """A value of a hand-recorded measure, for a day of the pilot up to today."""
    movement = Movement.objects.select_for_update().get(pk=measure.movement_id)
    if not may_record(measure=measure, person=actor):
        raise PermissionDenied(_("Only the leads and the people in this measure's role record its values."))
    if measure.source != Source.BY_HAND:
        raise ValidationError(_("This measure is computed by the portal: nothing to enter."), code="computed")
    if movement.stage != Stage.PILOTING:
        raise ValidationError(_("Values are recorded while the pilot runs."), code="stage")
    today = timezone.now().date()
    if measured_on > today:
        raise ValidationError(_("That day has not come yet: record values up to today."), code="future")
    if movement.pilot_start and measured_on < movement.pilot_start:
        raise ValidationError(
            _("The pilot started on %(date)s; its baseline covers the time before.")
            % {"date": date_format(movement.pilot_start)},
            code="before_pilot",
        )
    unit = unit.strip()
    if unit and unit.casefold() != measure.unit.casefold():
        raise ValidationError(
            _("This measure is in “%(unit)s”: enter the value in %(unit)s.") % {"unit": measure.unit},
            code="unit_mismatch",
        )
    if measure.is_count and value < 0:
        raise ValidationError(_("A count cannot be negative."), code="negative_count")
    if measure.is_count and value % 1:
        raise ValidationError(_("A count is a whole number."), code="fractional_count")
    try:
        with transaction.atomic():
            row = MeasureValue.objects.create(
                measure=measure,
                measured_on=measured_on,
                value=value,
                note=note.strip(),
                recorded_by=actor,
                recorded_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(
            _("There is already a value for %(date)s.") % {"date": date_format(measured_on)}, code="duplicate_day"
        ) from None
    _record(actor=actor, verb=Verb.RECORDED_MEASURE, movement=movement, measure_id=measure.pk)
    return row
