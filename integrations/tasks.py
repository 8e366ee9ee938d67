"""Thin Celery tasks: load by id, call a service. Safe to run twice (the service claims first);
retries are rows in the outbox with a later due time, not Celery retries."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver(delivery_id: int) -> str:
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def relay_due_deliveries() -> int:
    return services.deliveries_relay()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def requeue_stuck_deliveries() -> int:
    return services.deliveries_requeue_stuck()
