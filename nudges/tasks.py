"""Thin Celery tasks: load by id, call a service. Safe to run twice (the service claims first)."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=settings.NUDGES_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=6 * 3600,
    retry_jitter=False,
    max_retries=settings.NUDGES_MAX_ATTEMPTS,
)
def deliver_nudge(nudge_id: int) -> str:
    return services.nudge_deliver(nudge_id=nudge_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def relay_due_nudges() -> int:
    return services.nudges_relay()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def requeue_stuck_nudges() -> int:
    return services.nudges_requeue_stuck()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_time_based_nudges() -> str:
    """Beat's hourly entry: cut the sweep into parts that the workers share (sweep_part)."""
    return services.nudges_sweep_plan()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def sweep_part(self, part_id: int) -> dict | None:
    counts = services.nudges_sweep_part(part_id=part_id, worker=self.request.hostname or "")
    return {str(kind): count for kind, count in counts.items()} if counts is not None else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_weekly_digest() -> int:
    return services.nudges_sweep_weekly_digest()
