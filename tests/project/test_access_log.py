"""The access log of the documented deployment (gunicorn in docker-compose.yml) keeps no token, query string
or client address: a real gunicorn with the compose file's config serves real requests and its lines are read."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ["RESETKEY7f3e", "RECRUITTOKEN7f3e", "987654321", "UNSUBTOKEN7f3e", "CONFIRMKEY7f3e", "sort=newest", "newest"]


def test_compose_runs_gunicorn_with_the_safe_access_log_config():
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    assert "-c python:socialbiz.gunicorn_conf" in command
    assert "--access-logfile" not in command  # the config file sets it, with its format and logger


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, method: str = "GET") -> int:
    request = urllib.request.Request(url, method=method, data=b"title=x" if method == "POST" else None)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=10).status
    except urllib.error.HTTPError as exc:
        return exc.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.django_db
def test_gunicorn_access_log_has_routes_but_no_tokens_queries_or_addresses(tmp_path):
    port = _free_port()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
        f"{database['NAME']}",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_FORMAT": "json",
    }
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:socialbiz.gunicorn_conf", "socialbiz.wsgi"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            try:
                _request(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        statuses = {
            path: _request(base + path)
            for path in (
                "/accounts/password/reset/key/1f-RESETKEY7f3e/?next=/feedback/",
                "/movements/some-movement/join/987654321/RECRUITTOKEN7f3e/",
                "/unsubscribe/UNSUBTOKEN7f3e/",
                "/accounts/confirm-email/CONFIRMKEY7f3e/",
                "/feedback/?sort=newest",
                "/no/such/page/RESETKEY7f3e/",
            )
        }
        posted = _request(f"{base}/feedback/new/", method="POST")
    finally:
        server.terminate()
        server.wait(timeout=20)
    text = log_path.read_text()
    access_lines = [line for line in text.splitlines() if '"GET ' in line or '"POST ' in line]
    assert len(access_lines) == len(statuses) + 1, text  # one per GET (and the health check); the POST has none
    assert posted == 403  # no CSRF token: refused, and still not logged
    assert '"GET /movements/<uslug:slug>/join/<int:person_id>/<str:token>/" 302' in text
    assert '"GET /unsubscribe/<str:token>/"' in text
    assert '"GET /feedback/" 302' in text
    assert '"GET (unresolved)" 404' in text
    for secret in SECRETS:
        assert secret not in text, (secret, text)
    assert "127.0.0.1" not in "\n".join(access_lines)
    assert "feedback/new" not in text, text
