"""Batches through the client with a bounded number of requests in flight: each payload sent
once, at most `max_in_flight` at a time, each outcome a BatchResult.

The in-flight limit is enforced twice on purpose: `send_payloads` never starts more than
`max_in_flight` requests, and the client's organisation gate (components.acoustic.limits) caps the
whole process, all sessions and jobs together, at Acoustic's 10, and every process sharing the
PostgreSQL journal together when there is one (components.acoustic.shared_places).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from components.acoustic import (
    ACOUSTIC_MAX_IN_FLIGHT,
    AcousticClient,
    AcousticError,
    AuthenticationError,
    BadRequestError,
    ConcurrencyLimitError,
    EncodedPayload,
    ForbiddenError,
    NetworkError,
    OutcomeUnknownError,
    PlacesUnavailableError,
    RequestWithdrawn,
    ServerError,
    encode_payload,
)
from components.core.states import BatchState, Cause

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchResult:
    """What became of one batch. `error` is a message safe to show (secrets redacted);
    `api_messages` are Acoustic's own words, each as it sent them."""

    index: int
    state: BatchState
    transaction_id: str | None = None
    error: str | None = None
    status_code: int | None = None
    cause: Cause | None = None
    api_messages: tuple[str, ...] = ()
    claimed: bool = True  # False: it failed before it held a place (certainly not sent)


_CAUSES: tuple[tuple[type[AcousticError], Cause], ...] = (
    (BadRequestError, Cause.REFUSED),
    (AuthenticationError, Cause.CREDENTIALS),
    (ForbiddenError, Cause.FORBIDDEN),
    (ConcurrencyLimitError, Cause.BUSY),
    (ServerError, Cause.SERVER),
    (PlacesUnavailableError, Cause.NO_PLACE),
    (NetworkError, Cause.UNREACHABLE),
    (OutcomeUnknownError, Cause.ANSWER_LOST),
)


def result_for_error(index: int, exc: AcousticError, cause: Cause | None = None) -> BatchResult:
    """An error becomes "unknown" when Acoustic may have processed the batch, else "rejected"
    (it certainly was not processed: validation, credentials, limit, or never reached)."""
    if cause is None:
        cause = next((c for kind, c in _CAUSES if isinstance(exc, kind)), Cause.UNEXPECTED)
    return BatchResult(
        index=index,
        state=BatchState.UNKNOWN if exc.outcome_unknown else BatchState.REJECTED,
        error=exc.message,
        status_code=exc.status_code,
        cause=cause,
        api_messages=exc.api_messages,
    )


def send_payloads(
    client: AcousticClient,
    payloads: Sequence[Mapping[str, Any]],
    *,
    max_in_flight: int = ACOUSTIC_MAX_IN_FLIGHT,
    on_result: Callable[[BatchResult], None] | None = None,
    claim: Callable[[int], bool] | None = None,
) -> list[BatchResult]:
    """Sends every payload once, at most `max_in_flight` at a time; results in payload order.

    `claim(index)` runs once the batch's request holds one of the organisation's places, just
    before it goes on the wire, in the thread that read `payloads[index]` a moment before (the
    journal marks it in flight there); when it returns False the batch is skipped: someone else
    has it, or there is nothing left to send now. A batch that failed before it held a place
    (its result's `claimed` is False) was certainly not sent. `on_result` is called from the
    worker threads as each batch finishes.
    """
    if not 1 <= max_in_flight <= ACOUSTIC_MAX_IN_FLIGHT:
        raise ValueError(f"max_in_flight must be between 1 and {ACOUSTIC_MAX_IN_FLIGHT}.")
    results: list[BatchResult | None] = [None] * len(payloads)
    # Serializing 1000 contacts is CPU work: it happens before a batch takes one of the
    # `max_in_flight` places, so that the places are only ever held by requests on the wire.
    window = threading.BoundedSemaphore(max_in_flight)

    def run(index: int) -> None:
        try:
            prepared: EncodedPayload | AcousticError = encode_payload(payloads[index])
        except AcousticError as exc:
            prepared = exc
        with window:
            result = _send_one(client, index, prepared, claim)
        if result is None:
            return
        results[index] = result
        if on_result is not None:
            on_result(result)

    if payloads:
        workers = min(2 * max_in_flight, len(payloads))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sms-send") as pool:
            for future in [pool.submit(run, i) for i in range(len(payloads))]:
                future.result()
    return [r for r in results if r is not None]


def _send_one(
    client: AcousticClient,
    index: int,
    prepared: EncodedPayload | AcousticError,
    claim: Callable[[int], bool] | None,
) -> BatchResult | None:
    """One batch's result; None when its claim said no (nothing was sent, nothing to say)."""
    claimed = claim is None
    if isinstance(prepared, AcousticError):
        # It could not be written: nothing was sent.
        return replace(result_for_error(index, prepared, Cause.UNWRITABLE), claimed=claimed)

    claiming = False

    def claimed_now() -> bool:
        nonlocal claimed, claiming
        claiming = True  # a fault of the claim is the console's: it stops the send (below)
        claimed = claim is None or claim(index)
        claiming = False
        return claimed

    try:
        accepted = client.send(prepared, before_request=claimed_now)
        return BatchResult(index, BatchState.ACCEPTED, transaction_id=accepted.transaction_id)
    except RequestWithdrawn:
        return None
    except AcousticError as exc:
        result = result_for_error(index, exc)
        if not claimed:  # it never held a place, so it never reached Acoustic
            return replace(result, state=BatchState.REJECTED, claimed=False)
        return result
    except Exception as exc:  # a bug must not leave a batch looking unsent
        if claiming:
            raise  # the journal could not mark it: nothing was sent, and the send stops
        logger.exception("unexpected failure while sending batch %d", index)
        what = f"An unexpected error interrupted this batch ({type(exc).__name__})"
        if not claimed:  # before it held a place: certainly not sent
            return BatchResult(
                index,
                BatchState.REJECTED,
                error=f"{what} before it was sent.",
                cause=Cause.FAULT,
                claimed=False,
            )
        return BatchResult(
            index,
            BatchState.UNKNOWN,
            error=f"{what}; it may or may not have been processed.",
            cause=Cause.FAULT,
        )
