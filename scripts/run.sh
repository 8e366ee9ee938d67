#!/usr/bin/env bash
# `make run`: set up, migrate, seed the demo and serve it at http://127.0.0.1:8000 (PORT=8010 make run: another port).
# With DATABASE_URL and REDIS_URL set, also start a Celery worker and beat; Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-uv.sh
export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
# The demo lets visitors sign up (production keeps sign-up closed unless SIGNUP_ALLOWED_DOMAINS is set).
export SIGNUP_OPEN="${SIGNUP_OPEN:-true}"
# A demo has one visitor: publish their anonymous posts after a minute instead of waiting for 5 active people.
export ANONYMITY_MIN_CROWD="${ANONYMITY_MIN_CROWD:-1}"
export ANONYMOUS_PUBLISH_MINUTES="${ANONYMOUS_PUBLISH_MINUTES:-1}"
PORT="${PORT:-8000}"
# Links in emails (invitations, nudges) point at the server this command starts, unless SITE_URL says otherwise.
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"

echo "==> migrating the database (${DATABASE_URL:-SQLite file db.sqlite3})"
uv run python manage.py migrate --noinput
echo "==> seeding the demo organisation"
uv run python manage.py seed_demo

pids=()
cleanup() {
  echo; echo "==> stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [[ -n "${DATABASE_URL:-}" && -n "${REDIS_URL:-}" ]]; then
  echo "==> starting a Celery worker and beat (broker: $REDIS_URL)"
  uv run celery -A socialbiz worker --loglevel=INFO --concurrency=2 & pids+=($!)
  uv run celery -A socialbiz beat --loglevel=INFO --schedule /tmp/socialbiz-celerybeat-schedule & pids+=($!)
else
  echo "==> no REDIS_URL: background tasks run inline in the web process"
  # No Celery beat without Redis: the anonymous-post queue gets its tick from this loop instead.
  uv run python manage.py publish_anonymous --every 60 >/dev/null & pids+=($!)
fi

echo "==> serving http://127.0.0.1:${PORT}  (Ctrl-C to stop)"
uv run python manage.py runserver "127.0.0.1:${PORT}" & pids+=($!)
wait "${pids[-1]}"
