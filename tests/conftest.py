"""Shared fixtures: one sandbox server for the session, reset for every test that uses it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

import pytest
import time_machine
from streamlit.runtime.media_file_manager import MediaFileManager

from components.acoustic import clear_gates, clear_token_caches
from components.core.connection import ENVIRONMENT_VARIABLES
from components.journal import Journal
from components.sandbox import SandboxConfig, SandboxServer
from components.sending.worker import SendWorker
from components.team.approval_rules import ApprovalRule
from tests.postgres_server import PostgresServer, postgres_server
from tests.sending_support import worker_on
from tests.waiting import wait_until


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer(SandboxConfig()).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxServer]:
    """The session's sandbox, emptied and tuned for fast tests (short processing delays)."""
    defaults = SandboxConfig()
    sandbox_server.configure(**{f.name: getattr(defaults, f.name) for f in fields(defaults)})
    sandbox_server.configure(status_delay=0.2, delivery_seconds=0.5)
    _drain(sandbox_server)
    sandbox_server.reset()
    clear_gates()  # an earlier test's concurrency refusals must not narrow this one's gate
    yield sandbox_server
    sandbox_server.configure(**{f.name: getattr(defaults, f.name) for f in fields(defaults)})
    sandbox_server.reset()


def _drain(server: SandboxServer, timeout: float = 10.0) -> None:
    """Waits for answers an earlier test left in flight (a slow answer outlives its client)."""
    with contextlib.suppress(AssertionError):  # the test that follows says so if it matters
        wait_until(lambda: not server.stats()["in_flight"], timeout=timeout, what="a quiet sandbox")


@pytest.fixture
def fresh_tokens() -> Iterator[None]:
    """No access token cached before or after the test, in any client of the process."""
    clear_token_caches()
    yield
    clear_token_caches()


# Today at 18:30 UTC: inside the default allowed hours (08:00 to 21:00) from Hawaii to Eastern
# Europe, where the pages' test numbers are, whenever the suite runs; a test of quiet hours
# travels on from here. Within a day of the real time (SQLite's own clock reads expiries).
DAYTIME = datetime.combine(datetime.now(UTC).date(), clock_time(18, 30), tzinfo=UTC)


@pytest.fixture
def app_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No Acoustic credentials (sandbox mode), a journal of the test's own, and a clock at
    daytime for the test numbers (the confirmation asks about quiet hours otherwise)."""
    for variable in ENVIRONMENT_VARIABLES.values():
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SMS_CONSOLE_DATA_DIR", str(tmp_path))
    # The app's built-in sandbox (one per test process) settles a status in about a second.
    monkeypatch.setenv("SMS_CONSOLE_SANDBOX_STATUS_DELAY", "0.3")
    monkeypatch.setenv("SMS_CONSOLE_SANDBOX_DELIVERY_SECONDS", "1.0")
    clear_token_caches()
    clear_gates()
    with time_machine.travel(DAYTIME, tick=True):
        yield tmp_path


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], object]]:
    """The data of each deferred download button an AppTest run draws, by the button's key:
    calling it is what a click on the button does. AppTest (Streamlit 1.67) lists download
    buttons but cannot fetch what they serve: a deferred download's callable is only ever called
    by the server's media handler, and AppTest's media manager goes with each run (streamlit
    issue #9003 asks for it). So the one public seam, MediaFileManager.add_deferred, is wrapped."""
    captured: dict[str, Callable[[], object]] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, element_id: str = "", **kwargs):
        captured[element_id.rsplit("-", 1)[-1]] = data_callable
        return original(self, data_callable, *args, element_id=element_id, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return captured


STORAGE = "storage"  # the marker of the journal's storage contract: both backends


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test of the journal's storage contract (marked `storage`) runs on SQLite and again on
    PostgreSQL; the services above the journal run on SQLite alone: they call the same journal,
    and the contract's own tests say the backends behave the same."""
    if "journal_location" in metafunc.fixturenames:
        storage = metafunc.definition.get_closest_marker(STORAGE) is not None
        backends = ["sqlite", "postgresql"] if storage else ["sqlite"]
        metafunc.parametrize("journal_location", backends, indirect=True)


@pytest.fixture
def journal_location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a test's own journal is: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "journal.sqlite3"
    return str(request.getfixturevalue("postgres_journal_url"))


@pytest.fixture
def journal(journal_location: Path | str) -> Iterator[Journal]:
    """A journal of the test's own (on each backend in turn for the storage contract)."""
    journal = Journal(journal_location)
    yield journal
    journal.close()


@pytest.fixture
def worker(journal: Journal) -> Iterator[SendWorker]:
    """A send worker on a journal of the test's own, with the default approval rule and allowed
    hours all day long."""
    worker = worker_on(journal, approval_rule=ApprovalRule())
    yield worker
    worker.shutdown()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the session (tests/postgres_server.py)."""
    with postgres_server() as server:
        yield server


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database of this test's own."""
    with postgres.database() as url:
        yield url


def _migrated(url: str) -> None:
    Journal(url).close()


@pytest.fixture
def postgres_journal_url(postgres: PostgresServer) -> Iterator[str]:
    """A fresh PostgreSQL database with the journal's tables already made (a copy of one
    migrated once per session)."""
    with postgres.database(template=postgres.template("journal_template", _migrated)) as url:
        yield url
