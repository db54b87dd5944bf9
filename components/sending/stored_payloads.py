"""A send's journaled request bodies as the worker sends them: read back one by one, and screened
against the do-not-text list as they go out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.acoustic import AcousticError
from components.guardrails.do_not_text import listed_set, without_listed
from components.journal import Journal


class StoredPayloads(Sequence[dict[str, Any]]):
    """A send's request bodies, each read from the journal by the thread about to send it, so
    the first request does not wait for all of them to be read.

    Each is screened against the do-not-text list as it is then (read anew only when it
    changed): a number listed after the send was journaled is left out of the request, and
    `left_out[index]` says which were. The journaled body is not changed."""

    def __init__(self, journal: Journal, batch_ids: Sequence[int]) -> None:
        self.journal = journal
        self.batch_ids = list(batch_ids)
        self.left_out: dict[int, list[str]] = {}
        self._emptied: set[int] = set()

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

    def everyone_listed(self, index: int) -> bool:
        """Every recipient of the batch read at `index` is on the list: nothing to send."""
        return index in self._emptied
