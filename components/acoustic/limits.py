"""Acoustic's limit of 10 concurrent requests per organisation, enforced once for the process.

Every request of every client to the same organisation (host + client id) passes one gate, so all
browser sessions and background jobs together never have more than 10 requests in flight.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

ACOUSTIC_MAX_IN_FLIGHT = 10
# How Acoustic refuses the 11th request is not documented: HTTP 429 is assumed (ACOUSTIC_API.md).
# This is the one place that says so; the retry rule, the client and the sandbox all use it.
CONCURRENCY_REJECTION_STATUS = 429


class InFlightGate:
    """A counting gate that also records the peak, so that tests and benchmarks can see it. Its
    limit can be lowered (never raised) while it is in use."""

    def __init__(self, limit: int = ACOUSTIC_MAX_IN_FLIGHT) -> None:
        self.limit = _checked(limit)
        self._free = threading.Condition()
        self.in_flight = 0
        self.peak = 0

    def lower_to(self, limit: int) -> None:
        with self._free:
            self.limit = min(self.limit, _checked(limit))

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._free:
            while self.in_flight >= self.limit:
                self._free.wait()
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            yield
        finally:
            with self._free:
                self.in_flight -= 1
                self._free.notify()

    def reset_peak(self) -> None:
        with self._free:
            self.peak = self.in_flight


def _checked(limit: int) -> int:
    if not 1 <= limit <= ACOUSTIC_MAX_IN_FLIGHT:
        raise ValueError(f"The in-flight limit must be between 1 and {ACOUSTIC_MAX_IN_FLIGHT}.")
    return limit


_gates: dict[tuple[str, str], InFlightGate] = {}
_gates_lock = threading.Lock()


def organisation_gate(base_url: str, client_id: str, limit: int | None = None) -> InFlightGate:
    """The process-wide gate of one organisation (the same host and API client). A `limit` lowers
    it for every client, job and look-up of that organisation in the process."""
    key = (base_url, client_id)
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = InFlightGate()
    if limit is not None:
        gate.lower_to(limit)
    return gate
