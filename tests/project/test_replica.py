"""A real streaming replica on loopback (initdb + pg_basebackup, PostgreSQL's own tools): the dashboards'
figures read from it, a person's own write is read from the primary, and a lagging or stopped replica
falls back to the primary within one request."""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = (
    Path("/usr/lib/postgresql")
    / (sorted(os.listdir("/usr/lib/postgresql"))[-1] if Path("/usr/lib/postgresql").exists() else "15")
    / "bin"
)

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL's server tools refuse to run as root: run them as the postgres user, from /."""
    command = list(args) if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True, cwd="/", **kwargs)


@pytest.fixture(scope="module")
def pg_pair(tmp_path_factory):
    base = Path("/tmp") / f"socialbiz-pgpair-{os.getpid()}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary, standby = base / "primary", base / "replica"
    p1, p2 = free_port(), free_port()
    as_postgres(str(PG_BIN / "initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres", "--no-sync")
    settings_lines = (
        f"port = {p1}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
        "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\nsynchronous_commit = off\n"
    )
    as_postgres("sh", "-c", f'printf %s "$0" >> {primary}/postgresql.conf', settings_lines)
    as_postgres(
        "sh",
        "-c",
        f'printf %s "$0" > {primary}/pg_hba.conf',
        "host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\nlocal all all trust\n",
    )
    as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(primary), "-l", str(base / "primary.log"), "-w", "start")
    try:
        as_postgres(
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(p1),
            "-U",
            "postgres",
            "-D",
            str(standby),
            "-R",
            "-X",
            "stream",
        )
        as_postgres("sh", "-c", f'printf %s "$0" >> {standby}/postgresql.conf', f"port = {p2}\n")
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(standby), "-l", str(base / "replica.log"), "-w", "start")
        as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(p1), "-U", "postgres", "socialbiz")
        yield {"primary": p1, "replica": p2, "standby_dir": standby}
    finally:
        for directory in (standby, primary):
            if (directory / "postmaster.pid").exists():
                subprocess.run(
                    [
                        "runuser",
                        "-u",
                        "postgres",
                        "--",
                        str(PG_BIN / "pg_ctl"),
                        "-D",
                        str(directory),
                        "-m",
                        "immediate",
                        "stop",
                    ]
                    if os.geteuid() == 0
                    else [str(PG_BIN / "pg_ctl"), "-D", str(directory), "-m", "immediate", "stop"],
                    capture_output=True,
                    cwd="/",
                )
        shutil.rmtree(base, ignore_errors=True)


def test_figures_read_the_replica_own_writes_the_primary_and_a_lagging_or_stopped_replica_falls_back(pg_pair):
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_pair['primary']}/socialbiz",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{pg_pair['replica']}/socialbiz",
        "REPLICA_MAX_LAG_SECONDS": "1",
        "REPLICA_CHECK_SECONDS": "0",
        "DASHBOARDS_CACHE_SECONDS": "0",
        "REDIS_URL": "",
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    probe = subprocess.Popen(
        [sys.executable, "tests/project/replica_probe.py", "--then-stopped"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = json.loads(probe.stdout.readline() or "{}")
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(pg_pair["standby_dir"]),
            "-m",
            "fast",
            "stop",
        ]
        if os.geteuid() == 0
        else [str(PG_BIN / "pg_ctl"), "-D", str(pg_pair["standby_dir"]), "-m", "fast", "stop"],
        check=True,
        capture_output=True,
        cwd="/",
    )
    out, err = probe.communicate("go\n", timeout=120)
    assert probe.returncode == 0, err[-3000:]
    second = json.loads(out.strip().splitlines()[-1])

    # The dashboard's figures came from the replica; the session and the staff check from the primary.
    assert first["dashboard"]["status"] == 200
    assert first["dashboard"]["replica"] >= 5 and first["dashboard"]["primary"] >= 2
    # A movement the lead had just started was not on the paused replica, yet its analytics answered,
    # from the primary: the replica lagged past REPLICA_MAX_LAG_SECONDS.
    assert first["own_movement_on_replica"] is False and first["lagging_usable"] is False
    assert first["analytics_while_lagging"]["status"] == 200
    assert first["analytics_while_lagging"]["replica"] == 1  # the lag check alone; every figure from the primary
    # Replica stopped: the next dashboard request is answered from the primary, and a read that fails
    # half-way on a replica believed healthy is done again on the primary.
    assert second["dashboard_replica_stopped"]["status"] == 200 and second["dashboard_replica_stopped"]["primary"] >= 5
    assert second["fallback_mid_read_on_primary"] is True
