#!/usr/bin/env bash
# `make test`: set everything up and run the whole suite against real PostgreSQL, Redis and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-uv.sh

export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"

port_of() { uv run python - "$1" <<'PY'
import sys
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1]); print(f"{u.hostname or '127.0.0.1'} {u.port or {'redis': 6379}.get(u.scheme, 5432)}")
PY
}
reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

read -r PG_HOST PG_PORT < <(port_of "${DATABASE_URL:-postgres://127.0.0.1:5432/x}")
read -r REDIS_HOST REDIS_PORT < <(port_of "$REDIS_URL")
# Chromium, the database and Redis servers, npm, docker-compose, wrk, gettext: installed when missing.
PG_HOST="$PG_HOST" PG_PORT="$PG_PORT" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" bash scripts/system-deps.sh

if ! reachable "$PG_HOST" "$PG_PORT"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    echo "==> starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
  fi
  reachable "$PG_HOST" "$PG_PORT" || {
    echo "PostgreSQL is not reachable at $PG_HOST:$PG_PORT (DATABASE_URL=${DATABASE_URL:-unset})." >&2
    echo "Install it (Debian: apt-get install -y postgresql) or set DATABASE_URL to a server you can use." >&2
    exit 1
  }
fi

# A stock cluster (peer auth for postgres): make a test role that may create databases.
if [[ -z "${DATABASE_URL:-}" ]]; then
  if uv run python -c "import psycopg; psycopg.connect('postgres://postgres@127.0.0.1:5432/postgres').close()" 2>/dev/null; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/socialbiz"
  else
    echo "==> creating the PostgreSQL role socialbiz for the tests"
    (cd / && runuser -u postgres -- psql -q -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='socialbiz') THEN CREATE ROLE socialbiz LOGIN CREATEDB PASSWORD 'socialbiz'; END IF; END\$\$;")
    (cd / && runuser -u postgres -- psql -q -d socialbiz -c "SELECT 1" >/dev/null 2>&1) || (cd / && runuser -u postgres -- createdb -O socialbiz socialbiz)
    export DATABASE_URL="postgres://socialbiz:socialbiz@127.0.0.1:5432/socialbiz"
  fi
fi

if ! reachable "$REDIS_HOST" "$REDIS_PORT"; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "==> starting a local Redis server"
    mkdir -p /tmp/socialbiz-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /tmp/socialbiz-redis --logfile /tmp/socialbiz-redis/redis.log
    sleep 1
  fi
  reachable "$REDIS_HOST" "$REDIS_PORT" || {
    echo "Redis is not reachable at $REDIS_HOST:$REDIS_PORT (REDIS_URL=$REDIS_URL)." >&2
    echo "Install it (Debian: apt-get install -y redis-server) or set REDIS_URL to a server you can use." >&2
    exit 1
  }
fi

# Chromium: an explicit path, the system browser, or Playwright's own download where there is internet.
if [[ -z "${CHROMIUM_EXECUTABLE:-}" ]]; then
  if [[ -x /usr/bin/chromium ]]; then
    export CHROMIUM_EXECUTABLE=/usr/bin/chromium
  else
    echo "==> no system Chromium; trying Playwright's download (playwright install chromium)"
    uv run playwright install chromium || {
      echo "No Chromium found. Install it (Debian: apt-get install -y chromium) or set CHROMIUM_EXECUTABLE." >&2
      exit 1
    }
  fi
fi

# npm packages for the tests (axe-core, oidc-provider): installed again whenever the lock file changed.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is needed for axe-core (Debian: apt-get install -y npm)." >&2; exit 1; }
  echo "==> installing the npm test tools (npm ci)"
  npm ci --no-audit --no-fund --silent
fi

export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-test-only-secret-key-not-for-production-0123456789abcdef}"
export DJANGO_DEBUG=false
# Debug off needs a real mail destination (check --deploy refuses none); the tests keep mail in memory.
export EMAIL_URL="${EMAIL_URL:-memorymail://}"
export DJANGO_HTTPS=false
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-localhost,127.0.0.1,testserver}"
export STATIC_MANIFEST=false
export DJANGO_ALLOW_ASYNC_UNSAFE=true

echo "==> lint (ruff check, ruff format --check)"
uv run ruff check --quiet . || { echo "ruff found lint errors: fix them, or run uv run ruff check --fix ." >&2; exit 1; }
uv run ruff format --check --quiet . || { echo "Some files are not formatted: run uv run ruff format ." >&2; exit 1; }
echo "==> import rules (lint-imports: apps import downwards, no cycles inside an app)"
uv run lint-imports --no-cache >/tmp/socialbiz-lint-imports.log 2>&1 || { cat /tmp/socialbiz-lint-imports.log >&2; exit 1; }

echo "==> running the test suite (database: $DATABASE_URL, redis: $REDIS_URL)"
exec uv run pytest "$@"
