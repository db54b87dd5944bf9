"""The one retry rule of the client, and the backoff it uses.

A failure either certainly never reached Acoustic (connection refused, the concurrency rejection) or
may have reached it (read timeout, connection lost after the body went out, 5xx). Safe calls (token,
status) retry both; a send retries only the first kind, so nothing is ever sent twice. Every
request of the client, the token request included, goes through `RetryPolicy.pause_before_retry`.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

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
    max_retry_after: float = 30.0  # a server's Retry-After is honoured up to this many seconds

    def attempts_for(self, status_code: int | None) -> int:
        if status_code == CONCURRENCY_REJECTION_STATUS:
            return self.concurrency_attempts
        return self.max_attempts

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt number `attempt + 1` (attempt counts from 1)."""
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)

    def pause_before_retry(
        self, kind: CallKind, attempt: int, outcome: httpx.Response | httpx.TransportError
    ) -> float | None:
        """Seconds to wait before repeating a call whose attempt number `attempt` ended in
        `outcome`, or None when the call must not be repeated (a final answer, a send that may
        have arrived, or no attempts left)."""
        if isinstance(outcome, httpx.TransportError):
            reach: Reach | None = reach_of_transport_error(outcome)
            attempts, retry_after = self.max_attempts, None
        else:
            reach = reach_of_status(outcome.status_code)
            attempts = self.attempts_for(outcome.status_code)
            retry_after = retry_after_seconds(outcome.headers.get("Retry-After"))
        if reach is None or not may_retry(kind, reach) or attempt >= attempts:
            return None
        return self.delay(attempt, retry_after)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header in seconds from now: delta-seconds ("120") or an HTTP-date ("Wed, 21
    Oct 2015 07:28:00 GMT", in the past: 0). None when absent or unreadable (backoff applies)."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": a time in UTC with no zone given
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(seconds, 0.0) if math.isfinite(seconds) else None
