"""The console's vocabulary: one enum each for a batch, a send, a batch's failure, a status
look-up, a request for approval, the connection's mode, a preflight finding, a send's kind, a
schedule's kind and the choice about recipients outside their hours, used by every package alike.

They are `StrEnum`s: a member is the very string the journal has always stored ("in_flight",
"rejected", ...), so old journal files read back without a migration.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class ContactState(StrEnum):
    """What became of one contact of a send, from Acoustic's answers and the journal."""

    SENT = "sent"
    FAILED = "failed"
    PENDING = "pending"
    SCHEDULED = "scheduled"  # held by this console until its time: not at Acoustic yet
    LEFT_OUT = "left out"  # on the do-not-text list when its batch went out: not sent


class BatchState(StrEnum):
    """planned -> in_flight -> accepted / rejected / unknown, each step committed; or planned ->
    left_out, never sent, when every recipient was on the do-not-text list as it was due."""

    PLANNED = "planned"
    IN_FLIGHT = "in_flight"
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # certainly not processed by Acoustic
    UNKNOWN = "unknown"  # may have been processed: never resent without the user's choice
    LEFT_OUT = "left_out"  # every recipient on the do-not-text list: not sent, nothing to resend

    @property
    def final(self) -> bool:
        return self in (
            BatchState.ACCEPTED,
            BatchState.REJECTED,
            BatchState.UNKNOWN,
            BatchState.LEFT_OUT,
        )


class Cause(StrEnum):
    """Why a batch was rejected or has an unknown outcome, from the client's typed error. Batches
    journaled before this column existed have none."""

    REFUSED = "refused"  # HTTP 400: Acoustic's own messages say why
    CREDENTIALS = "credentials"  # the token or the API credentials were not accepted
    FORBIDDEN = "forbidden"  # HTTP 403: SMS not enabled for the organisation or user
    BUSY = "busy"  # Acoustic's limit of 10 requests in flight
    UNREACHABLE = "unreachable"  # never reached Acoustic
    NO_PLACE = "no_place"  # the database holding the organisation's in-flight places was down
    SERVER = "server"  # HTTP 5xx
    ANSWER_LOST = "answer_lost"  # the request went out, no answer came back
    UNEXPECTED = "unexpected"  # an answer the client does not understand
    UNWRITABLE = "unwritable"  # the batch could not be written as a request
    INTERRUPTED = "interrupted"  # the console stopped while the batch was in flight
    FAULT = "fault"  # a fault of the console while sending
    NO_HOURS = "no_hours"  # left out: no allowed hour of theirs within 48 hours as it was due


class SendState(StrEnum):
    """One word for a whole send, from its batches and whether a worker is sending it now."""

    AWAITING_APPROVAL = "awaiting approval"  # journaled, nothing sent: a second person decides
    NOT_APPROVED = "not approved"  # an approver rejected it: nothing was sent
    WITHDRAWN = "withdrawn"  # its sender withdrew the request (or replaced it): nothing was sent
    APPROVAL_EXPIRED = "approval expired"  # nobody decided in time: nothing was sent
    SCHEDULED = "scheduled"  # batches held until their time; the worker starts them then
    CANCELLED = "cancelled"  # cancelled before (the rest of) it went out
    RUNNING = "running"
    INTERRUPTED = "interrupted"  # nothing runs it, and batches are left planned or cut off
    ACCEPTED = "accepted"
    PARTLY_REJECTED = "partly rejected"
    REJECTED = "rejected"
    UNKNOWN = "outcome unknown"
    LEFT_OUT = "left out"  # every recipient was on the do-not-text list as it went out: none sent


class ApprovalState(StrEnum):
    """A request for approval (maker/checker): pending until an approver decides, its sender
    withdraws it, or it expires. Only an approved request lets the worker send."""

    PENDING = "pending"
    SCHEDULED = "scheduled"  # approved, and the send waits for its time
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"

    @property
    def closed(self) -> bool:
        """Decided against, or never decided: the send will never go out."""
        return self in (ApprovalState.REJECTED, ApprovalState.WITHDRAWN, ApprovalState.EXPIRED)


_UNAPPROVED = {
    ApprovalState.PENDING: SendState.AWAITING_APPROVAL,
    ApprovalState.REJECTED: SendState.NOT_APPROVED,
    ApprovalState.WITHDRAWN: SendState.WITHDRAWN,
    ApprovalState.EXPIRED: SendState.APPROVAL_EXPIRED,
}


def send_state(
    batches: Mapping[BatchState, int],
    *,
    running: bool,
    interrupted: int = 0,
    approval: ApprovalState | None = None,
    scheduled: bool = False,
    cancelled: bool = False,
) -> SendState:
    """The state of a send whose batches are counted by state in `batches`; `interrupted` of its
    unknown batches were cut off by a stop of the console, not by an answer from Acoustic.

    `running` is the worker's word (SendWorker.is_running): a planned or in-flight batch says
    nothing about whether anything is still sending it. `approval` is the state of its latest
    request for approval, None when it needed none; `scheduled` says planned batches wait for
    their time; `cancelled` that the rest of it was cancelled.
    """
    if approval in _UNAPPROVED:
        return _UNAPPROVED[approval]
    if running:
        return SendState.RUNNING
    if cancelled and batches.get(BatchState.PLANNED):
        return SendState.CANCELLED
    if scheduled and batches.get(BatchState.PLANNED) and not batches.get(BatchState.IN_FLIGHT):
        return SendState.SCHEDULED
    if batches.get(BatchState.PLANNED) or batches.get(BatchState.IN_FLIGHT) or interrupted:
        return SendState.INTERRUPTED
    if batches.get(BatchState.UNKNOWN):
        return SendState.UNKNOWN
    if batches.get(BatchState.REJECTED):
        return SendState.PARTLY_REJECTED if batches.get(BatchState.ACCEPTED) else SendState.REJECTED
    if batches.get(BatchState.LEFT_OUT) and not batches.get(BatchState.ACCEPTED):
        return SendState.LEFT_OUT
    return SendState.ACCEPTED


class ConnectionMode(StrEnum):
    """Which Acoustic the console talks to: the built-in sandbox, a real pod, or neither (the
    configuration is incomplete). A send is journaled with the mode it was made in."""

    SANDBOX = "sandbox"
    POD = "pod"
    INVALID = "invalid"

    @property
    def live(self) -> bool:
        """Real SMS reach real phones."""
        return self is ConnectionMode.POD


def is_live(mode: str) -> bool:
    """A journaled send's mode (a str) reaches real phones: anything but the sandbox."""
    return mode != ConnectionMode.SANDBOX


class IssueLevel(StrEnum):
    """A preflight finding: an error blocks the send (Acoustic would refuse it), a warning is
    worth a look."""

    ERROR = "error"
    WARNING = "warning"


class SendKind(StrEnum):
    """A send to the recipients of a draft, or one SMS to the sender's own phone."""

    BULK = "bulk"
    TEST = "test"


class ScheduleKind(StrEnum):
    """How a send's batches were given their times."""

    AT = "at"  # every batch at one chosen instant
    WINDOWS = "windows"  # each recipient when their allowed hours begin (quiet hours)


class HoursChoice(StrEnum):
    """What a send does with recipients outside their allowed hours when a batch is due."""

    EACH_WHEN_OPEN = "each_when_open"  # those inside now; each of the others when theirs begin
    HOLD_ALL = "hold_all"  # nobody before everyone is inside at once
    ANYWAY = "anyway"  # everyone at once, outside their hours too (with a reason, audited)


class Verdict(StrEnum):
    """What a status look-up of one transaction found."""

    COMPLETE = "complete"
    PROCESSING = "processing"
    NOT_YET = "not_yet"  # "not found", but this console was given the id a moment ago
    NOT_FOUND = "not_found"
    ERROR = "error"

    @property
    def settled(self) -> bool:
        """No point asking again automatically."""
        return self in (Verdict.COMPLETE, Verdict.NOT_FOUND)

    @property
    def problem(self) -> bool:
        """Worth a warning of its own."""
        return self in (Verdict.ERROR, Verdict.NOT_FOUND)

    @property
    def words(self) -> str:
        return _VERDICT_WORDS[self]


_VERDICT_WORDS = {
    Verdict.COMPLETE: "complete",
    Verdict.PROCESSING: "processing",
    Verdict.NOT_YET: "not started yet",
    Verdict.NOT_FOUND: "not found",
    Verdict.ERROR: "could not be checked",
}


class NotificationEvent(StrEnum):
    """What the console tells people about, by the names the configuration uses
    ([[console.notifications.webhooks]] events)."""

    APPROVAL_REQUESTED = "approval_requested"  # -> the approvers, not its author
    APPROVAL_DECIDED = "approval_decided"  # approved, rejected or expired -> its author
    APPROVAL_EXPIRING = "approval_expiring"  # within the hour -> the approvers
    SEND_STARTED = "send_started"  # a scheduled send starts -> its sender
    SEND_FINISHED = "send_finished"  # outcomes known, too many failed -> its sender
    SEND_INTERRUPTED = "send_interrupted"  # stopped in the middle (crash, restart) -> its sender
