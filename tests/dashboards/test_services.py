"""The daily rollups: what they hold, that re-running changes nothing, and that they give the live numbers."""

import datetime as dt

import pytest
import time_machine

from activity.models import Activity, Verb
from dashboards import selectors, services
from dashboards.models import (
    DailyActivePerson,
    DailyDepartmentActive,
    DailyMovementActivity,
    PersonLastActive,
    RollupDay,
)

from .conftest import NOW


def snapshot(dash) -> dict:
    return {name: [[str(cell) for cell in row] for row in table.rows] for name, table in dash.tables.items()}


def test_rollup_of_a_day_keeps_one_row_per_active_person_and_per_movement(org):
    services.rollup_day(day=dt.date(2026, 3, 15))  # 3 days ago: p1 posted an update on M1
    assert list(DailyActivePerson.objects.values_list("person__display_name", "actions")) == [("p1", 1)]
    assert list(DailyMovementActivity.objects.values_list("movement__title", "actions", "founder_actions")) == [
        ("Async stand-ups", 1, 1)
    ]
    assert RollupDay.objects.filter(day=dt.date(2026, 3, 15)).exists()


def test_rollup_keeps_daily_counts_per_department_and_each_persons_last_active_day(org):
    services.rollup_day(day=dt.date(2026, 2, 26))  # p2 (Platform), 20 days ago
    services.rollup_day(day=dt.date(2026, 3, 15))  # p1 (Platform)
    services.rollup_day(day=dt.date(2026, 3, 8))  # p1 again, earlier: the newer day is kept
    assert sorted(DailyDepartmentActive.objects.values_list("day", "department__name", "people")) == [
        (dt.date(2026, 2, 26), "Platform", 1),
        (dt.date(2026, 3, 8), "Platform", 1),
        (dt.date(2026, 3, 15), "Platform", 1),
    ]
    assert sorted(PersonLastActive.objects.values_list("person__display_name", "day")) == [
        ("p1", dt.date(2026, 3, 15)),
        ("p2", dt.date(2026, 2, 26)),
    ]


def test_rolling_up_a_day_twice_gives_the_same_rows(org):
    services.rollup_day(day=dt.date(2026, 3, 15))
    services.rollup_day(day=dt.date(2026, 3, 15))
    assert DailyActivePerson.objects.count() == 1
    assert DailyMovementActivity.objects.count() == 1


def test_today_is_never_rolled_up(org):
    with pytest.raises(ValueError, match="today is always computed live"):
        services.rollup_day(day=NOW.date())
    assert not RollupDay.objects.exists()


def test_pending_rollup_covers_every_complete_day_from_the_first_activity(org):
    days = services.rollup_pending()
    # The oldest row is s1's, 40 days ago (2026-02-06); yesterday is 2026-03-17.
    assert days[0] == dt.date(2026, 2, 6)
    assert days[-1] == dt.date(2026, 3, 17)
    assert len(days) == 40
    assert RollupDay.objects.count() == 40
    # p1 (3 days), p2, s1 were active on complete days; today's rows (p1, e1) stay live.
    assert DailyActivePerson.objects.count() == 4


def test_next_day_rolls_up_the_new_day_and_the_day_before_it_again(org):
    services.rollup_pending()
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        # The last two complete days are re-rolled, so rows written just after midnight still count.
        assert services.rollup_pending() == [dt.date(2026, 3, 17), dt.date(2026, 3, 18)]
    # 2026-03-18: p1 and e1 (the deactivated person counts in the rollup; the selectors leave them out).
    assert DailyActivePerson.objects.filter(day=dt.date(2026, 3, 18)).count() == 3


@pytest.mark.parametrize("days", [7, 28, 90, 365])
def test_rollup_path_and_live_path_give_the_same_numbers(org, days):
    live = snapshot(selectors.dashboard(days=days, department_id=None, use_rollups=False))
    live_eng = snapshot(selectors.dashboard(days=days, department_id=org.eng.pk, use_rollups=False))
    services.rollup_pending()
    assert selectors.rolled_through() == dt.date(2026, 3, 17)
    assert snapshot(selectors.dashboard(days=days, department_id=None)) == live
    assert snapshot(selectors.dashboard(days=days, department_id=org.eng.pk)) == live_eng


@pytest.mark.parametrize("days", [28, 365])
def test_rolled_up_days_are_read_from_the_rollups_not_the_activity_log(org, days):
    services.rollup_pending()
    before = snapshot(selectors.dashboard(days=days, department_id=None))
    before_eng = snapshot(selectors.dashboard(days=days, department_id=org.eng.pk))
    # Remove every past activity row: only the rollups remember them now.
    Activity.objects.filter(created_at__lt=dt.datetime(2026, 3, 18, tzinfo=dt.UTC)).delete()
    assert snapshot(selectors.dashboard(days=days, department_id=None)) == before
    assert snapshot(selectors.dashboard(days=days, department_id=org.eng.pk)) == before_eng
    assert snapshot(selectors.dashboard(days=days, department_id=None, use_rollups=False)) != before


def test_today_is_computed_live_after_a_rollup(org):
    services.rollup_pending()
    Activity.objects.create(actor=org.s3, verb=Verb.VOTED, created_at=NOW)
    values = {
        str(label): value
        for label, value in selectors.dashboard(days=7, department_id=None).participation["summary"].rows
    }
    assert values["Active in the last 7 days"] == 3  # p1, e1 and now s3


def test_movement_analytics_rollup_and_live_paths_agree(org):
    live = selectors.movement_analytics(movement=org.m1, use_rollups=False)
    services.rollup_pending()
    rolled = selectors.movement_analytics(movement=org.m1)
    for name in live["tables"]:
        assert rolled["tables"][name].rows == live["tables"][name].rows


@pytest.mark.django_db(transaction=True)
def test_a_backfill_outside_a_transaction_ends_by_compacting_the_rollup_tables():
    from tests.factories import UserFactory

    person = UserFactory()
    for days_ago in (12, 10):
        Activity.objects.create(actor=person, verb=Verb.VOTED, created_at=NOW - dt.timedelta(days=days_ago))
    with time_machine.travel(NOW, tick=False):
        days = (
            services.rollup_pending()
        )  # 12 days > BACKFILL_DAYS: ends with VACUUM, which refuses to run in a transaction
    assert len(days) == 12 > services.BACKFILL_DAYS
    assert list(PersonLastActive.objects.values_list("person", "day")) == [
        (person.pk, (NOW - dt.timedelta(days=10)).date())
    ]
