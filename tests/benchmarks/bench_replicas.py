"""Replicas: 20 sends of 5,000 recipients (100 batches of 1,000) against a sandbox that answers
each send after 100 ms, through three console replicas (real `streamlit run console.py`
processes) sharing one PostgreSQL journal, against the same load through one replica on the same
database server, measured in the same run.

    .venv/bin/python tests/benchmarks/bench_replicas.py      (or: make bench)

Target (issue 12): three replicas take at most 1.15 x the time of one (the organisation's 10
places are shared, so more replicas cannot go faster; they must not go much slower either), with
at most 10 requests in flight at every moment, none refused for concurrency (the replicas
share the places through PostgreSQL) and every batch POSTed exactly once. The time runs
from the moment the sends are due (they are scheduled, so whichever replica's scheduler sees one
first starts it) until every batch has its final state. Rounds alternate one and three replicas;
the best of each is compared (the machine is shared). Exits 1 when the target is missed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.acoustic import clear_token_caches  # noqa: E402
from components.journal import Journal  # noqa: E402
from components.sandbox import SandboxConfig, SandboxServer  # noqa: E402
from tests.postgres_server import postgres_server  # noqa: E402
from tests.replicas_support import replicas, schedule_sends, wait_until_sent  # noqa: E402

SENDS, RECIPIENTS, LATENCY, ROUNDS, TARGET = 20, 5000, 0.1, 2, 1.15


def one_round(server, sandbox: SandboxServer, count: int, tmp: Path, tag: str) -> float:
    with server.database() as url, replicas(tmp / tag, sandbox, url, count):
        journal = Journal(url)
        sandbox.reset()
        clear_token_caches()
        due = time.time() + 3
        ids = schedule_sends(journal, sandbox.url, due, SENDS, RECIPIENTS, tag)
        due_at = time.monotonic() + (due - time.time())
        took = wait_until_sent(journal, ids, timeout=300) - due_at
        stats = sandbox.stats()
        posted = [
            f"{p['content']}|{p['contacts'][0]['phoneNumber']}" for p in sandbox.sent_payloads()
        ]
        journal.close()
    batches = SENDS * RECIPIENTS // 1000
    problems = []
    if stats["peak_in_flight"] > 10:
        problems.append(f"{stats['peak_in_flight']} requests in flight at the peak")
    if stats["concurrency_rejections"]:  # the places are the organisation's, shared by all
        problems.append(f"{stats['concurrency_rejections']} requests refused for concurrency")
    if len(posted) != batches or len(set(posted)) != batches:
        problems.append(f"{len(posted)} POSTs accepted for {batches} batches")
    print(
        f"  {count} replica(s): {took:.2f} s, peak {stats['peak_in_flight']} in flight, "
        f"{stats['concurrency_rejections']} refused for concurrency, {len(set(posted))} batches"
    )
    if problems:
        raise SystemExit("FAILED: " + "; ".join(problems))
    return took


def main() -> int:
    try:
        server_context = postgres_server()
        server = server_context.__enter__()
    except BaseException as exc:  # pytest's Skipped outside pytest: no PostgreSQL here
        print(f"bench_replicas: skipped ({exc})")
        return 0
    sandbox = SandboxServer(SandboxConfig(latency=LATENCY)).start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            one, three = [], []
            for round_number in range(ROUNDS):
                one.append(one_round(server, sandbox, 1, tmp, f"one-{round_number}"))
                three.append(one_round(server, sandbox, 3, tmp, f"three-{round_number}"))
    finally:
        sandbox.stop()
        server_context.__exit__(None, None, None)
    ratio = min(three) / min(one)
    ideal = SENDS * RECIPIENTS / 1000 / 10 * LATENCY
    print(
        f"bench_replicas: {SENDS} sends x {RECIPIENTS:,} recipients, sandbox {LATENCY * 1000:.0f} "
        f"ms: one replica best {min(one):.2f} s, three replicas best {min(three):.2f} s, "
        f"ratio {ratio:.2f} (target <= {TARGET}); ideal {ideal:.1f} s"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
