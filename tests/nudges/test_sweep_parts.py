"""One hourly sweep shared by several real Celery workers: each part is swept by one worker, the parts
are disjoint and together cover every membership, and a second planner or a second claim adds nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from nudges import services
from nudges.models import Kind, Nudge, SweepPart
from tests.factories import MembershipFactory, MovementFactory

from .conftest import wait_for

pytestmark = pytest.mark.slow
PARTS = 4


def quiet_first_followers(count: int) -> dict[tuple[int, int], int]:
    """First followers who joined five days ago and did nothing since: each is owed one check-in."""
    joined = timezone.now() - dt.timedelta(days=5)
    owed = {}
    for _ in range(count):
        membership = MembershipFactory(movement=MovementFactory(), position=2, joined_at=joined)
        owed[(membership.movement_id, membership.person_id)] = membership.pk
    return owed


@pytest.fixture
def four_workers(celery_processes):
    extra = [celery_processes.worker() for _ in range(PARTS - 1)]
    yield [celery_processes.current_worker(), *extra]
    celery_processes._stop(extra)  # before the test database is flushed under them


def test_four_workers_share_one_sweep_and_each_membership_is_handled_once(celery_processes, four_workers):
    assert all(w.poll() is None for w in four_workers)
    owed = quiet_first_followers(24)

    now = timezone.now()
    run_key = services.nudges_sweep_plan(now=now, parts=PARTS)
    assert services.nudges_sweep_plan(now=now, parts=PARTS) == run_key  # a second beat plans nothing new
    assert SweepPart.objects.filter(run_key=run_key).count() == PARTS

    wait_for(
        lambda: SweepPart.objects.filter(run_key=run_key, done_at__isnull=False).count() == PARTS,
        timeout=120,
        message=lambda: f"every part swept\n{celery_processes.task_lines()}",
    )
    parts = list(SweepPart.objects.filter(run_key=run_key).order_by("part"))
    checkins = list(Nudge.objects.filter(kind=Kind.FIRST_FOLLOWER_CHECKIN).values_list("movement_id", "recipient_id"))
    assert sorted(checkins) == sorted(owed)  # every membership handled, none twice
    for row in parts:
        high = row.membership_to if row.membership_to is not None else float("inf")
        mine = {key for key, membership_id in owed.items() if row.membership_from <= membership_id < high}
        assert row.counts[Kind.FIRST_FOLLOWER_CHECKIN] == len(mine)  # each part swept only its own share
    assert sum(row.counts[Kind.FIRST_FOLLOWER_CHECKIN] for row in parts) == len(owed)
    assert all(row.claimed_by for row in parts)
    assert len({row.claimed_by for row in parts}) >= 2, [row.claimed_by for row in parts]  # shared, not serial

    # A part already done is never swept again, whoever asks.
    assert services.nudges_sweep_part(part_id=parts[0].pk, worker="late@host") is None
    assert SweepPart.objects.get(pk=parts[0].pk).claimed_by == parts[0].claimed_by
