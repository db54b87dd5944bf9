"""Acoustic's limit of 10 concurrent requests per organisation, enforced once for every request.

Every request of every client to the same organisation (host + client id) passes one gate, so all
browser sessions and background jobs together never have more than 10 requests in flight. Within
one process the gate is `InFlightGate`; when the console's database is PostgreSQL, the places are
held in that database (`shared_places.SharedPlaces`), so that every replica and every process
sending for the organisation shares the same 10. Both narrow as `narrowing.AdaptiveWidth` says
when Acoustic refuses for concurrency anyway.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .narrowing import AdaptiveWidth, Narrowing

ACOUSTIC_MAX_IN_FLIGHT = 10
# How Acoustic refuses the 11th request is not documented: HTTP 429 is assumed (ACOUSTIC_API.md).
# This is the one place that says so; the retry rule, the client and the sandbox all use it.
CONCURRENCY_REJECTION_STATUS = 429


class CountingGate:
    """What both gates share: the width they narrow by, the count in flight and its peak (for
    tests and benchmarks). The limit can be lowered (never raised) while the gate is in use."""

    def __init__(self, limit: int = ACOUSTIC_MAX_IN_FLIGHT) -> None:
        self.width = AdaptiveWidth(checked_limit(limit))
        self._free = threading.Condition()  # guards the count; notified when a place may be free
        self.in_flight = 0
        self.peak = 0

    @property
    def limit(self) -> int:
        return self.width.limit

    def lower_to(self, limit: int) -> None:
        with self._free:
            self.width.lower_to(checked_limit(limit))

    def record_answer(self, status_code: int) -> None:
        if status_code == CONCURRENCY_REJECTION_STATUS:
            self.width.refused()
        elif self.width.answered():
            with self._free:
                self._free.notify_all()

    def narrowing(self) -> Narrowing | None:
        return self.width.narrowing()

    def reset_peak(self) -> None:
        with self._free:
            self.peak = self.in_flight

    def close(self) -> None:
        """Gives back what the gate holds outside this process (nothing, for this one)."""

    def _wait_for_room(self) -> None:
        """Until fewer than `width` requests of this process are in flight (`_free` held)."""
        while self.in_flight >= self.width.width:
            self._free.wait()

    def _count_in(self) -> None:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)


class InFlightGate(CountingGate):
    """The gate of one process."""

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._free:
            self._wait_for_room()
            self._count_in()
        try:
            yield
        finally:
            with self._free:
                self.in_flight -= 1
                self._free.notify()


def checked_limit(limit: int) -> int:
    if not 1 <= limit <= ACOUSTIC_MAX_IN_FLIGHT:
        raise ValueError(f"The in-flight limit must be between 1 and {ACOUSTIC_MAX_IN_FLIGHT}.")
    return limit


_gates: dict[tuple[str, str, str], CountingGate] = {}
_gates_lock = threading.Lock()


def organisation_gate(
    base_url: str, client_id: str, limit: int | None = None, places_database: str = ""
) -> CountingGate:
    """The gate of one organisation (the same host and API client) for this process: its places
    in the PostgreSQL database `places_database` names (a libpq URL), shared by every process
    using it, or in this process when it is empty. A `limit` lowers it for every client, job and
    look-up of that organisation in the process."""
    key = (base_url, client_id, places_database)
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            if places_database:
                from .shared_places import SharedPlaces

                gate = SharedPlaces(places_database, f"{base_url}\0{client_id}")
            else:
                gate = InFlightGate()
            _gates[key] = gate
    if limit is not None:
        gate.lower_to(limit)
    return gate


def limit_from_environment() -> int:
    """SMS_CONSOLE_MAX_IN_FLIGHT, read as the console reads it (a bad value: 10, reported on
    Settings), so that a script calling send_payloads keeps the limit the console keeps."""
    from components.core.settings import console_settings  # it imports this package

    return console_settings(os.environ).max_in_flight


def clear_gates() -> None:
    """Every gate of this process back to its full width, and the places held in a database given
    back (tests start each from gates Acoustic never narrowed; clients made before keep theirs)."""
    with _gates_lock:
        shared = [key for key in _gates if key[2]]
        gates = list(_gates.values())
        dropped = [_gates.pop(key) for key in shared]
    for gate in gates:
        gate.width.restore()
    for gate in dropped:
        gate.close()
