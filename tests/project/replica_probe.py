"""Run by tests/project/test_replica.py in its own process, against a primary and a streaming replica
started on loopback: which database each kind of read used, as JSON on stdout."""

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialbiz.settings")
django.setup()

from django.db import connections  # noqa: E402  (after django.setup())
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from movements import services  # noqa: E402
from people.models import User  # noqa: E402
from socialbiz import replica  # noqa: E402

results: dict = {}


def on_replica(pk: int) -> bool:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT 1 FROM people_user WHERE id = %s", [pk])
        return cursor.fetchone() is not None


def visit(client: Client, path: str, *, replica_up: bool = True) -> dict:
    """GET `path`; how many queries each database answered (the replica only counted while it runs)."""
    replica.forget_replica_health()
    with CaptureQueriesContext(connections["default"]) as primary_q:
        if replica_up:
            with CaptureQueriesContext(connections["replica"]) as replica_q:
                response = client.get(path)
            on_replica_count = len(replica_q)
        else:
            response = client.get(path)
            on_replica_count = 0
    return {"status": response.status_code, "primary": len(primary_q), "replica": on_replica_count}


staff = User.objects.create_user(email="staff@example.com", password="x", display_name="Staff", is_staff=True)
lead = User.objects.create_user(email="lead@example.com", password="x", display_name="Lead")
deadline = time.monotonic() + 30
while not on_replica(lead.pk):
    assert time.monotonic() < deadline, "the replica never caught up"
    time.sleep(0.1)

client = Client()
client.force_login(staff)
results["dashboard"] = visit(client, "/dashboards/?range=7")

# The person's own write: a movement started a moment ago, while the replica has stopped replaying.
with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT pg_wal_replay_pause()")
movement = services.movement_start(founder=lead, title="Fresh", pitch="Just started.")
lead_client = Client()
lead_client.force_login(lead)
with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT 1 FROM movements_movement WHERE id = %s", [movement.pk])
    results["own_movement_on_replica"] = cursor.fetchone() is not None
time.sleep(float(os.environ["REPLICA_MAX_LAG_SECONDS"]) + 1)
replica.forget_replica_health()
results["lagging_usable"] = replica.replica_usable()
results["analytics_while_lagging"] = visit(lead_client, f"/movements/{movement.slug}/analytics/")
with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT pg_wal_replay_resume()")

print(json.dumps(results))
sys.stdout.flush()
if sys.argv[1:] == ["--then-stopped"]:
    # The test stops the replica, then sends a line: the next dashboard must come from the primary.
    sys.stdin.readline()
    results = {"dashboard_replica_stopped": visit(client, "/dashboards/?range=28", replica_up=False)}
    with CaptureQueriesContext(connections["default"]) as primary_q:
        from dashboards import selectors
        from socialbiz.replica import read_with_fallback

        replica._checked["replica"] = (time.monotonic(), True)  # believed healthy: the read itself fails
        dash = read_with_fallback(lambda: selectors.dashboard(days=28, department_id=None))
    results["fallback_mid_read_on_primary"] = len(primary_q) > 0 and dash.win.days == 28
    print(json.dumps(results))
