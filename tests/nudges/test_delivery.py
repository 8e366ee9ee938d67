"""End to end with a real Celery worker process, our own Redis and a real SMTP server: every due
nudge reaches the SMTP server exactly once, whatever fails on the way."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from django.db import transaction

from movements.models import Membership
from nudges import services
from nudges.models import Kind, NotificationPreference, Nudge
from tests import events
from tests.factories import MovementFactory, UserFactory

from .conftest import wait_for


def join(movement, person) -> Membership:
    """What the movements service does: the membership and the hook in one transaction."""
    with transaction.atomic():
        membership = Membership.objects.create(
            movement=movement, person=person, position=Membership.objects.filter(movement=movement).count() + 1
        )
        events.member_joined(membership=membership)
    return membership


def welcome_key(movement, person) -> str:
    return f"first_follower_welcome:m{movement.pk}:u{person.pk}"


def test_first_follower_gets_a_welcome_email_with_name_movement_link_and_one_click_unsubscribe(
    celery_processes, smtp_server, client
):
    movement = MovementFactory(title="Working out loud")
    follower = UserFactory(display_name="Fiona Follower")

    join(movement, follower)

    key = welcome_key(movement, follower)
    wait_for(lambda: smtp_server.per_key()[key] == 1, message="the welcome email")
    message = smtp_server.for_key(key)[0]
    assert message["To"] == follower.email
    assert "Working out loud" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    movement_url = f"http://127.0.0.1:8000/movements/{movement.slug}/"
    for body in (text, html):
        assert "Fiona Follower" in body
        assert "Working out loud" in body
        assert movement_url in body
    assert "take one of its roles" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = str(message["List-Unsubscribe"]).strip().strip("<>")
    nudge = wait_for(lambda: Nudge.objects.filter(dedupe_key=key, sent_at__isnull=False).first(), message="sent_at")
    assert nudge.emailed_at is not None and nudge.attempts == 1

    # RFC 8058: the mail client POSTs to the link, without a session or CSRF token.
    response = client.post(urlsplit(unsubscribe_url).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(person=follower, kind=Kind.FIRST_FOLLOWER_WELCOME).email is False

    # The next welcome of that kind reaches the person in the portal only.
    second = MovementFactory(title="Meeting-free Wednesdays")
    join(second, follower)
    second_key = welcome_key(second, follower)
    wait_for(lambda: Nudge.objects.filter(dedupe_key=second_key, sent_at__isnull=False).exists(), message="delivery")
    assert Nudge.objects.get(dedupe_key=second_key).emailed_at is None
    assert smtp_server.per_key() == {key: 1}


def test_a_rolled_back_join_sends_nothing(celery_processes, smtp_server):
    movement = MovementFactory()
    ghost, real = UserFactory(), UserFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        membership = Membership.objects.create(movement=movement, person=ghost, position=2)
        events.member_joined(membership=membership)
        raise RuntimeError("the join failed after the hook ran")
    join(movement, real)

    wait_for(lambda: smtp_server.per_key(), message="the committed join's email")
    time.sleep(1)  # give a wrongly queued message time to arrive too
    assert smtp_server.per_key() == {welcome_key(movement, real): 1}
    assert not Nudge.objects.filter(recipient=ghost).exists()


def test_smtp_refusing_the_first_attempt_is_retried_and_delivered_once(celery_processes, smtp_server):
    smtp_server.refuse_next = 1
    movement = MovementFactory()
    follower = UserFactory()

    join(movement, follower)

    key = welcome_key(movement, follower)
    wait_for(lambda: smtp_server.per_key()[key] == 1, message="the retried email")
    assert smtp_server.attempts[key] == 2
    nudge = wait_for(lambda: Nudge.objects.filter(dedupe_key=key, sent_at__isnull=False).first(), message="sent_at")
    assert (nudge.attempts, nudge.last_error) == (2, "")
    time.sleep(1)
    assert smtp_server.per_key() == {key: 1}


def test_worker_killed_mid_send_is_recovered_by_the_stuck_sweep_and_each_nudge_sent_once(
    celery_processes, smtp_server, settings
):
    settings.NUDGES_REQUEUE_AFTER_SECONDS = 1
    smtp_server.hang_next = True
    worker = celery_processes.current_worker()
    movement = MovementFactory()
    followers = UserFactory.create_batch(3)

    for follower in followers:
        join(movement, follower)
    wait_for(smtp_server.hanging.is_set, message="the worker to be in the middle of sending")
    celery_processes.kill(worker)
    smtp_server.release.set()
    stuck = Nudge.objects.get(claimed_at__isnull=False, sent_at__isnull=True)

    celery_processes.worker()
    time.sleep(1.1)
    # What beat does every minute: release claims older than the limit, re-queue what the broker lost.
    assert services.nudges_requeue_stuck(older_than_seconds=1) == 1
    services.nudges_relay()

    keys = {welcome_key(movement, f) for f in followers}
    wait_for(
        lambda: set(smtp_server.per_key()) == keys,
        timeout=40,
        message=lambda: f"all three welcomes: {smtp_server.attempts} {celery_processes.task_lines()}",
    )
    time.sleep(1)
    assert smtp_server.per_key() == {key: 1 for key in keys}
    stuck = wait_for(lambda: Nudge.objects.filter(pk=stuck.pk, sent_at__isnull=False).first(), message="sent_at")
    assert stuck.attempts == 2


def test_redis_stopped_while_events_happen_loses_nothing_and_sends_each_once(
    celery_processes, smtp_server, redis_server
):
    movement = MovementFactory()
    followers = UserFactory.create_batch(3)
    redis_server.stop()
    try:
        for follower in followers:
            started = time.monotonic()
            join(movement, follower)  # the web process keeps working; the outbox holds the nudges
            assert time.monotonic() - started < 3, "a request must not hang on a dead broker"
        assert Nudge.objects.filter(kind=Kind.FIRST_FOLLOWER_WELCOME, queued_at__isnull=True).count() == 3
    finally:
        redis_server.start()

    # What beat's relay does on its next tick: the three welcomes, and the founder's three portal notices
    # of a first follower (conversation: in the portal at once, no email).
    assert services.nudges_relay() == 6
    keys = {welcome_key(movement, f) for f in followers}
    wait_for(lambda: set(smtp_server.per_key()) == keys, timeout=40, message="the worker to reconnect and send")
    time.sleep(1)
    assert smtp_server.per_key() == {key: 1 for key in keys}


def test_two_beat_schedulers_at_once_still_send_each_nudge_once(celery_processes, smtp_server):
    movement = MovementFactory()
    followers = UserFactory.create_batch(6)
    # Rows written without the after-commit shortcut: only beat's relay can hand them out.
    Nudge.objects.bulk_create(
        [
            Nudge(kind=Kind.FIRST_FOLLOWER_WELCOME, recipient=f, movement=movement, dedupe_key=welcome_key(movement, f))
            for f in followers
        ]
    )
    celery_processes.beat()
    celery_processes.beat()

    keys = {welcome_key(movement, f) for f in followers}
    wait_for(lambda: set(smtp_server.per_key()) == keys, timeout=40, message="beat's relay to send everything")
    time.sleep(2.5)  # both schedulers keep relaying every second
    assert smtp_server.per_key() == {key: 1 for key in keys}
    assert "relay_due_nudges" in celery_processes.logs()


def test_celery_inspect_ping_answers_from_the_running_worker(celery_processes):
    import subprocess
    import sys

    from .conftest import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "socialbiz", "inspect", "ping", "--timeout", "5"],
        cwd=ROOT,
        env=celery_processes.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pong" in result.stdout
