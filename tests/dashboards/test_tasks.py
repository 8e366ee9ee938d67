"""The rollup task on a real Celery worker against the real Redis broker, and its beat entry."""

import datetime as dt
import time

import celery.contrib.testing.tasks  # noqa: F401  (the worker's ping check needs it registered)
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from activity.models import Activity, Verb
from dashboards.models import DailyActivePerson, RollupDay
from dashboards.tasks import dashboards_rollup
from socialbiz.celery import app
from tests.factories import UserFactory


@pytest.fixture
def worker(transactional_db):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_beat_runs_the_rollup_every_hour_by_default():
    entry = settings.CELERY_BEAT_SCHEDULE["dashboards-rollup"]
    assert entry == {"task": "dashboards.tasks.dashboards_rollup", "schedule": 3600}
    assert entry["task"] in app.tasks


def test_worker_rolls_up_the_complete_days_and_leaves_today_live(worker, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    person = UserFactory()
    now = timezone.now()
    for days_ago in (3, 1, 0):
        Activity.objects.create(actor=person, verb=Verb.VOTED, created_at=now - dt.timedelta(days=days_ago))
    today = now.astimezone(dt.UTC).date()

    dashboards_rollup.delay()

    assert wait_for(lambda: RollupDay.objects.filter(day=today - dt.timedelta(days=1)).exists())
    assert sorted(RollupDay.objects.values_list("day", flat=True)) == [today - dt.timedelta(days=n) for n in (3, 2, 1)]
    assert sorted(DailyActivePerson.objects.values_list("day", flat=True)) == [
        today - dt.timedelta(days=3),
        today - dt.timedelta(days=1),
    ]


def test_running_the_task_twice_changes_nothing(worker, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    person = UserFactory()
    Activity.objects.create(actor=person, verb=Verb.VOTED, created_at=timezone.now() - dt.timedelta(days=2))
    dashboards_rollup.delay()
    dashboards_rollup.delay()
    assert wait_for(lambda: RollupDay.objects.count() == 2)
    time.sleep(1)  # let the second run finish too
    assert DailyActivePerson.objects.count() == 1
    assert RollupDay.objects.count() == 2
