"""Settings are read from the environment; each case runs in a fresh interpreter with only the given variables."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "p" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://app:secret@db.internal:5432/socialbiz",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.internal:587",
}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SITE_", "EMAIL_"))
    }
    clean.update(env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def settings_of(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE']='socialbiz.settings'; "
        "from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_unset_database_url_means_sqlite_file():
    values = settings_of({"DJANGO_DEBUG": "true"}, "DATABASES")
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASES"]["default"]["NAME"].endswith("db.sqlite3")


def test_postgres_url_means_postgresql_with_persistent_connections():
    values = settings_of({**PRODUCTION_ENV}, "DATABASES")
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"], database["USER"]) == ("db.internal", "socialbiz", "app")
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True


def test_without_redis_tasks_run_inline_with_a_local_cache():
    values = settings_of({"DJANGO_DEBUG": "true"}, "CELERY_TASK_ALWAYS_EAGER", "CACHES", "CELERY_BROKER_URL")
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_with_redis_tasks_go_to_the_broker_and_redis_is_the_cache():
    values = settings_of(PRODUCTION_ENV, "CELERY_TASK_ALWAYS_EAGER", "CACHES", "CELERY_BROKER_URL")
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["CELERY_BROKER_URL"] == "redis://redis.internal:6379/0"
    assert values["CACHES"]["default"]["BACKEND"].endswith("RedisCache")


def test_defaults_for_site_name_first_followers_and_console_email():
    values = settings_of({"DJANGO_DEBUG": "true"}, "SITE_NAME", "FIRST_FOLLOWERS_COUNT", "EMAIL_BACKEND")
    assert values == {
        "SITE_NAME": "socialbiz",
        "FIRST_FOLLOWERS_COUNT": 3,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }


def test_settings_follow_the_environment():
    values = settings_of(
        {
            "DJANGO_DEBUG": "true",
            "SITE_NAME": "Acme Together",
            "FIRST_FOLLOWERS_COUNT": "5",
            "EMAIL_URL": "smtp://mail.internal:2525",
            "SIGNUP_ALLOWED_DOMAINS": "acme.com,@Acme.co.uk",
        },
        "SITE_NAME",
        "FIRST_FOLLOWERS_COUNT",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "SIGNUP_ALLOWED_DOMAINS",
    )
    assert values == {
        "SITE_NAME": "Acme Together",
        "FIRST_FOLLOWERS_COUNT": 5,
        "EMAIL_HOST": "mail.internal",
        "EMAIL_PORT": 2525,
        "SIGNUP_ALLOWED_DOMAINS": ["acme.com", "acme.co.uk"],
    }


def test_missing_secret_key_is_refused_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_python(
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='socialbiz.settings'; "
        "from django.conf import settings; settings.SECRET_KEY",
        env,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_deploy_check_passes_with_production_values():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_email_url_debug_off_fails_the_deploy_check_and_prints_no_mail():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_URL"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "people.E001" in result.stderr and "EMAIL_URL is not set" in result.stderr
    sent = run_python(
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='socialbiz.settings'; import django; django.setup(); "
        "from django.core.mail import send_mail; "
        "send_mail('Reset your password', 'https://portal/reset/key-123', 'a@example.com', ['b@example.com'])",
        env,
    )
    assert sent.returncode != 0 and "EMAIL_URL is not set" in sent.stderr
    assert "key-123" not in sent.stdout + sent.stderr


def test_with_debug_on_a_missing_email_url_prints_mail_for_the_demo():
    values = settings_of({"DJANGO_DEBUG": "true"}, "EMAIL_BACKEND")
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_env_example_lists_every_variable_the_settings_read():
    import re

    settings_source = (ROOT / "socialbiz" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.M))
    assert read, "no settings found: the pattern is wrong"
    assert read - listed == set()
