"""The one retry rule of the client, and the backoff it uses.

A failure either certainly never reached Acoustic (connection refused, the concurrency rejection) or
may have reached it (read timeout, connection lost after the body went out, 5xx). Safe calls (token,
status) retry both; a send retries only the first kind, so nothing is ever sent twice.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

import httpx

from .limits import CONCURRENCY_REJECTION_STATUS


class Reach(enum.Enum):
    NEVER_REACHED = "never reached the server"
    MAYBE_REACHED = "may have reached the server"


class CallKind(enum.Enum):
    SAFE = "safe to repeat"  # token requests and status look-ups
    SEND = "must not be repeated once it may have been processed"


def reach_of_transport_error(exc: httpx.TransportError) -> Reach:
    """Whether a transport failure could have let the request reach Acoustic."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Reach.NEVER_REACHED
    return Reach.MAYBE_REACHED


def reach_of_status(status_code: int) -> Reach | None:
    """None for answers that are final (not worth retrying)."""
    if status_code == CONCURRENCY_REJECTION_STATUS:
        return Reach.NEVER_REACHED
    if status_code in (500, 502, 503, 504):
        return Reach.MAYBE_REACHED
    return None


def may_retry(kind: CallKind, reach: Reach) -> bool:
    return reach is Reach.NEVER_REACHED or kind is CallKind.SAFE


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, honouring a server's Retry-After when it sends one."""

    max_attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 8.0
    concurrency_attempts: int = 8  # the concurrency rejection clears quickly; wait for it longer

    def attempts_for(self, status_code: int | None) -> int:
        if status_code == CONCURRENCY_REJECTION_STATUS:
            return self.concurrency_attempts
        return self.max_attempts

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt number `attempt + 1` (attempt counts from 1)."""
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)


NO_RETRY = RetryPolicy(max_attempts=1, concurrency_attempts=1)
