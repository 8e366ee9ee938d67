"""`make run` serves on PORT and builds the links in emails from that port (SITE_URL), unless SITE_URL is set."""

import os
import subprocess
from pathlib import Path

from nudges.messages import absolute

RUN = Path(__file__).resolve().parents[2] / "scripts" / "run.sh"


def _site_url(**env) -> str:
    """Evaluate run.sh's PORT and SITE_URL lines as the script does, without migrating and serving."""
    lines = [line for line in RUN.read_text().splitlines() if line.startswith(("PORT=", "export SITE_URL="))]
    script = "\n".join([*lines, 'echo "$PORT $SITE_URL"'])
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL")}
    return subprocess.run(["bash", "-c", script], env={**clean, **env}, capture_output=True, text=True).stdout.strip()


def test_run_serves_on_port_and_email_links_follow_it():
    assert _site_url(PORT="8010") == "8010 http://127.0.0.1:8010"
    assert 'runserver "127.0.0.1:${PORT}"' in RUN.read_text()


def test_run_defaults_to_8000_and_an_explicit_site_url_wins():
    assert _site_url() == "8000 http://127.0.0.1:8000"
    assert _site_url(PORT="8010", SITE_URL="https://portal.acme.com") == "8010 https://portal.acme.com"


def test_email_links_are_built_from_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8010"
    assert absolute("/movements/x/") == "http://127.0.0.1:8010/movements/x/"
