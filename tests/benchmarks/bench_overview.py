"""The Overview and one number's story on a large journal of followed outcomes, on SQLite (and
PostgreSQL with --postgresql): `--rows` recipients' outcomes over 90 days (default 1,000,000;
the issue's figure is 10,000,000), in sends of 1,000.

    .venv/bin/python tests/benchmarks/bench_overview.py [--rows N] [--postgresql]

Targets (issue "Outcomes without looking"): the Overview of 90 days under 1 s, History's first
page and one number's story under 300 ms each. The baseline printed beside each figure is the
same call on a journal of 1,000 outcomes, measured in the same run. Exits 1 when a target is
missed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from components.core.phone_regions import country_of  # noqa: E402
from components.journal import Journal  # noqa: E402
from components.journal.tables import batches, outcomes, sends  # noqa: E402
from components.status import number_story, overview  # noqa: E402
from components.status.history import sends_table  # noqa: E402
from tests.postgres_server import postgres_server  # noqa: E402

DAY = 86400.0
SEND_SIZE = 1000
TARGETS = {"Overview, 90 days": 1.0, "History, first page": 0.3, "One number's story": 0.3}
MESSAGES = ["Message blocked by the carrier.", "Invalid phone number.", None]
_rng = random.Random(11)
COUNTRIES = [  # mostly North America, some Europe: the countries a breakdown shows
    *[lambda: f"1{_rng.randrange(2000000000, 9999999999)}"] * 8,
    lambda: f"447{_rng.randrange(100000000, 999999999)}",
    lambda: f"4915{_rng.randrange(100000000, 999999999)}",
]


def fill(journal: Journal, rows: int, now: float, seed: int = 7) -> str:
    """`rows` outcomes in sends of SEND_SIZE spread over 90 days; returns a number that has
    several SMS (the story's subject)."""
    rng = random.Random(seed)
    subject = "19495001234"
    with journal.engine.begin() as conn:
        for number in range(max(rows // SEND_SIZE, 1)):
            at = now - rng.random() * 90 * DAY
            mode = "pod" if number % 3 else "sandbox"
            send_id = conn.execute(
                sa.insert(sends)
                .values(
                    fingerprint=f"f{number}",
                    kind="bulk",
                    mode=mode,
                    base_url="http://x",
                    program=f"P{number % 5}",
                    content="Hi %%FIRST NAME%%",
                    defaults_json="{}",
                    created_by=f"user{number % 7}@example.com",
                    created_at=at,
                    recipients=SEND_SIZE,
                    segments=SEND_SIZE,
                )
                .returning(sends.c.id)
            ).scalar_one()
            phones = [rng.choice(COUNTRIES)() for _ in range(SEND_SIZE)]
            if number % 50 == 0:
                phones[0] = subject
            payload = {
                "channelQualifier": f"P{number % 5}",
                "content": "Hi %%FIRST NAME%%",
                "contacts": [{"phoneNumber": p} for p in phones],
            }
            batch_id = conn.execute(
                sa.insert(batches)
                .values(
                    send_id=send_id,
                    idx=0,
                    state="accepted",
                    contacts=SEND_SIZE,
                    payload_json=json.dumps(payload),
                    attempts=1,
                    updated_at=at,
                    transaction_id=f"tx-{number}",
                )
                .returning(batches.c.id)
            ).scalar_one()
            states = rng.choices(["sent", "failed", "pending"], weights=[90, 8, 2], k=SEND_SIZE)
            conn.execute(
                sa.insert(outcomes),
                [
                    {
                        "batch_id": batch_id,
                        "phone_number": phone,
                        "send_id": send_id,
                        "sent_at": at,
                        "mode": mode,
                        "program": f"P{number % 5}",
                        "template_name": None,
                        "created_by": f"user{number % 7}@example.com",
                        "state": state,
                        "message": rng.choice(MESSAGES) if state == "failed" else None,
                        "updated_at": at,
                        "country": country_of(phone),
                    }
                    for phone, state in zip(dict.fromkeys(phones), states, strict=False)
                ],
            )
        # The counts the journal keeps with every change of an outcome, built in one statement.
        conn.execute(
            sa.text(
                "INSERT INTO outcome_hours SELECT CAST(FLOOR(sent_at / 3600) AS INTEGER), mode, "
                "program, COALESCE(template_name, ''), COALESCE(created_by, ''), country, state, "
                "COALESCE(message, ''), COUNT(*) FROM outcomes GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO send_outcomes SELECT send_id, state, COUNT(*) FROM outcomes "
                "GROUP BY send_id, state"
            )
        )
    return subject


def timed(call, repeat: int = 5) -> float:
    call()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def history_first_page(journal: Journal) -> object:
    """What History computes before it draws: the newest sends and their outcomes."""
    listed = journal.list_sends()
    return sends_table(listed, (), UTC, journal.outcome_totals([s.id for s in listed]))


def measure(where: str, rows: int) -> dict[str, float]:
    journal = Journal(where)
    now = time.time()
    started = time.perf_counter()
    subject = fill(journal, rows, now)
    print(f"  built {rows:,} outcomes in {time.perf_counter() - started:.0f} s", flush=True)
    until = datetime.fromtimestamp(now, UTC) + timedelta(hours=1)
    since = until - timedelta(days=91)
    counted = overview(journal, since=since, until=until).recipients
    with journal.engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(outcomes)).scalar_one()
    if counted != stored:
        raise SystemExit(f"the Overview counts {counted:,} of {stored:,} outcomes")
    figures = {
        "Overview, 90 days": timed(lambda: overview(journal, since=since, until=until)),
        "History, first page": timed(lambda: history_first_page(journal)),
        "One number's story": timed(lambda: number_story(journal, "+" + subject)),
    }
    journal.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgresql", action="store_true", help="also on a throwaway server")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.postgresql else [])
    missed = []
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "sqlite":
                large, small = f"{tmp}/large.sqlite3", f"{tmp}/small.sqlite3"
                print(f"{backend}:")
                base = measure(small, SEND_SIZE)
                result = measure(large, args.rows)
            else:
                with postgres_server() as server:
                    print(f"{backend}:")
                    with server.database() as small:
                        base = measure(small, SEND_SIZE)
                    with server.database() as large:
                        result = measure(large, args.rows)
        for name, seconds in result.items():
            target = TARGETS[name]
            ok = seconds <= target
            missed += [] if ok else [f"{backend}: {name}"]
            print(
                f"  {name:<22} {seconds * 1000:8.0f} ms  (1,000 outcomes: {base[name] * 1000:.0f} "
                f"ms, ×{seconds / max(base[name], 1e-9):.0f})  target {target * 1000:.0f} ms  "
                f"{'PASS' if ok else 'FAIL'}"
            )
    print("all targets met" if not missed else f"MISSED: {'; '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
