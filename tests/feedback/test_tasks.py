import time
from datetime import timedelta

import celery.contrib.testing.tasks  # noqa: F401  (the testing worker expects its ping task registered)
import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from activity.models import Activity, Verb
from feedback import services, tasks
from socialbiz.celery import app
from tests.factories import FeedbackFactory


@pytest.mark.django_db(transaction=True)
def test_the_hourly_task_writes_yesterdays_anonymous_activity_through_a_real_worker(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False  # a real broker (Redis), a real worker
    yesterday = services.round_to_day(timezone.now() - timedelta(days=1))
    post = FeedbackFactory(pk=services.ANONYMOUS_ID_RANGE[0] + 7, author=None, is_anonymous=True, created_at=yesterday)
    today = FeedbackFactory(
        pk=services.ANONYMOUS_ID_RANGE[0] + 8,
        author=None,
        is_anonymous=True,
        created_at=services.round_to_day(timezone.now()),
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        tasks.record_anonymous_activity.delay()
        tasks.record_anonymous_activity.delay()  # a retry or a second beat tick changes nothing
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not Activity.objects.filter(feedback=post).exists():
            time.sleep(0.2)
        time.sleep(1)
    rows = list(Activity.objects.filter(verb=Verb.POSTED_FEEDBACK))
    assert [(row.feedback_id, row.actor_id, row.created_at) for row in rows] == [(post.pk, None, yesterday)]
    assert not Activity.objects.filter(feedback=today).exists()
