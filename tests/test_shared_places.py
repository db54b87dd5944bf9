"""The organisation's in-flight places: shared by every process through PostgreSQL advisory locks,
given back when a process dies, and narrowed (AIMD) when Acoustic refuses for concurrency anyway."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading

import psycopg
import pytest

from components.acoustic import (
    AcousticClient,
    InFlightGate,
    PlacesUnavailableError,
    SharedPlaces,
    organisation_gate,
)
from components.acoustic.narrowing import AdaptiveWidth
from components.acoustic.shared_places import organisation_key
from components.core.connection import console_client, places_database
from components.core.database_url import DATABASE_URL, DatabaseURLError
from components.core.settings import MAX_IN_FLIGHT
from components.core.states import BatchState, Cause
from components.sending import send_payloads
from tests.console_process import ROOT
from tests.sending_support import FAST_RETRY, batches, client_for, received


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_refusal_halves_the_width_once_per_burst_and_calm_widens_it_place_by_place():
    clock = FakeClock()
    width = AdaptiveWidth(10, calm_seconds=2.0, clock=clock)
    assert width.narrowing() is None
    width.refused()
    width.refused()  # the same burst: halved once
    assert width.width == 5
    narrowing = width.narrowing()
    assert narrowing is not None and (narrowing.width, narrowing.limit) == (5, 10)
    assert narrowing.refusals == 2
    assert "sends 5 at a time instead of 10" in narrowing.explanation()
    clock.now = 2.5
    width.refused()  # a refusal after the calm period halves again
    assert width.width == 2
    for _ in range(5):
        width.answered()
    assert width.width == 2  # not calm long enough yet
    clock.now = 5.0
    assert width.answered() is True  # calm, and `width` answers since the last change
    assert width.width == 3
    assert width.answered() is False  # the next place needs calm and 3 answers again
    for step in range(1, 20):
        clock.now = 5.0 + 2.0 * step
        for _ in range(10):
            width.answered()
    assert width.width == 10 and width.narrowing() is None
    width.lower_to(4)
    assert (width.limit, width.width) == (4, 4)
    width.refused()
    assert width.width == 2
    width.refused()
    assert width.width == 2  # once per calm period
    one = AdaptiveWidth(1, clock=clock)
    one.refused()
    assert one.width == 1  # never below one place


def test_a_gate_narrows_when_acoustic_refuses_for_concurrency_and_every_batch_still_goes(sandbox):
    """Other systems of the organisation hold 6 of its 10 places: the sandbox takes 4 at once."""
    sandbox.configure(latency=0.05, max_concurrent=4)
    with client_for(sandbox) as client:
        client.token_info()
        results = send_payloads(client, batches(40))
        narrowing = client.gate.narrowing()
    assert all(r.state is BatchState.ACCEPTED for r in results)
    assert narrowing is not None and narrowing.width <= 5 and narrowing.refusals >= 1
    stats = sandbox.stats()
    assert stats["send_posts"] - stats["concurrency_rejections"] == 40
    assert len(set(received(sandbox))) == 40


def test_places_in_one_database_are_shared_by_gates_and_given_back_when_a_session_ends(
    postgres_url,
):
    libpq = postgres_url
    first = SharedPlaces(libpq, "org", limit=3)
    second = SharedPlaces(libpq, "org", limit=3, longest_pause=0.01)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with first.slot(), first.slot(), first.slot():
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(10)
    with psycopg.connect(libpq) as probe:
        locks = probe.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid::int = %s",
            (organisation_key("org"),),
        ).fetchone()[0]
    assert locks == 3  # one lock per place taken, not one per place tried
    # What the follower reads before it asks: no place is free, from either process.
    assert second.free_places() == 0 and first.free_places() == 0
    taken = threading.Event()

    def take() -> None:
        with second.slot():
            taken.set()

    taker = threading.Thread(target=take)
    taker.start()
    assert not taken.wait(0.5)  # all three places are held by the other gate
    first.close()  # its session ends: the server gives its places back
    assert taken.wait(10)
    release.set()
    holder.join(10)
    taker.join(10)
    assert second.free_places() == 3  # every place given back
    other = SharedPlaces(libpq, "another org", limit=1)
    with other.slot():  # another organisation's places are its own
        pass
    for gate in (first, second, other):
        gate.close()


def test_an_unreachable_database_fails_the_batch_before_it_is_sent(sandbox):
    dead = "postgresql://console:s3cret-pw@127.0.0.1:9/journal"
    places = SharedPlaces(dead, "org", unreachable_after=0.3)
    with pytest.raises(PlacesUnavailableError) as raised, places.slot():
        pytest.fail("a place without a database")
    message = str(raised.value)
    assert "127.0.0.1:9/journal" in message and "Nothing was sent" in message
    assert "s3cret-pw" not in message
    with AcousticClient(
        sandbox.url,
        "sandbox-client",
        "sandbox-secret",
        "sandbox-refresh",
        retry=FAST_RETRY,
        places_database=dead,
    ) as client:
        client.gate.unreachable_after = 0.3  # type: ignore[attr-defined]
        results = send_payloads(client, batches(2))
    assert [r.state for r in results] == [BatchState.REJECTED] * 2
    assert {r.cause for r in results} == {Cause.NO_PLACE}
    assert sandbox.stats()["send_posts"] == 0


def test_the_consoles_configuration_names_the_places_database(postgres_url):
    assert places_database({}) == ""
    assert places_database({DATABASE_URL: "sqlite:///tmp/journal.sqlite3"}) == ""
    pg = postgres_url.replace("postgresql://", "postgresql+psycopg://")
    assert places_database({DATABASE_URL: pg}) == postgres_url
    assert places_database({}, {"database_url": pg}) == postgres_url  # [console] database_url
    environ = {DATABASE_URL: pg, MAX_IN_FLIGHT: "4"}
    client = console_client("http://127.0.0.1:1", "client-x", "s", "r", environ)
    assert isinstance(client.gate, SharedPlaces) and client.gate.limit == 4
    client.close()
    with pytest.raises(DatabaseURLError):
        console_client("http://127.0.0.1:1", "client-y", "s", "r", {DATABASE_URL: "mysql://x/db"})
    # The client itself reads no environment: the places are this process's unless it is told.
    plain = AcousticClient("http://127.0.0.1:1", "client-z", "s", "r")
    assert isinstance(plain.gate, InFlightGate) and plain.gate.limit == 10
    assert isinstance(organisation_gate("http://127.0.0.1:1", "client-z"), InFlightGate)


SENDER = textwrap.dedent(
    """
    import json, sys, time
    from components.acoustic import AcousticClient
    import os
    from components.core.connection import console_client
    from components.sending import send_payloads
    url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    payloads = [{"channelQualifier": "12345", "content": f"{name} batch {i}",
                 "contacts": [{"phoneNumber": "19495001234"}]} for i in range(count)]
    client = console_client(url, "sandbox-client", "sandbox-secret", "sandbox-refresh",
                            os.environ)
    client.token_info()
    print("ready", flush=True)
    sys.stdin.readline()  # all three start together
    started = time.time()
    results = send_payloads(client, payloads)
    print(json.dumps({"accepted": sum(r.state == "accepted" for r in results),
                      "started": started, "ended": time.time(),
                      "kind": type(client.gate).__name__}), flush=True)
    """
)


def _senders(sandbox, environment: dict[str, str], count: int) -> list[dict]:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SENDER, sandbox.url, f"p{n}", str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), **environment},
            cwd=ROOT,
        )
        for n in range(3)
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = []
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    return outputs


@pytest.mark.processes
@pytest.mark.parametrize("limit", [10, 4])
def test_three_processes_calling_send_payloads_share_the_organisations_places(
    sandbox, postgres_url, limit
):
    sandbox.configure(latency=0.1)
    environment = {DATABASE_URL: postgres_url, "SMS_CONSOLE_MAX_IN_FLIGHT": str(limit)}
    outputs = _senders(sandbox, environment, 30)
    assert {o["kind"] for o in outputs} == {"SharedPlaces"}
    assert all(o["accepted"] == 30 for o in outputs)
    assert max(o["started"] for o in outputs) < min(o["ended"] for o in outputs)  # all at once
    stats = sandbox.stats()
    assert stats["peak_in_flight"] <= limit
    assert stats["peak_in_flight"] >= limit - 1  # the places are used, not just guarded
    assert stats["concurrency_rejections"] == 0
    assert stats["send_posts"] == 90 == len(set(received(sandbox)))


HOLDER = textwrap.dedent(
    """
    import sys, threading, time
    from components.acoustic import SharedPlaces
    places = SharedPlaces(sys.argv[1], "org")
    ready = threading.Barrier(11)
    def hold():
        with places.slot():
            ready.wait()
            time.sleep(120)
    for _ in range(10):
        threading.Thread(target=hold, daemon=True).start()
    ready.wait()
    print("holding", flush=True)
    time.sleep(120)
    """
)


@pytest.mark.processes
def test_a_killed_process_never_keeps_a_place(postgres_url):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, postgres_url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        waiting = SharedPlaces(postgres_url, "org", longest_pause=0.01)
        got = threading.Event()
        thread = threading.Thread(target=lambda: _take_one(waiting, got), daemon=True)
        thread.start()
        assert not got.wait(0.5)  # the other process holds all ten
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        assert got.wait(10)  # the server gave the dead process's places back
        waiting.close()
    finally:
        holder.kill()
        holder.wait(10)


def _take_one(places: SharedPlaces, got: threading.Event) -> None:
    with places.slot():
        got.set()
