"""Two gunicorn nodes behind nginx (Debian's package) on loopback, sharing PostgreSQL and Redis: a person
signed in on one node is signed in on the other, the CSRF token of one is good on the other, a rate
limit counts across both, the cached invitation chain follows people_version whichever node renders
it, htmx partials come from either; and when a node is killed mid-load, every follow that was answered
with success is really there."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client

from movements import services as movement_services
from movements.models import Membership
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on {port}"
            time.sleep(0.1)


@pytest.fixture
def cluster(transactional_db, tmp_path):
    """nginx on one port, round robin over two gunicorn nodes that use this test's database and Redis db 3."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}",
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "CACHE_KEY_PREFIX": f"twonodes{os.getpid()}",
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_MANIFEST": "false",
        "FOLLOW_RATE_LIMIT": "12 per 10 minutes",
        "LOG_LEVEL": "WARNING",
        "DATABASE_CONN_MAX_AGE": "0",
    }
    nodes = {}
    for name in ("a", "b"):
        port = free_port()
        nodes[name] = {
            "port": port,
            "process": subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "socialbiz.wsgi",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    "2",
                    "--graceful-timeout",
                    "2",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        }
    front = free_port()
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
    upstream socialbiz {{
        server 127.0.0.1:{nodes["a"]["port"]} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{nodes["b"]["port"]} max_fails=1 fail_timeout=5s;
    }}
    server {{
        listen 127.0.0.1:{front};
        location / {{
            proxy_pass http://socialbiz;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto http;
            # Idempotent requests move to the other node when one is gone; a POST is never sent twice.
            proxy_next_upstream error timeout;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
""")
    for node in nodes.values():
        wait_for_port(node["port"])
    nginx = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"], cwd=tmp_path)
    wait_for_port(front)
    yield {"url": f"http://127.0.0.1:{front}", "nodes": nodes}
    nginx.terminate()
    for node in nodes.values():
        if node["process"].poll() is None:
            node["process"].terminate()
    for process in [nginx, *[node["process"] for node in nodes.values()]]:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def signed_in(url: str, person) -> requests.Session:
    client = Client()
    client.force_login(person)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    session.get(f"{url}/", timeout=30)  # the CSRF cookie, from whichever node answers
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


def node_of(response: requests.Response) -> str:
    return response.headers.get("X-Upstream", "")


def test_a_person_moves_between_nodes_without_noticing(cluster):
    url = cluster["url"]
    person, founder = UserFactory(display_name="Nomad Nora"), UserFactory()
    movements = [
        movement_services.movement_start(founder=founder, title=f"Across nodes {i}", pitch="Why.") for i in range(14)
    ]
    session = signed_in(url, person)

    pages = [session.get(f"{url}/", timeout=30) for _ in range(6)]
    assert all(page.status_code == 200 and "Nomad Nora" in page.text for page in pages)
    assert len({node_of(page) for page in pages}) == 2  # both nodes answered, both knew the session

    # The CSRF token from the first visit is good on both nodes; the follows land on both.
    follows = [
        session.post(f"{url}/movements/{m.slug}/follow/", timeout=30, allow_redirects=False) for m in movements[:12]
    ]
    assert [r.status_code for r in follows] == [302] * 12
    assert len({node_of(r) for r in follows}) == 2
    assert Membership.objects.current().filter(person=person).count() == 12

    # The rate limit (12 per 10 minutes) is counted in Redis, across both nodes.
    refused = [
        session.post(f"{url}/movements/{m.slug}/follow/", timeout=30, allow_redirects=False) for m in movements[12:]
    ]
    assert [r.status_code for r in refused] == [429, 429]
    assert Membership.objects.current().filter(person=person).count() == 12

    # The invitation chain is cached under people_version: a member who joins through one node is on the
    # page the other node renders next.
    watched = movements[0]
    for _ in range(2):
        assert "Nomad Nora" in session.get(f"{url}/movements/{watched.slug}/", timeout=30).text
    newcomer = UserFactory(display_name="Late Larry")
    signed_in(url, newcomer).post(f"{url}/movements/{watched.slug}/follow/", timeout=30)
    seen = [session.get(f"{url}/movements/{watched.slug}/", timeout=30) for _ in range(2)]
    assert len({node_of(page) for page in seen}) == 2
    assert all("Late Larry" in page.text for page in seen)

    # htmx: the partial of the list comes back from either node, never the whole page.
    partials = [session.get(f"{url}/movements/?q=nodes", headers={"HX-Request": "true"}, timeout=30) for _ in range(2)]
    assert all(p.status_code == 200 and "<html" not in p.text and "Across nodes" in p.text for p in partials)


def test_a_node_killed_mid_load_loses_no_request_that_was_answered_with_success(cluster):
    url = cluster["url"]
    founder = UserFactory()
    movements = [
        movement_services.movement_start(founder=founder, title=f"Kill test {i}", pitch="Why.") for i in range(10)
    ]
    people = [UserFactory() for _ in range(8)]
    sessions = [signed_in(url, person) for person in people]
    succeeded: Counter = Counter()
    statuses: Counter = Counter()
    lock = threading.Lock()

    def follow_all(index: int) -> None:
        for movement in movements:
            try:
                response = sessions[index].post(
                    f"{url}/movements/{movement.slug}/follow/", timeout=30, allow_redirects=False
                )
            except requests.RequestException:
                with lock:
                    statuses["connection error"] += 1
                continue
            with lock:
                statuses[response.status_code] += 1
                if response.status_code in (200, 302):
                    succeeded[(people[index].pk, movement.pk)] += 1
            time.sleep(0.05)

    threads = [threading.Thread(target=follow_all, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    cluster["nodes"]["a"]["process"].send_signal(signal.SIGKILL)  # the master dies; its workers follow
    for thread in threads:
        thread.join(timeout=120)

    rows = set(Membership.objects.current().filter(person__in=people).values_list("person_id", "movement_id"))
    assert set(succeeded) <= rows  # every success is real
    assert sum(succeeded.values()) >= len(people) * len(movements) // 2  # and the other node kept serving
    assert statuses[500] == 0
    # Afterwards the survivor answers everything.
    after = [sessions[0].get(f"{url}/", timeout=30) for _ in range(4)]
    assert all(page.status_code == 200 for page in after)
