"""Success measures: defining them, recording values, the computed figures and the on/off track rule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from activity.models import Activity, Verb
from movements import services as movement_services
from pilots import selectors, services
from pilots.models import Measure, MeasureValue, Source
from pilots.selectors import Status
from tests.factories import UserFactory

from .conftest import PILOT_START


def define(movement, actor, **overrides):
    fields = {
        "name": "Hours in meetings",
        "direction": "down",
        "baseline": Decimal("12"),
        "target": Decimal("8"),
        "source": Source.BY_HAND,
        "unit": "hours",
    }
    return services.measure_define(movement=movement, actor=actor, **{**fields, **overrides})


def record(measure, actor, day, value, **extra):
    return services.measure_value_record(measure=measure, actor=actor, measured_on=day, value=Decimal(value), **extra)


# --- defining ------------------------------------------------------------------------------------


def test_a_lead_defines_a_measure_and_it_is_an_event(piloting, founder):
    measure = define(piloting, founder)
    assert measure.unit == "hours" and measure.recorder_role is None
    event = Activity.objects.get(verb=Verb.DEFINED_MEASURE)
    assert event.actor == founder and event.payload == {"measure_id": measure.pk}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"target": Decimal("12")}, "The target equals the baseline"),
        ({"direction": "up"}, "the target must be above the baseline"),
        ({"direction": "down", "target": Decimal("14")}, "the target must be below the baseline"),
        ({"is_count": True, "baseline": Decimal("-2"), "target": Decimal("-5")}, "A count cannot be negative."),
        ({"is_count": True, "baseline": Decimal("2.5"), "target": Decimal("1")}, "A count is a whole number."),
        ({"unit": " "}, "Say what the measure counts in"),
        ({"name": "  "}, "Give the measure a name."),
        (
            {"source": Source.SHARE_BY_OTHERS, "direction": "up", "baseline": Decimal("40"), "target": Decimal("140")},
            "A share is between 0 and 100 %.",
        ),
    ],
)
def test_bad_measures_are_refused_with_a_message_and_nothing_changes(piloting, founder, overrides, message):
    with pytest.raises(ValidationError, match=message):
        define(piloting, founder, **overrides)
    assert not Measure.objects.exists()
    assert not Activity.objects.filter(verb=Verb.DEFINED_MEASURE).exists()


def test_two_measures_cannot_share_a_name(piloting, founder):
    define(piloting, founder)
    with pytest.raises(ValidationError, match="already has a measure with that name"):
        define(piloting, founder)
    assert Measure.objects.count() == 1


def test_only_leads_define_measures_and_not_after_the_decision(piloting, founder, member):
    with pytest.raises(PermissionDenied):
        define(piloting, member)
    movement_services.decision_record(movement=piloting, actor=founder, decision="retire", rationale="Done")
    with pytest.raises(ValidationError, match="The pilot is over"):
        define(piloting, founder)
    assert not Measure.objects.exists()


def test_a_computed_measure_takes_the_portals_unit_and_counts(piloting, founder):
    measure = define(
        piloting,
        founder,
        name="Followers",
        source=Source.FOLLOWERS,
        unit="bananas",
        direction="up",
        target=Decimal("20"),
    )
    assert (measure.unit, measure.is_count) == ("people", True)


def test_the_database_refuses_impossible_measures(piloting, founder):
    base = {
        "movement": piloting,
        "name": "X",
        "unit": "h",
        "source": Source.BY_HAND,
        "direction": "up",
        "baseline": 5,
    }
    for fields in (
        {"target": 5},  # target equal to the baseline
        {"target": 3},  # up, but the target is below
        {"target": 3, "direction": "down", "baseline": -1, "is_count": True},  # a negative count
        {"target": 7, "source": Source.FOLLOWERS, "recorder_role": piloting.roles.first()},  # a role on a computed one
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Measure.objects.create(**{**base, **fields})


# --- recording values ----------------------------------------------------------------------------


def test_leads_and_holders_of_the_role_record_values_others_cannot(piloting, founder, member, note_taker):
    role = piloting.roles.get(name="Note-taker")
    measure = define(piloting, founder, recorder_role=role)
    record(measure, founder, PILOT_START, "11.5", note="First week")
    record(measure, note_taker, PILOT_START + dt.timedelta(days=7), "10")
    with pytest.raises(PermissionDenied):
        record(measure, member, PILOT_START + dt.timedelta(days=8), "9")
    with pytest.raises(PermissionDenied):
        record(measure, UserFactory(), PILOT_START + dt.timedelta(days=8), "9")
    assert list(measure.values.values_list("value", flat=True)) == [Decimal("11.5"), Decimal("10")]
    assert Activity.objects.filter(verb=Verb.RECORDED_MEASURE).count() == 2


def test_a_holder_who_releases_the_seat_no_longer_records(piloting, founder, note_taker):
    role = piloting.roles.get(name="Note-taker")
    measure = define(piloting, founder, recorder_role=role)
    movement_services.role_release(role=role, person=note_taker, actor=note_taker)
    with pytest.raises(PermissionDenied):
        record(measure, note_taker, PILOT_START, "10")


@pytest.mark.parametrize(
    ("day", "value", "extra", "message"),
    [
        (dt.date(2026, 3, 12), "10", {}, "That day has not come yet"),
        (dt.date(2026, 2, 27), "10", {}, "The pilot started on"),
        (dt.date(2026, 3, 5), "-1", {}, "A count cannot be negative."),
        (dt.date(2026, 3, 5), "2.5", {}, "A count is a whole number."),
        (dt.date(2026, 3, 5), "10", {"unit": "minutes"}, "This measure is in “hours”"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_nothing_changes(piloting, founder, day, value, extra, message):
    measure = define(piloting, founder, is_count=True)
    before = Activity.objects.count()
    with pytest.raises(ValidationError, match=message):
        record(measure, founder, day, value, **extra)
    assert not MeasureValue.objects.exists()
    assert Activity.objects.count() == before


def test_the_same_unit_in_other_case_is_accepted_and_one_value_per_day(piloting, founder):
    measure = define(piloting, founder)
    record(measure, founder, PILOT_START, "10", unit=" Hours ")
    with pytest.raises(ValidationError, match="There is already a value for"):
        record(measure, founder, PILOT_START, "9")
    assert MeasureValue.objects.count() == 1


def test_computed_measures_take_no_values_and_nothing_is_recorded_outside_the_pilot(movement, founder):
    measure = define(movement, founder)  # defined while still recruiting
    with pytest.raises(ValidationError, match="while the pilot runs"):
        record(measure, founder, dt.date(2026, 3, 10), "10")
    followers = define(movement, founder, name="F", source=Source.FOLLOWERS, direction="up", baseline=0, target=9)
    with pytest.raises(ValidationError):
        record(followers, founder, dt.date(2026, 3, 10), "10")
    assert not MeasureValue.objects.exists()


def test_the_database_refuses_a_value_dated_after_the_day_it_was_written(piloting, founder):
    measure = define(piloting, founder)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasureValue.objects.create(measure=measure, measured_on=dt.date(2026, 3, 12), value=1)


# --- the rule ------------------------------------------------------------------------------------


def test_status_follows_the_straight_line_from_baseline_to_target(piloting, founder, traveller):
    # Down from 12 to 8 over 55 days (2 March to 26 April); on 11 March (day 9) the line is at 11.35.
    measure = define(piloting, founder)
    [report] = selectors.measure_reports(movement=piloting)
    assert report.status == Status.NO_VALUE
    record(measure, founder, dt.date(2026, 3, 10), "11.5")
    [report] = selectors.measure_reports(movement=piloting)
    assert (report.status, report.expected_now) == (Status.OFF_TRACK, Decimal("11.35"))
    record(measure, founder, dt.date(2026, 3, 11), "11")
    [report] = selectors.measure_reports(movement=piloting)
    assert report.status == Status.ON_TRACK
    record(measure, founder, dt.date(2026, 3, 9), "7")  # an older value does not count as the latest
    [report] = selectors.measure_reports(movement=piloting)
    assert report.latest.value == Decimal("11") and report.status == Status.ON_TRACK
    traveller.move_to(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC))
    record(measure, founder, dt.date(2026, 3, 20), "8")
    [report] = selectors.measure_reports(movement=piloting)
    assert report.status == Status.MET


def test_computed_measures_read_the_portal_every_7_days(piloting, founder, join, traveller):
    followers = define(
        piloting, founder, name="Followers", source=Source.FOLLOWERS, direction="up", baseline=0, target=Decimal("4")
    )
    share = define(
        piloting, founder, name="Others", source=Source.SHARE_BY_OTHERS, direction="up", baseline=0, target=50
    )
    updates = define(
        piloting, founder, name="Updates", source=Source.UPDATES_PER_WEEK, direction="up", baseline=0, target=3
    )
    active = define(
        piloting, founder, name="Active", source=Source.ACTIVE_MEMBERS, direction="up", baseline=0, target=5
    )
    people = [join() for _ in range(3)]  # 11 March
    movement_services.update_post(movement=piloting, author=people[0], body="Went well")
    traveller.move_to(dt.datetime(2026, 3, 17, 9, tzinfo=dt.UTC))
    movement_services.membership_leave(movement=piloting, person=people[2])
    reports = {r.measure.pk: r for r in selectors.measure_reports(movement=piloting)}
    days = [p.day for p in reports[followers.pk].points]
    assert days == [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16), dt.date(2026, 3, 17)]
    assert [p.value for p in reports[followers.pk].points] == [0, 0, 3, 2]
    assert [p.value for p in reports[updates.pk].points] == [0, 0, 1, 1]
    # 2 March and 9 March: the founder's own events only (defining the measures came later, on 11 March).
    assert [p.value for p in reports[active.pk].points][2:] == [4, 4]
    shares = [p.value for p in reports[share.pk].points]
    assert shares[-1] > 0 and reports[followers.pk].status in (Status.ON_TRACK, Status.OFF_TRACK)


@pytest.mark.parametrize("size", [5, 50])
def test_the_reports_cost_the_same_queries_whatever_the_size(
    piloting, founder, join, traveller, size, django_assert_num_queries
):
    role = piloting.roles.get(name="Evangelist")
    by_hand = define(piloting, founder, recorder_role=role)
    define(piloting, founder, name="Followers", source=Source.FOLLOWERS, direction="up", baseline=0, target=60)
    define(piloting, founder, name="Updates", source=Source.UPDATES_PER_WEEK, direction="up", baseline=0, target=9)
    define(piloting, founder, name="Active", source=Source.ACTIVE_MEMBERS, direction="up", baseline=0, target=60)
    for i in range(size):
        person = join()
        movement_services.update_post(movement=piloting, author=person, body="Hi")
        if i < 9:
            record(by_hand, founder, PILOT_START + dt.timedelta(days=i), "10")
    # measures, hand-recorded values (+ who), activity aggregate, memberships aggregate, updates aggregate
    with django_assert_num_queries(5):
        reports = selectors.measure_reports(movement=piloting)
    assert len(reports) == 4
