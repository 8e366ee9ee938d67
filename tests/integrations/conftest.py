"""A loopback receiver for webhook and chat deliveries, and (for the fault tests) the nudges tests' own
Redis server and real Celery worker and beat processes, configured for webhooks."""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.nudges.conftest import (  # noqa: F401  (fixtures shared with the nudges tests)
    Processes,
    redis_server,
    smtp_inbox,
    smtp_server,
    test_database_url,
    wait_for,
)

from .receiver import Receiver


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture(scope="module")
def receiver_module():
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def receiver(receiver_module):
    receiver_module.reset()
    yield receiver_module
    receiver_module.release.set()


@pytest.fixture(scope="module")
def celery_module(django_db_setup, redis_server, smtp_inbox, tmp_path_factory):  # noqa: F811
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(connection.settings_dict),
        "REDIS_URL": redis_server.url,
        "CELERY_QUEUE": django_settings.CELERY_TASK_DEFAULT_QUEUE,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_inbox.port}",
        "SITE_URL": django_settings.SITE_URL,
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "WEBHOOK_RETRY_BACKOFF_SECONDS": "1",
        "WEBHOOK_TIMEOUT_SECONDS": "10",
        "WEBHOOK_RELAY_EVERY_SECONDS": "1",
        "NUDGES_RELAY_EVERY_SECONDS": "3600",
        "NUDGES_SWEEP_EVERY_SECONDS": "86400",
        "DATABASE_CONN_MAX_AGE": "0",
    }
    processes = Processes(env, tmp_path_factory.mktemp("celery"))
    yield processes
    processes.stop_all()


@pytest.fixture
def celery_processes(transactional_db, celery_module, smtp_server):  # noqa: F811
    celery_module.current_worker()
    yield celery_module
    celery_module.stop_beats()
