import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_runs_the_deployment_shape():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "mail"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert "celery" in services["worker"]["command"] and "worker" in services["worker"]["command"]
    assert "celery" in services["beat"]["command"] and "beat" in services["beat"]["command"]
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "mailpit" in services["mail"]["image"]
    for name in ("web", "db", "redis", "mail"):
        assert "healthcheck" in services[name], name
    assert {"postgres-data", "redis-data"} <= set(compose["volumes"])
    # The same image runs web, worker and beat.
    assert services["web"]["build"] == services["worker"]["build"] == services["beat"]["build"]


def test_compose_file_is_valid_for_docker_compose():
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose (Debian package docker-compose) is installed by .ci/run"
    result = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
