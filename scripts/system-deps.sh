#!/usr/bin/env bash
# Install the system packages the suite needs when they are missing: Chromium (browser tests),
# PostgreSQL and Redis servers, npm (axe-core, oidc-provider), docker-compose (compose file check),
# wrk (make bench), gettext (compilemessages), PgBouncer and nginx (the pooled and several-node
# tests). As root with apt-get it installs them; otherwise it says exactly what to install and stops.
set -euo pipefail

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
PG_HOST="${PG_HOST:-127.0.0.1}" PG_PORT="${PG_PORT:-5432}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}" REDIS_PORT="${REDIS_PORT:-6379}"

missing=()
# A laptop may use Playwright's own download instead (test.sh falls back to it).
[[ -n "${CHROMIUM_EXECUTABLE:-}" || -x /usr/bin/chromium ]] || compgen -G "$HOME/.cache/ms-playwright/chromium-*" >/dev/null || missing+=(chromium)
# The server package also for its tools: the replica test runs initdb and pg_basebackup on loopback.
compgen -G "/usr/lib/postgresql/*/bin/pg_basebackup" >/dev/null || missing+=(postgresql)
reachable "$REDIS_HOST" "$REDIS_PORT" || command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
# The pooled and several-node tests start their own PgBouncer and nginx on loopback.
[[ -x /usr/sbin/pgbouncer ]] || command -v pgbouncer >/dev/null 2>&1 || missing+=(pgbouncer)
[[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)

(( ${#missing[@]} )) || exit 0
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing missing system packages: apt-get install -y ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "These system packages are missing: ${missing[*]}" >&2
  echo "Install them (Debian: sudo apt-get install -y ${missing[*]}), or set CHROMIUM_EXECUTABLE," >&2
  echo "DATABASE_URL and REDIS_URL to ones you have, then run make test again." >&2
  exit 1
fi
