"""End to end with a real Celery worker process, our own Redis and a loopback HTTP receiver: every
(endpoint, event) is accepted exactly once, whatever fails on the way (worker SIGKILL mid-send, Redis
stopped, two beat schedulers), and a 4xx endpoint is not retried."""

from __future__ import annotations

import time

import pytest

from integrations import services
from integrations.models import Delivery
from movements import services as movement_services
from tests.factories import MovementFactory, UserFactory

from .conftest import wait_for


@pytest.fixture
def endpoint(celery_processes, receiver, settings):
    return services.endpoint_create(url=receiver.url, event_types=["movement.member_joined"], created_by=None)


def _join_many(n: int) -> set[str]:
    movement = MovementFactory()
    for person in UserFactory.create_batch(n):
        movement_services.membership_join(movement=movement, person=person)
    return set(Delivery.objects.values_list("message_id", flat=True))


def test_each_event_reaches_the_endpoint_once_through_the_worker(endpoint, receiver, celery_processes):
    keys = _join_many(3)
    assert len(keys) == 3
    wait_for(
        lambda: set(receiver.per_key()) == keys, message=lambda: f"{receiver.attempts} {celery_processes.task_lines()}"
    )
    time.sleep(1)
    assert receiver.per_key() == {key: 1 for key in keys}
    wait_for(lambda: Delivery.objects.filter(delivered_at__isnull=False).count() == 3, message="delivered_at")


def test_a_5xx_is_retried_by_the_worker_with_backoff_and_accepted_once(endpoint, receiver, celery_processes):
    receiver.answers = [500]
    [key] = _join_many(1)
    wait_for(lambda: receiver.per_key()[key] == 1, timeout=30, message=lambda: celery_processes.task_lines())
    assert receiver.attempts[key] == 2
    time.sleep(1.5)
    assert receiver.per_key() == {key: 1}


def test_a_4xx_endpoint_is_not_retried(endpoint, receiver, celery_processes):
    receiver.answers = [404]
    [key] = _join_many(1)
    wait_for(lambda: Delivery.objects.filter(failed_at__isnull=False).exists(), message="the failure")
    time.sleep(2.5)  # beat's relay would have handed it out again by now if it were retried
    assert receiver.attempts == {key: 1}
    assert receiver.per_key() == {}


def test_worker_killed_mid_send_is_recovered_and_each_event_accepted_once(endpoint, receiver, celery_processes):
    receiver.hang_next = True
    worker = celery_processes.current_worker()
    keys = _join_many(3)
    wait_for(receiver.hanging.is_set, message="the worker to be in the middle of sending")
    celery_processes.kill(worker)
    receiver.release.set()  # the receiver then fails that request: nothing was accepted
    stuck = Delivery.objects.get(claimed_at__isnull=False, delivered_at__isnull=True)

    celery_processes.worker()
    time.sleep(1.1)
    # What beat does: release claims older than the limit, re-queue what the broker lost.
    assert services.deliveries_requeue_stuck(older_than_seconds=1) == 1
    services.deliveries_relay()

    wait_for(
        lambda: set(receiver.per_key()) == keys,
        timeout=40,
        message=lambda: f"all three: {receiver.attempts} {celery_processes.task_lines()}",
    )
    time.sleep(1)
    assert receiver.per_key() == {key: 1 for key in keys}
    stuck = wait_for(lambda: Delivery.objects.filter(pk=stuck.pk, delivered_at__isnull=False).first(), message="mark")
    assert stuck.attempts == 2


def test_redis_stopped_while_events_happen_loses_nothing_and_sends_each_once(
    endpoint, receiver, celery_processes, redis_server
):
    redis_server.stop()
    try:
        started = time.monotonic()
        keys = _join_many(3)  # the web process keeps working; the outbox holds the deliveries
        assert time.monotonic() - started < 10, "a request must not hang on a dead broker"
        assert Delivery.objects.filter(queued_at__isnull=True).count() == 3
    finally:
        redis_server.start()

    assert services.deliveries_relay() == 3  # what beat's relay does on its next tick
    wait_for(lambda: set(receiver.per_key()) == keys, timeout=40, message="the worker to reconnect and send")
    time.sleep(1)
    assert receiver.per_key() == {key: 1 for key in keys}


def test_two_beat_schedulers_at_once_still_send_each_delivery_once(endpoint, receiver, celery_processes):
    movement = MovementFactory()
    # Rows written without the after-commit shortcut: only beat's relay can hand them out.
    Delivery.objects.bulk_create(
        [
            Delivery(
                endpoint=endpoint, message_id=f"msg_beat{i}", event_type="movement.member_joined", payload={"i": i}
            )
            for i in range(6)
        ]
    )
    celery_processes.beat()
    celery_processes.beat()
    keys = {f"msg_beat{i}" for i in range(6)}
    wait_for(lambda: set(receiver.per_key()) == keys, timeout=40, message="beat's relay to send everything")
    time.sleep(2.5)
    assert receiver.per_key() == {key: 1 for key in keys}
    assert "relay_due_deliveries" in celery_processes.logs()
    assert movement  # the rows need no event: the unique key is the message id
