"""What the sandbox remembers: tokens, transactions (with the bodies they came in), counters and
queued faults, shared by the server thread and the tests, hence the lock."""

from __future__ import annotations

import random
import threading
from collections import Counter, deque
from dataclasses import dataclass

import orjson

from .config import SandboxConfig
from .numbers import Outcome, outcome_for
from .rendering import render_body


@dataclass
class Transaction:
    id: str
    created: float
    phone_numbers: list[str]
    body: bytes = b""
    _delivered: list[tuple[str, str]] | None = None

    @property
    def outcomes(self) -> list[Outcome]:
        """Decided when asked (cached per number), so that accepting a send stays cheap."""
        return [outcome_for(number) for number in self.phone_numbers]

    def delivered(self) -> list[tuple[str, str]]:
        """(phone number, SMS) of every contact, rendered from the body the first time it is
        asked for (accepting a send stays cheap), by Acoustic's rule."""
        if self._delivered is None:
            self._delivered = render_body(orjson.loads(self.body)) if self.body else []
        return self._delivered


class SandboxState:
    """Everything the sandbox remembers; shared with the test thread, hence the lock."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.tokens: dict[str, float] = {}
            self.issued: list[str] = []
            self.transactions: dict[str, Transaction] = {}
            # Accepted bodies are kept as the bytes that came in: parsed dicts of 1000 contacts
            # each would give the garbage collector hundreds of thousands of objects to walk,
            # and its pauses would stall every request in flight.
            self.payloads: list[bytes] = []
            self.counters: Counter[str] = Counter()
            # Requests still being answered stay counted: they hold their slot until they end.
            self.in_flight = getattr(self, "in_flight", 0)
            self.peak_in_flight = self.in_flight
            self.fault_queues: dict[str, deque[str]] = {
                "send": deque(),
                "status": deque(),
                "token": deque(),
            }
            self.rng = random.Random(self.config.seed)

    def stats(self) -> dict[str, int]:
        with self.lock:
            return {
                "token_requests": self.counters["token_requests"],
                "tokens_issued": len(self.issued),
                "send_posts": self.counters["send_posts"],
                "accepted_sends": len(self.payloads),
                "status_requests": self.counters["status_requests"],
                "program_requests": self.counters["program_requests"],
                "in_flight": self.in_flight,
                "peak_in_flight": self.peak_in_flight,
                "concurrency_rejections": self.counters["concurrency_rejections"],
                "contacts_received": self.counters["contacts_received"],
            }

    def delivered(self, transaction_id: str) -> list[tuple[str, str]] | None:
        with self.lock:
            transaction = self.transactions.get(transaction_id)
        return None if transaction is None else transaction.delivered()

    def next_fault(self, kind: str) -> str | None:
        """The queued fault for this kind of request, else one drawn by the configured rates."""
        with self.lock:
            queue = self.fault_queues.get(kind)
            if queue:
                return queue.popleft()
            if kind == "token":
                return None
            draw = self.rng.random()
        config = self.config
        for fault, rate in (
            ("500", config.error_rate),
            ("drop", config.drop_rate),
            ("slow", config.slow_rate),
        ):
            if draw < rate:
                return fault
            draw -= rate
        return None
