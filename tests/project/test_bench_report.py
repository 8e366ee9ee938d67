"""`make bench` reads wrk's report: a page whose every request timed out is a MISSED target with its
timeouts, never a row with a p50 of 0.00us (which a slower machine once printed)."""

import sys

from socialbiz.settings import BASE_DIR

sys.path.insert(0, str(BASE_DIR / "scripts"))
import bench  # noqa: E402

ALL_TIMED_OUT = """Running 20s test @ http://127.0.0.1:8765/movements/x/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
  Latency Distribution
     50%    0.00us
     99%    0.00us
  0 requests in 20.03s, 0.00B read
  Socket errors: connect 0, read 0, write 0, timeout 392
Requests/sec:      0.00
"""

HEALTHY = """Running 20s test @ http://127.0.0.1:8765/feedback/
  2 threads and 16 connections
  Latency Distribution
     50%   22.40ms
     99%   41.06ms
  13700 requests in 20.00s, 1.2MB read
Requests/sec:    685.00
"""


def row(text: str, name: str, connections: int, fraction: float, fraction_raw: float) -> dict:
    return {
        **bench.parse_wrk(text),
        "name": name,
        "connections": connections,
        "fraction": fraction,
        "fraction_raw": fraction_raw,
    }


def test_a_page_whose_requests_all_timed_out_is_missed_with_its_timeouts():
    parsed = bench.parse_wrk(ALL_TIMED_OUT)
    assert parsed["timeouts"] == 392 and parsed["p50"] == "none completed" and parsed["rps"] == 0.0
    lines = bench.load_targets([row(ALL_TIMED_OUT, "movement page", 64, 0.0, 0.0)])
    assert lines and all("**MISSED**" in line for line in lines)
    assert any("timeout 392" in line for line in lines)
    assert bench.failures({}, [row(ALL_TIMED_OUT, "movement page", 64, 0.0, 0.0)], {}, {})


def test_targets_are_ratios_to_both_hellos():
    parsed = bench.parse_wrk(HEALTHY)
    assert parsed == {
        "rps": 685.0,
        "p50": "22.40ms",
        "p99": "41.06ms",
        "non2xx": 0,
        "socket_errors": "none",
        "timeouts": 0,
    }
    met = bench.load_targets([row(HEALTHY, "feedback list", 16, 0.30, 0.07)])
    missed = bench.load_targets([row(HEALTHY, "feedback list", 16, 0.30, 0.05)])
    assert met == [line.replace("**MISSED**", "met") for line in met] and "met" in met[0]
    assert "**MISSED**" in missed[0]
    hello = bench.load_targets([row(HEALTHY, bench.HELLO, 16, 1.0, 0.40)])
    assert "met" in hello[0] and "0.400" in hello[0]
