"""The delivery guarantees rest on a few settings staying in the right order."""

import smtplib

from django.conf import settings

from nudges import tasks


def test_time_limits_are_ordered_so_a_slow_send_is_never_taken_over():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.NUDGES_SMTP_TIMEOUT_SECONDS < settings.NUDGES_STUCK_CLAIM_SECONDS < visibility


def test_deliver_task_acks_late_and_retries_smtp_errors_with_backoff():
    task = tasks.deliver_nudge
    assert task.acks_late and task.reject_on_worker_lost
    assert smtplib.SMTPException in task.autoretry_for and task.retry_backoff


def test_beat_runs_the_relay_the_stuck_sweep_and_the_time_based_sweeps():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "nudges.tasks.relay_due_nudges",
        "nudges.tasks.requeue_stuck_nudges",
        "nudges.tasks.sweep_time_based_nudges",
        "nudges.tasks.sweep_weekly_digest",
    } <= scheduled
