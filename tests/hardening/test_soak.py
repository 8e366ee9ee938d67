"""Load without loss: many people follow, leave, claim seats, vote and post at once against a live
server on loopback; afterwards every counter matches its rows, no seat is over-filled and no answer
was an error. Bounded: SOAK_SECONDS (default 20 here; `make soak` runs 180) and SOAK_PEOPLE threads.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter

import pytest
import requests
from django.conf import settings
from django.db.models import Count, F, Q
from django.test import Client

from feedback.models import Feedback
from movements import services as movement_services
from movements.models import Membership, Movement, Role
from movements.services import RoleSpec
from tests.factories import FeedbackFactory, UserFactory

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "20"))
SOAK_PEOPLE = int(os.environ.get("SOAK_PEOPLE", "12"))


@pytest.fixture
def generous_limits(settings):
    # The soak is about correctness under concurrency, not about the rate limits (tested elsewhere).
    settings.FOLLOW_RATE_LIMIT = settings.VOTE_RATE_LIMIT = "100000 per 1 minutes"
    settings.FEEDBACK_POST_RATE_LIMIT = "100000 per 1 minutes"


@pytest.fixture
def short_lived_server_connections():
    """The live server answers each request on a new thread; with persistent connections those threads
    would leave a dozen sessions open on the test database after the test."""
    from django.db import connections

    database = connections.databases["default"]
    saved, database["CONN_MAX_AGE"] = database["CONN_MAX_AGE"], 0
    yield
    database["CONN_MAX_AGE"] = saved


def signed_in_session(live_server, person) -> requests.Session:
    client = Client()
    client.force_login(person)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    session.get(f"{live_server.url}/", timeout=30)  # sets the CSRF cookie
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


def test_concurrent_people_leave_every_count_matching_its_rows(
    transactional_db, short_lived_server_connections, live_server, generous_limits
):
    founders = [UserFactory() for _ in range(3)]
    movements = [
        movement_services.movement_start(
            founder=founder,
            title=f"Soak movement {index}",
            pitch="Why.",
            problem="What.",
            use_cases="",
            tool="",
            roles=[
                RoleSpec(name="Pilot tester", description="Try it.", seats=3),
                RoleSpec(name="Trainer", description="Teach.", seats=1),
            ],
        )
        for index, founder in enumerate(founders)
    ]
    posts = [FeedbackFactory(author=founders[0]) for _ in range(4)]
    people = [UserFactory() for _ in range(SOAK_PEOPLE)]
    roles = {movement.pk: list(movement.roles.values_list("pk", flat=True)) for movement in movements}

    statuses: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()

    sessions = [signed_in_session(live_server, person) for person in people]  # in this thread: one DB connection

    def act(session: requests.Session, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            movement = rng.choice(movements)
            base = f"{live_server.url}/movements/{movement.slug}"
            action = rng.choice(
                ["follow", "follow", "leave", "claim", "claim", "release", "vote", "vote", "post", "read"]
            )
            if action == "follow":
                response = session.post(f"{base}/follow/", timeout=30)
            elif action == "leave":
                response = session.post(f"{base}/leave/", timeout=30)
            elif action == "claim":
                response = session.post(f"{base}/roles/{rng.choice(roles[movement.pk])}/claim/", timeout=30)
            elif action == "release":
                response = session.post(f"{base}/roles/{rng.choice(roles[movement.pk])}/release/", timeout=30)
            elif action == "vote":
                response = session.post(
                    f"{live_server.url}/feedback/{rng.choice(posts).pk}/vote/",
                    data={"state": rng.choice(["vote", "unvote"])},
                    timeout=30,
                )
            elif action == "post":
                response = session.post(
                    f"{live_server.url}/feedback/new/",
                    timeout=30,
                    data={
                        "kind": rng.choice(["works", "doesnt"]),
                        "title": f"Soak post {rng.random():.6f}",
                        "body": "Said under load.",
                        "anonymous": "on" if rng.random() < 0.3 else "",
                    },
                )
            else:
                response = session.get(f"{base}/", timeout=30)
            with lock:
                statuses[response.status_code] += 1
                if response.status_code >= 500 or response.status_code == 429:
                    errors.append(f"{action} {response.status_code}")

    deadline = time.monotonic() + SOAK_SECONDS
    threads = [threading.Thread(target=act, args=(session, index)) for index, session in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SOAK_SECONDS + 120)

    assert errors == [], statuses
    assert sum(statuses.values()) > SOAK_PEOPLE * 5, statuses  # the load really happened
    # Every denormalised counter equals its rows; no seat over-filled; join order without gaps.
    for movement in Movement.objects.all():
        active_others = movement.memberships.filter(left_at__isnull=True).exclude(person_id=movement.founder_id).count()
        assert movement.follower_count == active_others, movement
        assert movement.open_seats == sum(role.seats - role.seats_filled for role in movement.roles.all()), movement
        positions = list(movement.memberships.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1)), movement
        assert movement.memberships.filter(is_lead=True, left_at__isnull=True).exists(), movement
    for role in Role.objects.annotate(holders=Count("assignments")):
        assert role.seats_filled == role.holders <= role.seats, role
        # Only active members hold seats.
        assert not role.assignments.exclude(
            person__memberships__movement=role.movement, person__memberships__left_at__isnull=True
        ).exists(), role
    assert not Feedback.objects.annotate(real=Count("votes")).exclude(vote_count=F("real")).exists()
    assert Membership.objects.filter(Q(left_at__isnull=False) & Q(is_lead=True)).count() == 0
