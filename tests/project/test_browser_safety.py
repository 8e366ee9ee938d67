import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_every_page_sends_a_strict_content_security_policy(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_pages_for_a_signed_in_person_are_never_stored(client, person):
    client.force_login(person)
    cache_control = client.get("/")["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


@pytest.mark.django_db
def test_not_found_page_is_friendly_and_reveals_nothing(client, person):
    client.force_login(person)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We could not find that page" in body
    assert "Traceback" not in body and "urlpatterns" not in body


def test_an_unreachable_database_gives_a_clear_503_page():
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing", "REDIS_URL": ""}
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='socialbiz.settings'; django.setup(); "
        "from django.test import Client; c = Client(raise_request_exception=False); "
        "r = c.post('/accounts/login/', {'login': 'a@example.com', 'password': 'x'}, HTTP_HOST='localhost'); "
        "print(r.status_code, r.get('Retry-After')); print(r.content.decode())"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    first, *body = result.stdout.strip().splitlines()[-7:]
    assert "503 30" in result.stdout, result.stdout + result.stderr
    assert "We are back in a moment" in result.stdout
    assert "OperationalError" not in "".join(body)


def test_login_and_home_load_without_policy_violations(transactional_db, live_server, page, login_in_browser):
    from tests.factories import UserFactory

    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    login_in_browser(UserFactory())
    assert page.evaluate("window.htmx.config.allowEval") is False
    assert page.evaluate("window.htmx.config.historyCacheSize") == 0
    assert violations == []
