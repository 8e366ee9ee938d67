#!/usr/bin/env bash
# Make sure uv is available and the locked environment is installed (.venv).
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
if ! command -v uv >/dev/null 2>&1; then
  echo "==> installing uv (pip install --user uv)"
  python3 -m pip install --quiet uv || python3 -m pip install --quiet --user uv
  export PATH="$HOME/.local/bin:$PATH"
fi
command -v uv >/dev/null 2>&1 || { echo "uv could not be installed; install it with: pip install uv" >&2; exit 1; }
uv sync --locked --quiet
