"""Real infrastructure for the nudges tests: our own Redis server, a real Celery worker process and
a real SMTP server (aiosmtpd) that counts what it accepted per nudge dedupe key."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import connection

from socialbiz.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message() if callable(message) else message}")


# --- Redis: our own server, so a test may stop and start it -----------------------------------------


class RedisServer:
    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir, self.process = port, workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=10, message="redis-server to answer")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def flush(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(b"FLUSHALL\r\n")
            s.recv(16)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    # This test process publishes to our own Redis too (set before the first publish builds a pool).
    celery_app.conf.broker_url = server.url
    yield server
    server.stop()


# --- SMTP: a real server that records accepted messages per X-Nudge-Key --------------------------------


class Inbox:
    """aiosmtpd handler. `refuse_next` DATA commands get a 451; `hang_next` holds the next DATA open
    (the worker is mid-send) until `release` is set, then answers 451 (nothing was accepted)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.attempts: Counter = Counter()
        self.refuse_next = 0
        self.hang_next = False
        self.hanging = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        key = message["X-Nudge-Key"]
        with self.lock:
            self.attempts[key] += 1
            hang, self.hang_next = self.hang_next, False
            refuse = self.refuse_next > 0
            if refuse:
                self.refuse_next -= 1
        if hang:
            self.hanging.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Connection lost before the message was accepted"
        if refuse:
            return "451 4.7.1 Try again later"
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def per_key(self) -> Counter:
        with self.lock:
            return Counter(m["X-Nudge-Key"] for m in self.messages)

    def for_key(self, key: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["X-Nudge-Key"] == key]

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.attempts.clear()
            self.refuse_next, self.hang_next = 0, False
            self.hanging, self.release = threading.Event(), threading.Event()


@pytest.fixture(scope="module")
def smtp_inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    inbox.release.set()
    controller.stop()


@pytest.fixture
def smtp_server(smtp_inbox):
    smtp_inbox.reset()
    yield smtp_inbox
    smtp_inbox.release.set()


# --- Celery worker and beat processes ----------------------------------------------------------------


class Processes:
    """Starts `celery -A socialbiz worker/beat` against the test database, our Redis and our SMTP server."""

    def __init__(self, env: dict[str, str], tmp_path: Path):
        self.env, self.tmp_path, self.running = env, tmp_path, []

    def _start(self, args: list[str], name: str) -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}-{len(self.running)}.log", "w")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "socialbiz", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = log.name
        process.kind = args[0]
        self.running.append(process)
        return process

    def worker(self) -> subprocess.Popen:
        name = f"nudges-{len(self.running)}@%h"
        process = self._start(
            [
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                self.env["CELERY_QUEUE"],
                "-n",
                name,
                "--without-gossip",
                "--without-mingle",
            ],
            "worker",
        )
        wait_for(
            lambda: "ready." in Path(process.log_path).read_text() or process.poll() is not None,
            timeout=30,
            message="the worker to be ready",
        )
        assert process.poll() is None, Path(process.log_path).read_text()
        return process

    def beat(self) -> subprocess.Popen:
        index = len(self.running)
        return self._start(["beat", "--loglevel=INFO", "-s", str(self.tmp_path / f"beat-{index}.schedule")], "beat")

    def current_worker(self) -> subprocess.Popen:
        """The running worker, started if there is none (or the last one was killed)."""
        alive = [p for p in self.running if p.poll() is None and p.kind == "worker"]
        return alive[-1] if alive else self.worker()

    def stop_beats(self) -> None:
        self._stop([p for p in self.running if p.kind == "beat"])

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        self._stop(self.running)

    def _stop(self, processes) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def task_lines(self) -> str:
        """What the workers did, for failure messages."""
        lines = []
        for p in self.running:
            lines += [
                f"[{p.kind} {p.pid}] {line}"
                for line in Path(p.log_path).read_text().splitlines()
                if "Task" in line or "ERROR" in line or "WARNING" in line
            ]
        return "\n".join(lines[-60:])

    def logs(self) -> str:
        return "\n".join(Path(p.log_path).read_text()[-3000:] for p in self.running)


def test_database_url(db: dict) -> str:
    """The pytest database as a URL for a worker process (credentials quoted, as on a stock server)."""
    from urllib.parse import quote

    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def celery_module(django_db_setup, redis_server, smtp_inbox, tmp_path_factory):
    """One worker shared by a module's tests (starting a process costs seconds on a busy machine);
    a test that kills it gets a fresh one, and beats are stopped after each test."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(db),
        "REDIS_URL": redis_server.url,
        # The queue this test process publishes to (settings), whatever the environment says.
        "CELERY_QUEUE": django_settings.CELERY_TASK_DEFAULT_QUEUE,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_inbox.port}",
        "SITE_URL": django_settings.SITE_URL,
        "NUDGES_RETRY_BACKOFF_SECONDS": "1",
        "NUDGES_SMTP_TIMEOUT_SECONDS": "10",
        "NUDGES_RELAY_EVERY_SECONDS": "1",
        "NUDGES_SWEEP_EVERY_SECONDS": "86400",
        "DATABASE_CONN_MAX_AGE": "0",
    }
    processes = Processes(env, tmp_path_factory.mktemp("celery"))
    yield processes
    processes.stop_all()


@pytest.fixture
def celery_processes(transactional_db, celery_module, smtp_server):
    """Everything the test writes is committed, so the worker process sees it."""
    celery_module.current_worker()
    yield celery_module
    celery_module.stop_beats()
    wait_until_workers_are_quiet()


def wait_until_workers_are_quiet(timeout: float = 60.0) -> None:
    """The test database is flushed (TRUNCATE) after each test; a worker still sending the test's nudges
    holds row locks, and the two can deadlock, failing the flush. Wait until no other session on this
    database is inside a transaction for a few polls in a row."""
    quiet = 0

    def settled() -> bool:
        nonlocal quiet
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            )
            busy = cursor.fetchone()[0]
        quiet = 0 if busy else quiet + 1
        return quiet >= 5

    deadline = time.monotonic() + timeout
    while not settled() and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories hash a password per person; the default hasher costs seconds per test on a busy machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
