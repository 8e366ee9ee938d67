"""Concurrent claims and joins against the real PostgreSQL: each thread has its own connection and transaction."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from movements import services
from movements.models import Membership, Movement, Role, RoleAssignment
from movements.services import RoleSpec
from tests.factories import UserFactory


def run_at_once(targets) -> list:
    """Start every callable together behind a barrier; return what each returned or raised."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def runner(index, target):
        try:
            barrier.wait()
            results[index] = target()
        except Exception as error:  # collected and asserted on by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def busy_movement(transactional_db):
    assert connection.vendor == "postgresql"
    founder = UserFactory()
    movement = services.movement_start(founder=founder, title="Busy", pitch="P", roles=[RoleSpec("Pilot tester", 5)])
    return movement


def test_twenty_people_claiming_the_last_three_seats_end_with_exactly_three(busy_movement):
    role = Role.objects.get(movement=busy_movement)
    early = [UserFactory() for _ in range(2)]
    claimers = [UserFactory() for _ in range(20)]
    for person in early + claimers:
        services.membership_join(movement=busy_movement, person=person)
    for person in early:
        services.role_claim(role=role, person=person)

    results = run_at_once(
        [lambda p=p: services.role_claim(role=Role.objects.get(pk=role.pk), person=p) for p in claimers]
    )

    winners = [r for r in results if isinstance(r, RoleAssignment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(refused)) == (3, 17)
    assert all("taken" in str(r) for r in refused)
    role.refresh_from_db()
    busy_movement.refresh_from_db()
    assert role.seats_filled == role.assignments.count() == 5
    assert busy_movement.open_seats == 0


def test_concurrent_joins_get_gap_free_join_order(busy_movement):
    people = [UserFactory() for _ in range(15)]

    results = run_at_once(
        [
            lambda p=p: services.membership_join(movement=Movement.objects.get(pk=busy_movement.pk), person=p)
            for p in people
        ]
    )

    assert all(isinstance(r, Membership) for r in results), results
    positions = sorted(Membership.objects.filter(movement=busy_movement).values_list("position", flat=True))
    assert positions == list(range(1, 17))
    busy_movement.refresh_from_db()
    assert busy_movement.follower_count == 15


def test_the_database_refuses_overfilling_even_without_the_service(busy_movement):
    from django.db import IntegrityError

    role = Role.objects.get(movement=busy_movement)
    with pytest.raises(IntegrityError):
        Role.objects.filter(pk=role.pk).update(seats_filled=role.seats + 1)
