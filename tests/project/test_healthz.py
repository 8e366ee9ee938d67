import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_it_answers_200_when_database_and_redis_are_up(client, settings):
    assert settings.REDIS_URL, "the suite runs against a real Redis"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


@pytest.mark.django_db
def test_it_answers_503_and_names_redis_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["redis"].startswith("error")


def test_it_answers_503_and_names_the_database_when_postgres_is_unreachable():
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing", "REDIS_URL": ""}
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='socialbiz.settings'; django.setup(); "
        "from django.test import Client; r = Client().get('/healthz', HTTP_HOST='localhost'); "
        "print(r.status_code); print(r.content.decode())"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    status, body = result.stdout.strip().splitlines()[-2:]
    assert status == "503"
    assert json.loads(body)["checks"]["database"].startswith("error")


@pytest.mark.django_db
def test_it_rejects_post(client):
    assert client.post("/healthz").status_code == 405
