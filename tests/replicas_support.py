"""Several console replicas (real `streamlit run console.py` processes) on one PostgreSQL journal
and one sandbox, as compose.yaml deploys them: the test of issue 12 and its benchmark use it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from components.core.states import BatchState
from components.journal import Journal
from tests.console_process import StreamlitApp
from tests.waiting import wait_until

RECIPIENTS_PER_BATCH = 1000


def replica(tmp: Path, sandbox, database_url: str, **env: str) -> StreamlitApp:
    """One replica: live mode against the sandbox (its credentials), the shared database."""
    return StreamlitApp(
        tmp,
        extra_env={
            "ACOUSTIC_BASE_URL": sandbox.url,
            "ACOUSTIC_CLIENT_ID": sandbox.config.client_id,
            "ACOUSTIC_CLIENT_SECRET": sandbox.config.client_secret,
            "ACOUSTIC_REFRESH_TOKEN": sandbox.config.refresh_token,
            "SMS_CONSOLE_DATABASE_URL": database_url,
            **env,
        },
        script="console.py",
    )


@contextmanager
def replicas(
    tmp: Path, sandbox, database_url: str, count: int, **env: str
) -> Iterator[list[StreamlitApp]]:
    """`count` replicas started and healthy (/_stcore/health), stopped afterwards."""
    with ExitStack() as stack:
        apps = []
        for number in range(count):
            folder = tmp / f"replica-{number}"
            folder.mkdir(parents=True, exist_ok=True)
            app = replica(folder, sandbox, database_url, **env)
            stack.callback(app.stop)
            apps.append(app)
        for app in apps:
            app.wait_ready()
        yield apps


def payloads(send: int, recipients: int, tag: str) -> list[dict]:
    """A send's request bodies, as Compose builds them, in batches of 1,000."""
    numbers = [f"1949{send:03d}{n:04d}" for n in range(recipients)]
    return [
        {
            "channelQualifier": "12345",
            "content": f"{tag} send {send}",
            "contacts": [{"phoneNumber": n} for n in numbers[i : i + RECIPIENTS_PER_BATCH]],
        }
        for i in range(0, recipients, RECIPIENTS_PER_BATCH)
    ]


def schedule_sends(
    journal: Journal, base_url: str, due: float, sends: int, recipients: int, tag: str
) -> list[int]:
    """Sends journaled as Compose schedules them (every batch held until `due`): whichever
    replica's scheduler sees one due first starts it."""
    ids = []
    for send in range(sends):
        bodies = payloads(send, recipients, tag)
        ids.append(
            journal.create_send(
                kind="bulk",
                mode="pod",
                base_url=base_url,
                program="12345",
                content=bodies[0]["content"],
                payloads=bodies,
                not_before=[due] * len(bodies),
                schedule="at",
                scheduled_by="local user",
                created_by="local user",
            ).id
        )
    return ids


def wait_until_sent(journal: Journal, send_ids: list[int], timeout: float = 120.0) -> float:
    """Waits until every batch of the sends has a final state; returns when (monotonic)."""

    def finished() -> bool:
        records = [journal.get_send(send_id) for send_id in send_ids]
        return all(
            not r.batch_states.get(BatchState.PLANNED)
            and not r.batch_states.get(BatchState.IN_FLIGHT)
            for r in records
        )

    wait_until(finished, timeout=timeout, every=0.05, what="the sends to finish")
    return time.monotonic()
