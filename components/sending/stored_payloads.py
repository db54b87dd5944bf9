"""A send's journaled request bodies as the worker sends them: read back one by one, and checked
against the rules as they are when each goes out: the do-not-text list (listed numbers are left
out) and the recipients' allowed hours (those outside are held, as the send chose)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from components.acoustic import AcousticError
from components.core.states import HoursChoice
from components.guardrails.do_not_text import listed_set, without_listed
from components.guardrails.quiet_hours_settings import QuietHours
from components.journal import Journal
from components.sending.hours import BatchHours, batch_hours


class StoredPayloads(Sequence[dict[str, Any]]):
    """A send's request bodies, each read from the journal by the thread about to send it, so
    the first request does not wait for all of them to be read.

    Each is screened against the do-not-text list as it is then: a number listed after the send
    was journaled is left out of the request, and `left_out[index]` says which were. Then, unless
    the send goes `anyway`, its recipients outside their allowed hours (`quiet_hours`, the
    window of `program`, at `clock()`) are handed on to batches of their own in the journal
    (`held[index]` counts them); a batch none of whose recipients may go now waits
    (`waits(index)`). The journaled body is not changed (an approval's digest covers it)."""

    def __init__(
        self,
        journal: Journal,
        batch_ids: Sequence[int],
        *,
        program: str = "",
        quiet_hours: QuietHours | None = None,
        hours: HoursChoice = HoursChoice.ANYWAY,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.journal = journal
        self.batch_ids = list(batch_ids)
        self.program = program
        self.quiet_hours = quiet_hours
        self.hours = hours
        self.clock = clock
        self.left_out: dict[int, list[str]] = {}
        self.held: dict[int, BatchHours] = {}
        self.sizes: dict[int, int] = {}  # recipients in the request as it goes out
        self._emptied: set[int] = set()
        self._waiting: set[int] = set()

    def __len__(self) -> int:
        return len(self.batch_ids)

    def __getitem__(self, index: int) -> dict[str, Any]:  # type: ignore[override]
        batch_id = self.batch_ids[index]
        try:
            payload = self.journal.batch_payload(batch_id)
        except (LookupError, ValueError) as exc:
            raise AcousticError(
                f"This batch could not be read back from the journal ({exc}); nothing was sent."
            ) from None
        body, left_out = without_listed(payload, listed_set(self.journal))
        self.left_out[index] = [str(c.get("phoneNumber", "")) for c in left_out]
        if left_out and not body.get("contacts"):
            self._emptied.add(index)
            return body
        body = self._within_hours(index, batch_id, body)
        self.sizes[index] = len(body.get("contacts") or [])
        return body

    def _within_hours(self, index: int, batch_id: int, body: dict[str, Any]) -> dict[str, Any]:
        if self.hours is HoursChoice.ANYWAY or self.quiet_hours is None or self.clock is None:
            return body
        allowed = batch_hours(body, self.program, self.quiet_hours, self.clock())
        if not allowed.changes:
            return body
        if not self.journal.split_batch(
            batch_id, later=allowed.later, never=allowed.never, wait_until=allowed.wait_until
        ):
            self._waiting.add(index)  # someone else has it now: nothing to send from here
            return body
        self.held[index] = allowed
        if allowed.wait_until is not None:
            self._waiting.add(index)
        elif not allowed.body.get("contacts"):
            self._emptied.add(index)  # all of it handed on: nothing of it goes now
        return allowed.body

    def everyone_listed(self, index: int) -> bool:
        """Every recipient of the batch read at `index` is on the list: nothing to send."""
        return index in self._emptied

    def waits(self, index: int) -> bool:
        """The batch read at `index` waits for its recipients' hours: it is not sent now."""
        return index in self._waiting
