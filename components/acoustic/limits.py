"""Acoustic's limit of 10 concurrent requests per organisation, enforced once for the process.

Every request of every client to the same organisation (host + client id) passes one gate, so all
browser sessions and background jobs together never have more than 10 requests in flight.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

ACOUSTIC_MAX_IN_FLIGHT = 10


class InFlightGate:
    """A semaphore that also counts, so that tests and benchmarks can see the peak."""

    def __init__(self, limit: int = ACOUSTIC_MAX_IN_FLIGHT) -> None:
        if not 1 <= limit <= ACOUSTIC_MAX_IN_FLIGHT:
            raise ValueError(f"The in-flight limit must be between 1 and {ACOUSTIC_MAX_IN_FLIGHT}.")
        self.limit = limit
        self._semaphore = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        self._semaphore.acquire()
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1
            self._semaphore.release()

    def reset_peak(self) -> None:
        with self._lock:
            self.peak = self.in_flight


_gates: dict[tuple[str, str], InFlightGate] = {}
_gates_lock = threading.Lock()


def organisation_gate(base_url: str, client_id: str) -> InFlightGate:
    """The process-wide gate of one organisation (the same host and API client)."""
    key = (base_url, client_id)
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = InFlightGate()
        return gate
