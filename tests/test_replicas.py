"""Three console replicas (real `streamlit run console.py` processes) on one PostgreSQL journal and
one sandbox answering after 100 ms: the organisation's 10 places are shared, every batch goes out
once, and a replica killed mid-send has its send finished by another."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from components.core.states import BatchState, Cause
from components.journal import Journal
from tests.replicas_support import replicas, schedule_sends, wait_until_sent
from tests.test_schedule_restart import kill
from tests.waiting import wait_until

pytestmark = [pytest.mark.processes, pytest.mark.usefixtures("fresh_tokens")]


def _posted(sandbox) -> Counter[str]:
    """Each batch the sandbox accepted, by its content and first number."""
    return Counter(
        f"{p['content']}|{p['contacts'][0]['phoneNumber']}" for p in sandbox.sent_payloads()
    )


def test_three_replicas_share_ten_places_and_send_every_batch_once(
    sandbox, postgres_journal_url, tmp_path
):
    sandbox.configure(latency=0.1)
    journal = Journal(postgres_journal_url)
    with replicas(tmp_path, sandbox, postgres_journal_url, 3):
        ids = schedule_sends(journal, sandbox.url, time.time() + 2, 20, 5000, "shared")
        wait_until_sent(journal, ids)
    stats = sandbox.stats()
    assert stats["peak_in_flight"] <= 10
    assert stats["concurrency_rejections"] == 0
    assert stats["accepted_sends"] == 100 and max(_posted(sandbox).values()) == 1
    batches = [b for send_id in ids for b in journal.batches(send_id)]
    assert {b.state for b in batches} == {BatchState.ACCEPTED}
    owners = Counter(b.owner for b in batches)
    assert len(owners) >= 2, f"the sends were not spread over the replicas: {owners}"


def test_a_replica_killed_mid_send_has_its_send_finished_by_another(
    sandbox, postgres_journal_url, tmp_path
):
    sandbox.configure(latency=0.5)
    journal = Journal(postgres_journal_url)
    with replicas(
        tmp_path, sandbox, postgres_journal_url, 2, SMS_CONSOLE_LEASE_SECONDS="3"
    ) as apps:
        (send_id,) = schedule_sends(journal, sandbox.url, time.time() + 1, 1, 40_000, "killed")

        running: list[str] = []

        def mid_send() -> bool:
            """Five batches accepted, and the lease's holder has the ones in flight (a replica
            starved of CPU for 3 s loses the lease; what it still has in flight is not the
            runner's, and it claims nothing more)."""
            holders = set(journal.live_leases().values())
            now = journal.batches(send_id)
            sending = {b.owner for b in now if b.state is BatchState.IN_FLIGHT}
            accepted = sum(b.state is BatchState.ACCEPTED for b in now)
            if accepted < 5 or not sending or len(holders) != 1 or sending != holders:
                return False
            # From now on each answer takes 4 s: the runner still has batches in flight when the
            # kill lands, however long a busy machine takes to get there.
            sandbox.configure(latency=4)
            running.extend(holders)
            return True

        wait_until(mid_send, timeout=60, what="a replica to be mid-send")
        (runner,) = running
        victim = next(app for app in apps if f":{app.process.pid}:" in runner)
        kill(victim)
        sandbox.configure(latency=0.3)
        wait_until_sent(journal, [send_id], timeout=90)
    final = journal.batches(send_id)
    # What the dead replica had in flight is unknown (it may have gone out), and nothing else:
    # the survivor took the send over as soon as it saw the replica's process gone.
    cut_off = [b for b in final if b.state is BatchState.UNKNOWN]
    assert cut_off and all(b.cause is Cause.INTERRUPTED and b.owner == runner for b in cut_off)
    assert all(b.state is BatchState.ACCEPTED for b in final if b not in cut_off)
    assert max(_posted(sandbox).values()) == 1  # the sandbox saw no batch twice
    survivors = {b.owner for b in final if b.state is BatchState.ACCEPTED} - {runner}
    assert survivors, "no other replica finished the send"
