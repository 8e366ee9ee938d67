"""`make profile PAGE=/feedback/`: where one page's time goes, at the large scale.

Signs in as the benchmark's typical employee (staff for /dashboards/ and analytics), requests the page
a few times in-process to warm it, then profiles PROFILE_REQUESTS more and prints:
- time per request, SQL queries and SQL time per request;
- the functions with the most time of their own, and the project's own functions by cumulative time.
Uses the benchmark database (BENCH_DATABASE_URL; `make bench` seeds it once).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

# The benchmark's environment (database, Redis, debug off) before Django starts.
import bench  # noqa: E402

PAGE = os.environ.get("PAGE", "/feedback/")
REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "50"))
TOP = int(os.environ.get("PROFILE_TOP", "25"))


def main() -> None:
    bench.configure_environment()
    bench.ensure_database()
    # Imported here: django.setup() must run before any model is imported.
    import django

    django.setup()
    # Imported here: after django.setup().
    from django.db import connection
    from django.test import Client

    staff_page = PAGE.startswith("/dashboards/") or PAGE.rstrip("/").endswith("/analytics")
    person = bench.staff_person() if staff_page else bench.typical_employee()
    client = Client()
    client.force_login(person)
    for _ in range(3):
        status = client.get(PAGE).status_code
    if status != 200:
        raise SystemExit(f"{PAGE} answered {status} for {person.email}; profile a page that person can see.")

    # Counted and timed by a wrapper around every execute (CaptureQueriesContext reported 0 queries for
    # these requests, which printed a wrong summary).
    timings: list[float] = []

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - began) * 1000)

    with connection.execute_wrapper(timed):
        client.get(PAGE)
    sql_ms = sum(timings)

    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for _ in range(REQUESTS):
        client.get(PAGE)
    profiler.disable()
    per_request = (time.perf_counter() - began) * 1000 / REQUESTS

    stats = pstats.Stats(profiler)
    calls = stats.total_calls / REQUESTS  # type: ignore[attr-defined]
    print(f"{PAGE} as {person.email}: {per_request:.1f} ms a request under the profiler ({REQUESTS} requests)")
    print(f"  SQL: {len(timings)} queries, {sql_ms:.1f} ms (one request, timed without profiler)")
    print(f"  Python function calls a request: {calls:,.0f}")
    for title, key, restrict in (
        ("Most time of their own", "tottime", TOP),
        ("The project's own code, by cumulative time", "cumulative", (str(ROOT) + r"/(?!\.venv)", TOP)),
    ):
        out = io.StringIO()
        chosen = (
            pstats.Stats(profiler, stream=out).strip_dirs() if key == "tottime" else pstats.Stats(profiler, stream=out)
        )
        chosen.sort_stats(key)
        if isinstance(restrict, tuple):
            chosen.print_stats(*restrict)
        else:
            chosen.print_stats(restrict)
        print(f"\n== {title} ==")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip() and "function calls" not in line))


if __name__ == "__main__":
    main()
