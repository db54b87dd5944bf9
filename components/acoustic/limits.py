"""Acoustic's limit of 10 concurrent requests per organisation, enforced once for every request.

Every request of every client to the same organisation (host + client id) passes one gate, so all
browser sessions and background jobs together never have more than 10 requests in flight. Within
one process the gate is `InFlightGate`; when the console's database is PostgreSQL, the places are
held in that database (`shared_places.SharedPlaces`), so that every replica and every process
sending for the organisation shares the same 10 (`gates.organisation_gate` keeps one gate per
organisation). Both narrow as `narrowing.AdaptiveWidth` says when Acoustic refuses for
concurrency anyway.
"""

from __future__ import annotations

import math
import threading
import time
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
        self.last_send_at = -math.inf  # time.monotonic() of the last place a send request took

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

    def note_send(self) -> None:
        """A send request took a place: sends come in bursts, look-ups keep out of them."""
        self.last_send_at = time.monotonic()

    def quiet_for(self) -> float:
        """Seconds since a send request of this process last took a place."""
        return time.monotonic() - self.last_send_at

    def free_places(self) -> int:
        """Places no request holds now (for the follower, which leaves them to sends)."""
        with self._free:
            return max(self.width.width - self.in_flight, 0)

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
