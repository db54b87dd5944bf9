"""The one way a test waits for something the code does in the background: poll a condition
until it holds, and fail naming what it waited for. A test never waits for wall-clock time that
it could make pass itself (a schedule is made due, a lease expired by hand)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    *,
    timeout: float = 20.0,
    every: float = 0.02,
    what: str = "the condition",
) -> T:
    """`condition()` as soon as it is truthy (polled every `every` seconds); AssertionError
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        time.sleep(every)
