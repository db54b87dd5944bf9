"""How many of its places the console uses at once: all of them, until Acoustic refuses a request
for concurrency anyway (the organisation's other systems count towards its 10 too), then fewer for
a while.

Additive increase, multiplicative decrease, as TCP does it: a refusal halves the width (at most once
per `calm_seconds`, so that one burst of refusals halves it once), and once `calm_seconds` have
passed without a refusal, every `width` answers widen it by one place, up to the configured limit.
Retrying at full width would only meet the same refusal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

CALM_SECONDS = 2.0


@dataclass(frozen=True)
class Narrowing:
    """The width is below the limit because Acoustic refused requests for concurrency."""

    width: int
    limit: int
    refusals: int  # concurrency refusals since the width was last at its limit
    since: float  # time.time() of the first of them

    def explanation(self) -> str:
        """For the progress panel: what happens and why, in a marketer's words."""
        return (
            f"Acoustic refused {self.refusals:,} request(s) because too many of the "
            "organisation's requests were in flight at once (other systems of the organisation "
            f"may be calling Acoustic too). The console sends {self.width} at a time instead of "
            f"{self.limit} for a while and widens again by itself; refused batches are retried, "
            "nothing is sent twice."
        )


class AdaptiveWidth:
    """The number of places a gate lets its requests use now (thread-safe)."""

    def __init__(
        self,
        limit: int,
        *,
        calm_seconds: float = CALM_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.calm_seconds = calm_seconds
        self.limit = limit
        self._width = limit
        self._changed_at = clock()
        self._answers = 0  # answers without a refusal since the width last changed
        self._refusals = 0
        self._first_refusal = 0.0

    @property
    def width(self) -> int:
        return self._width

    def lower_to(self, limit: int) -> None:
        with self._lock:
            self.limit = min(self.limit, limit)
            self._width = min(self._width, self.limit)

    def refused(self) -> None:
        """Acoustic refused a request for concurrency: halve the width, once per calm period."""
        with self._lock:
            now = self._clock()
            if not self._refusals:
                self._first_refusal = time.time()
            self._refusals += 1
            self._answers = 0
            if self._width > 1 and (
                self._width == self.limit or now - self._changed_at >= self.calm_seconds
            ):
                self._width = max(1, self._width // 2)
                self._changed_at = now

    def answered(self) -> bool:
        """An answer other than the concurrency refusal. True when the width grew."""
        with self._lock:
            if self._width >= self.limit:
                return False
            self._answers += 1
            now = self._clock()
            if self._answers < self._width or now - self._changed_at < self.calm_seconds:
                return False
            self._width += 1
            self._answers = 0
            self._changed_at = now
            if self._width >= self.limit:
                self._refusals = 0
            return True

    def restore(self) -> None:
        """Back to the full width, as if Acoustic had never refused."""
        with self._lock:
            self._width, self._answers, self._refusals = self.limit, 0, 0
            self._changed_at = self._clock()

    def narrowing(self) -> Narrowing | None:
        with self._lock:
            if self._width >= self.limit:
                return None
            return Narrowing(self._width, self.limit, self._refusals, self._first_refusal)
