"""Status speed: the table, failure groups and figures for a send of 100,000 contacts from its
status answers, against a naive row-by-row baseline measured in the same run; and a rerun of the
Status page with that send open.

    .venv/bin/python tests/benchmarks/bench_status.py      (or: make bench)

Targets (issue "Status"): under 1 s to build; page rerun under 500 ms of script time.
Exits 1 when one is missed.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import phonenumbers  # noqa: E402

from components.acoustic import ContactStatus, SendStatus  # noqa: E402
from components.core.states import BatchState, Verdict  # noqa: E402
from components.journal import Journal  # noqa: E402
from components.status import charts  # noqa: E402
from components.status.insights import (  # noqa: E402
    build_table,
    classify_reason,
    contacts_frame,
    failure_groups,
    kpis,
    status_frame,
)
from components.status.lookups import Lookup  # noqa: E402

BATCHES, SIZE = 100, 1000
MESSAGES = [
    None,
    None,
    None,
    None,
    "Invalid phone number.",
    "Message blocked by the carrier.",
    "Unable to deliver: the handset is unreachable or switched off.",
]
AREAS = ["949", "212", "416", "604", "415"]


def dataset(seed: int = 7) -> tuple[list, dict]:
    rng = random.Random(seed)
    payloads, answers = [], {}
    for batch in range(BATCHES):
        contacts, statuses = [], []
        for index in range(SIZE):
            number = (
                f"1{rng.choice(AREAS)}{rng.randint(2000000, 9999999)}"
                if rng.random() < 0.8
                else f"447911{rng.randint(100000, 999999)}"
            )
            contacts.append(
                {"phoneNumber": number, "personalization": {"NAME": "Ann", "PIN": f"{index:04d}"}}
            )
            if rng.random() < 0.95:  # 5% still pending
                message = rng.choice(MESSAGES)
                statuses.append(
                    {"phoneNumber": number, "smsSent": message is None, "message": message}
                )
        transaction = f"tx-{batch:03d}"
        payloads.append((batch + 1, transaction, {"contacts": contacts}))
        answers[transaction] = statuses
    return payloads, answers


def ours(payloads: list, answers: dict) -> int:
    table = build_table(contacts_frame(payloads), status_frame(answers))
    groups = failure_groups(table)
    figures = kpis(table)
    for figure in (
        charts.outcome_donut(figures.sent, figures.failed, figures.pending),
        charts.failures_by_reason(groups),
        charts.failures_by_country(table),
        charts.outcome_by_batch(table),
    ):
        figure.to_dict()
    return len(table)


def naive(payloads: list, answers: dict) -> int:
    """Row by row: dictionaries, phonenumbers for the country, a Python loop for the groups."""
    rows = []
    for batch, transaction, payload in payloads:
        seen = {s["phoneNumber"]: s for s in answers[transaction]}
        for contact in payload["contacts"]:
            status = seen.get(contact["phoneNumber"])
            number = phonenumbers.parse("+" + contact["phoneNumber"])
            country = phonenumbers.region_code_for_number(number)
            if status is None:
                state, message = "pending", ""
            else:
                state = "sent" if status["smsSent"] else "failed"
                message = status["message"] or ""
            rows.append(
                {
                    "phoneNumber": contact["phoneNumber"],
                    "country": country,
                    "state": state,
                    "reason": classify_reason(message).label if state == "failed" else "",
                    "batch": batch,
                    **contact["personalization"],
                }
            )
    groups: dict[str, int] = {}
    for row in rows:
        if row["state"] == "failed":
            groups[row["reason"]] = groups.get(row["reason"], 0) + 1
    return len(rows)


def bench_page(payloads: list, answers: dict) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    folder = tempfile.mkdtemp()
    os.environ["SMS_CONSOLE_DATA_DIR"] = folder
    journal = Journal(Path(folder) / "journal.sqlite3")
    record = journal.create_send(
        kind="bulk",
        mode="sandbox",
        base_url="http://127.0.0.1:1",
        program="12345",
        content="x",
        payloads=[p for _, _, p in payloads],
    )
    lookups = {}
    now = time.time()
    for batch, (_, transaction, _) in zip(journal.batches(record.id), payloads, strict=True):
        journal.claim_batch(batch.id, "bench")
        journal.finish_batch(batch.id, BatchState.ACCEPTED, transaction_id=transaction)
        contacts = [
            ContactStatus(s["phoneNumber"], s["smsSent"], s["message"])
            for s in answers[transaction]
        ]
        status = SendStatus(transaction, True, SIZE, len(contacts), contacts)
        lookups[transaction] = Lookup(transaction, Verdict.PROCESSING, "", now, status, record.id)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["status.ids"] = list(lookups)
    at.session_state["status.lookups"] = lookups
    at.session_state["status.next_check"] = time.time() + 3600
    at.switch_page("pages/status.py")
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    assert not at.exception, at.exception
    reruns = []
    for _ in range(5):
        at.session_state["status.next_check"] = time.time() + 3600
        started = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - started)
    assert not at.exception, at.exception
    return {"first": first, "rerun": min(reruns), "rerun_median": statistics.median(reruns)}


def main() -> int:
    payloads, answers = dataset()
    started = time.perf_counter()
    naive(payloads, answers)
    baseline = time.perf_counter() - started
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        count = ours(payloads, answers)
        runs.append(time.perf_counter() - started)
    best = min(runs)
    print(
        f"status table + groups + figures for {count:,} contacts: naive {baseline:.2f} s, ours "
        f"{best:.3f} s (median {statistics.median(runs):.3f} s), ratio {best / baseline:.3f}"
        "   [target: < 1 s]"
    )
    page = bench_page(payloads, answers)
    print(
        f"Status page with that send open: first run {page['first'] * 1000:.0f} ms, rerun "
        f"{page['rerun'] * 1000:.0f} ms (median {page['rerun_median'] * 1000:.0f} ms)"
        "   [target: rerun < 500 ms]"
    )
    ok = best < 1.0 and page["rerun"] < 0.5
    print("targets met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
