"""A scheduled send survives the console: real `streamlit run console.py` processes, killed with
SIGKILL before and after the due time, and no browser at all. Every due batch reaches the
sandbox (the console's "live pod" here) exactly once."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from components.core.states import BatchState
from components.journal import Journal
from tests.console_process import StreamlitApp
from tests.sending_support import batches
from tests.waiting import wait_until

pytestmark = [pytest.mark.processes, pytest.mark.usefixtures("fresh_tokens")]


def live_console(tmp: Path, sandbox) -> StreamlitApp:
    """The console with credentials for the test's sandbox (live mode, local mode sign-in)."""
    return StreamlitApp(
        tmp,
        extra_env={
            "ACOUSTIC_BASE_URL": sandbox.url,
            "ACOUSTIC_CLIENT_ID": sandbox.config.client_id,
            "ACOUSTIC_CLIENT_SECRET": sandbox.config.client_secret,
            "ACOUSTIC_REFRESH_TOKEN": sandbox.config.refresh_token,
        },
        script="console.py",
    )


def scheduled(journal: Journal, base_url: str, due: float, count: int, tag: str) -> int:
    """A send journaled as Compose schedules it: every batch held until `due`."""
    record = journal.create_send(
        kind="bulk",
        mode="pod",
        base_url=base_url,
        program="12345",
        content=tag,
        payloads=batches(count, tag=tag),
        not_before=[due] * count,
        schedule="at",
        scheduled_by="local user",
        created_by="local user",
    )
    return record.id


def posts(sandbox) -> Counter[str]:
    return Counter(p["content"] for p in sandbox.sent_payloads())


def kill(app: StreamlitApp) -> None:
    app.process.kill()  # SIGKILL: no shutdown of any kind
    app.process.wait(timeout=10)
    app._log_file.close()


def test_due_batches_go_out_once_across_kills_and_restarts(sandbox, tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    # Killed before its time: the next process, started after it, sends it.
    first = live_console(tmp_path, sandbox)
    first.wait_ready()
    early = scheduled(journal, sandbox.url, time.time() + 4, 3, "early")
    time.sleep(1)
    kill(first)
    assert posts(sandbox) == Counter()
    time.sleep(4)  # the due time passes while no console runs
    second = live_console(tmp_path, sandbox)
    second.wait_ready()
    try:
        # Nobody opens a page: the scheduler started with the server.
        wait_until(lambda: sum(posts(sandbox).values()) == 3, timeout=60, every=0.2)
        wait_until(lambda: all(b.state.final for b in journal.batches(early)), timeout=60)
        # One more due while this process runs; then it is killed after sending it.
        late = scheduled(journal, sandbox.url, time.time() + 2, 2, "late")
        wait_until(lambda: all(b.state.final for b in journal.batches(late)), timeout=60)
    finally:
        kill(second)
    third = live_console(tmp_path, sandbox)
    third.wait_ready()
    time.sleep(3)  # a few turns of the third scheduler: nothing is due any more
    third.stop()
    assert posts(sandbox) == Counter(
        {
            "Batch 0 early": 1,
            "Batch 1 early": 1,
            "Batch 2 early": 1,
            "Batch 0 late": 1,
            "Batch 1 late": 1,
        }
    )
    for send_id in (early, late):
        assert {b.state for b in journal.batches(send_id)} == {BatchState.ACCEPTED}
