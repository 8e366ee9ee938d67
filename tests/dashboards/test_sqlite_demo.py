"""The zero-setup SQLite demo (`make run` without DATABASE_URL) explains the dashboards instead of failing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dashboards_on_sqlite_say_they_need_postgresql(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "REDIS_URL": ""}
    code = """
import os, django
os.environ['DJANGO_SETTINGS_MODULE'] = 'socialbiz.settings'
django.setup()
from django.core.management import call_command
call_command('migrate', verbosity=0)
from django.test import Client
from movements import services
from people.models import User
admin = User.objects.create_user('admin@example.com', 'a-long-pass-phrase-1', is_staff=True)
movement = services.movement_start(founder=admin, title='Demo idea', pitch='Why.')
client = Client(HTTP_HOST='localhost')
client.force_login(admin)
for url in ('/dashboards/', movement.get_absolute_url() + 'analytics/'):
    response = client.get(url)
    print(response.status_code, 'Dashboards need PostgreSQL' in response.content.decode())
response = client.get('/api/v1/dashboards/')
print(response.status_code, response['Content-Type'], response.json()['detail'])
"""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    lines = result.stdout.split("\n")[-4:-1]
    assert lines[:2] == ["200 True", "200 True"], result.stdout + result.stderr
    # The API says the same as a problem response instead of failing with a 500.
    assert lines[2] == (
        "503 application/problem+json The dashboards need PostgreSQL; this site runs on SQLite (the one-machine demo)."
    ), result.stdout + result.stderr
