"""PostgreSQL goes away and comes back: pages answer a clear 503, /healthz says why, and the site
recovers by itself. The outage is real: the web server (gunicorn, own process) reaches PostgreSQL
through a TCP relay that the test cuts and restores; the shared database server keeps running.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Relay:
    """Forwards 127.0.0.1:<port> to the database; `cut()` drops every connection and stops listening."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.port = target, free_port()
        self.listener: socket.socket | None = None
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()

    def restore(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self.listener = self.listener, None
        try:
            listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept(); close() alone would not
        except OSError:
            pass
        listener.close()
        with self.lock:
            for sock in self.open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 1)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except OSError:
            return


@pytest.fixture
def site_behind_relay(transactional_db, tmp_path):
    db = connection.settings_dict
    relay = Relay((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    relay.restore()
    credentials = quote(db["USER"] or "", safe="") + (
        ":" + quote(db["PASSWORD"], safe="") if db.get("PASSWORD") else ""
    )
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{credentials}@127.0.0.1:{relay.port}/{db['NAME']}",
        "REDIS_URL": "",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "socialbiz.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/healthz", timeout=10)  # the first answer loads Django: slow on a busy machine
            break
        except requests.RequestException:
            time.sleep(0.2)
    yield base, relay
    server.terminate()
    server.wait(timeout=15)
    if relay.listener:
        relay.cut()


def test_pages_answer_503_while_the_database_is_away_and_recover_by_themselves(site_behind_relay):
    base, relay = site_behind_relay
    sign_in = {"login": "nobody@example.com", "password": "wrong-password-1"}
    assert requests.get(f"{base}/healthz", timeout=10).json()["checks"]["database"] == "ok"
    assert requests.post(f"{base}/accounts/login/", data=sign_in, timeout=10).status_code in (200, 403)

    relay.cut()
    health = requests.get(f"{base}/healthz", timeout=10)
    assert health.status_code == 503
    assert health.json()["checks"]["database"].startswith("error")
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)  # the sign-in page itself needs no database
    page = session.post(
        f"{base}/accounts/login/",
        data={**sign_in, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
        timeout=10,
    )
    assert page.status_code == 503
    assert "We are back in a moment" in page.text
    assert page.headers["Retry-After"] == "30"
    assert "Traceback" not in page.text and "psycopg" not in page.text

    relay.restore()
    deadline = time.monotonic() + 20
    while requests.get(f"{base}/healthz", timeout=10).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert requests.get(f"{base}/healthz", timeout=10).json()["checks"]["database"] == "ok"
    again = session.post(
        f"{base}/accounts/login/",
        data={**sign_in, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
        timeout=10,
    )
    assert again.status_code == 200 and "We are back in a moment" not in again.text
