"""Sending while the console follows outcomes: 100 batches of 1000 recipients sent through
`send_payloads` while 1,000 accepted transactions are being followed by the same connection (its
gate, the organisation's 10 places), against a sandbox that answers every request after 100 ms.

    .venv/bin/python tests/benchmarks/bench_follow.py      (or: make bench)

Target (issue "Outcomes without looking"): at most 1.05 x the time of the ideal client measured
in the same run (bench_sending.py's: bodies encoded beforehand, 10 threads, one httpx.Client).
The follower runs as the console's scheduler runs it (a round a second, every transaction due
again after each round; `--busiest`: rounds back to back). It keeps out of a send's burst
(components/status/follow.py: no look-up within 2 s of a send's request, none while fewer than 5
places are free), so what a send can lose is one look-up in flight as it starts (up to 100 ms
here, one place of ten). The same send without the follower is measured too; the clients take
turns, several rounds, best of each compared. Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.acoustic import (  # noqa: E402
    AcousticClient,
    clear_token_caches,
    encode_payload,
)
from components.core.states import BatchState  # noqa: E402
from components.journal import Journal  # noqa: E402
from components.journal.tables import follows  # noqa: E402
from components.sending import send_payloads  # noqa: E402
from components.status.follow import follow_due  # noqa: E402
from tests.apptest_support import journaled_send  # noqa: E402
from tests.benchmarks.bench_sending import (  # noqa: E402
    BATCHES,
    IN_FLIGHT,
    LATENCY,
    fresh_token,
    ideal_client,
    payloads,
    start_sandbox,
)

FOLLOWED, ROUNDS, TARGET = 1_000, 7, 1.05
SCHEDULER_POLL = 1.0  # components/sending/scheduler.py: a round of follow-ups a second


def followed_journal(client: AcousticClient, url: str, folder: str) -> Journal:
    """A journal with FOLLOWED accepted batches, each a real transaction of the sandbox."""
    journal = Journal(Path(folder) / "journal.sqlite3")
    small = [
        {
            "channelQualifier": "12345",
            "content": "Hi",
            "contacts": [{"phoneNumber": f"1949{n:07d}"}],
        }
        for n in range(FOLLOWED)
    ]
    results = send_payloads(client, small, max_in_flight=IN_FLIGHT)
    record = journaled_send(journal, small, base_url=url)
    for batch, result in zip(journal.batches(record.id), results, strict=True):
        journal.claim_batch(batch.id, "bench")
        journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id=result.transaction_id)
    return journal


class BusyFollower:
    """The follower in a thread, as the console's scheduler runs it (a round every `poll`
    seconds; 0: round after round), with every transaction due again after each round."""

    def __init__(self, journal: Journal, client: AcousticClient, poll: float) -> None:
        self.journal, self.client, self.poll = journal, client, poll
        self.asked = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self.journal.engine.begin() as conn:
                conn.execute(sa.update(follows).values(next_at=0.0, owner=None, claimed_until=None))
            self.asked += follow_due(self.journal, self.client, mode="sandbox", owner="bench")
            self._stop.wait(self.poll)

    def __enter__(self) -> BusyFollower:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--busiest", action="store_true", help="follow-up rounds back to back (no 1 s pause)"
    )
    poll = 0.0 if parser.parse_args().busiest else SCHEDULER_POLL
    process, url = start_sandbox()
    folder = tempfile.TemporaryDirectory()
    try:
        batches = payloads()
        ideal = ideal_client(url, [encode_payload(body).body for body in batches])
        client = AcousticClient(url, "sandbox-client", "sandbox-secret", "sandbox-refresh")
        fresh_token(url)
        journal = followed_journal(client, url, folder.name)

        def ours() -> float:
            fresh_token(url)  # the sandbox's counts start again (and it forgets its tokens)
            clear_token_caches()
            client.token_info()  # the token is fetched once per process, not per send
            started = time.perf_counter()
            results = send_payloads(client, batches, max_in_flight=IN_FLIGHT)
            elapsed = time.perf_counter() - started
            assert all(r.state == "accepted" for r in results), results[:3]
            return elapsed

        times: dict[str, list[float]] = {"ideal": [], "alone": [], "following": []}
        phases = random.Random(5)
        asked: list[int] = []
        ideal(), ours()  # warm-up
        for _ in range(ROUNDS):
            times["ideal"].append(ideal())
            times["alone"].append(ours())
            with BusyFollower(journal, client, poll) as follower:
                # The send starts while the follower is at work (after the 2 s it keeps out of
                # the send before), at a random moment of its round: a look-up in flight as the
                # send starts costs the send one place for as long as it takes.
                deadline = time.monotonic() + 10
                while follower.asked < 1 and time.monotonic() < deadline:
                    time.sleep(0.01)
                time.sleep(phases.uniform(0, max(poll, 0.3)))
                before = follower.asked
                times["following"].append(ours())
                asked.append(follower.asked - before)
            posts = httpx.get(f"{url}/_sandbox/stats").json()
            assert posts["peak_in_flight"] <= IN_FLIGHT, posts
        best = {name: min(values) for name, values in times.items()}
        ratio = best["following"] / best["ideal"]
        median_ratio = statistics.median(times["following"]) / statistics.median(times["ideal"])
        print(
            f"send {BATCHES} batches (server answers after {LATENCY * 1000:.0f} ms) while "
            f"{FOLLOWED:,} transactions are followed, best of {ROUNDS} (median):\n"
            f"  ideal client {best['ideal']:.3f} s ({statistics.median(times['ideal']):.3f} s)\n"
            f"  send_payloads alone {best['alone']:.3f} s "
            f"({statistics.median(times['alone']):.3f} s) -> "
            f"{best['alone'] / best['ideal']:.3f} x the ideal client\n"
            f"  send_payloads while following {best['following']:.3f} s "
            f"({statistics.median(times['following']):.3f} s) -> {ratio:.3f} x the ideal client, "
            f"{best['following'] / best['alone']:.3f} x alone   [target <= {TARGET:.2f}]; "
            f"medians {median_ratio:.3f} x the ideal client\n"
            f"  look-ups the follower made during each send (it began mid-round): {asked}"
        )
        ok = ratio <= TARGET
        print("target met" if ok else "MISSED")
        journal.close()
        return 0 if ok else 1
    finally:
        folder.cleanup()
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
