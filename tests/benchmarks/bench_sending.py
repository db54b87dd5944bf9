"""Sending speed: 100 batches of 1000 recipients against a server that answers each send after
100 ms, with at most 10 requests in flight.

    .venv/bin/python tests/benchmarks/bench_sending.py      (or: make bench)

Target (issue "Send"): at most 1.10 x the ideal time, ceil(100 / 10) x 100 ms = 1.0 s, with exactly
10 requests in flight at the peak and never more. The sandbox runs in its own process, as Acoustic
would. The naive baseline (one request at a time) is measured on 10 of the batches in the same run.
Exits 1 when the target is missed.
"""

from __future__ import annotations

import math
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.acoustic import AcousticClient, clear_token_caches  # noqa: E402
from components.sending import send_payloads  # noqa: E402

BATCHES, SIZE, LATENCY, IN_FLIGHT = 100, 1000, 0.1, 10


def payloads() -> list[dict]:
    return [
        {
            "channelQualifier": "12345",
            "content": "Hi %%FIRST NAME%%, your code is %%PIN%%.",
            "personalizationDefaults": {"FIRST NAME": "there"},
            "contacts": [
                {
                    "phoneNumber": f"1{2000000000 + batch * SIZE + index}",
                    "personalization": {"FIRST NAME": "Ann", "PIN": f"{index:04d}"},
                }
                for index in range(SIZE)
            ],
        }
        for batch in range(BATCHES)
    ]


def start_sandbox() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "components.sandbox", "--port", "0", "--latency", str(LATENCY)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    if not match:
        process.kill()
        raise RuntimeError(f"the sandbox did not start: {line!r}")
    return process, match.group(0)


def main() -> int:
    process, url = start_sandbox()
    try:
        bodies = payloads()
        ideal = math.ceil(BATCHES / IN_FLIGHT) * LATENCY
        with AcousticClient(url, "sandbox-client", "sandbox-secret", "sandbox-refresh") as client:
            client.token_info()  # the token is fetched once per process, not per send
            naive_started = time.perf_counter()
            send_payloads(client, bodies[:10], max_in_flight=1)
            naive = (time.perf_counter() - naive_started) * BATCHES / 10
            runs = []
            for _ in range(3):
                httpx.post(f"{url}/_sandbox/reset", json={})  # also forgets the tokens it issued
                clear_token_caches()
                client.token_info()
                started = time.perf_counter()
                results = send_payloads(client, bodies, max_in_flight=IN_FLIGHT)
                runs.append(time.perf_counter() - started)
                assert all(r.state == "accepted" for r in results), results[:3]
                stats = httpx.get(f"{url}/_sandbox/stats").json()
                assert stats["send_posts"] == BATCHES, stats
            peak = stats["peak_in_flight"]
        best, median = min(runs), statistics.median(runs)
        print(
            f"send {BATCHES} x {SIZE} recipients, server answers after {LATENCY * 1000:.0f} ms:\n"
            f"  ideal {ideal:.2f} s; ours best {best:.3f} s, median {median:.3f} s -> "
            f"{best / ideal:.3f} x ideal   [target <= 1.10]\n"
            f"  naive one-at-a-time (measured on 10 batches) ~{naive:.1f} s -> ours is "
            f"{naive / best:.1f} x faster\n"
            f"  peak requests in flight seen by the server: {peak}   [target: exactly 10]"
        )
        ok = best / ideal <= 1.10 and peak == IN_FLIGHT
        print("target met" if ok else "MISSED")
        return 0 if ok else 1
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
