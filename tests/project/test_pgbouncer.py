"""The soak (tests/hardening/test_soak.py) through a real PgBouncer in transaction mode (Debian's package,
started on loopback by this test): every answer a success, every counter equal to its rows."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
# The PostgreSQL server the suite uses; the pooler sits in front of it.
SERVER = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/socialbiz"))
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pgbouncer():
    base = Path("/tmp") / f"socialbiz-pgbouncer-{os.getpid()}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir()
    port = free_port()
    (base / "users.txt").write_text(f'"{SERVER.username}" "{SERVER.password or ""}"\n')
    (base / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={SERVER.hostname} port={SERVER.port or 5432} user={SERVER.username}"
        + (f" password={SERVER.password}" if SERVER.password else "")
        + "\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {base}/users.txt\n"
        "pool_mode = transaction\nmax_client_conn = 400\ndefault_pool_size = 10\n"
        "ignore_startup_parameters = extra_float_digits\n"
        f"logfile = {base}/pgbouncer.log\npidfile = {base}/pgbouncer.pid\n"
    )
    user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        for name in ("users.txt", "pgbouncer.ini"):
            shutil.chown(base / name, "postgres", "postgres")
    process = subprocess.Popen(
        [*user, shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", str(base / "pgbouncer.ini")], cwd="/"
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "pgbouncer did not start"
            time.sleep(0.1)
    yield {"port": port, "log": base / "pgbouncer.log"}
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(base, ignore_errors=True)
    # pytest-django could not drop its database while the pooler held server connections to it.
    with psycopg.connect(SERVER._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS test_socialbiz_pooled WITH (FORCE)")


def test_the_soak_passes_through_pgbouncer_in_transaction_mode(pgbouncer):
    env = {
        **os.environ,
        "DATABASE_URL": SERVER._replace(
            netloc=f"{SERVER.username}:{SERVER.password or ''}@127.0.0.1:{pgbouncer['port']}", path="/socialbiz_pooled"
        ).geturl(),
        "DATABASE_POOLER": "pgbouncer",
        "SOAK_SECONDS": "8",
        "SOAK_PEOPLE": "8",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--create-db",
            "tests/hardening/test_soak.py",
            "tests/movements/test_concurrency.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert "4 passed" in summary and "failed" not in summary and "error" not in summary, summary
    log = pgbouncer["log"].read_text()
    assert "socialbiz_pooled" in log  # the soak's connections really went through the pooler
