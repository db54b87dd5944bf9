"""Typed errors: one class per failure a marketer must tell apart, each with a plain message.

`outcome_unknown` is the one fact the sending code needs: True when the request may have been
processed by Acoustic even though we got no clean answer, so it must not be repeated blindly.
"""

from __future__ import annotations

from collections.abc import Sequence


class AcousticError(Exception):
    """Base of every error the client raises. `message` is safe to show: secrets are redacted."""

    status_code: int | None
    message: str
    outcome_unknown: bool = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        api_message: str | None = None,
        api_messages: Sequence[str] = (),
        outcome_unknown: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.api_message = api_message
        # Each of Acoustic's own messages as it sent them (redacted), for the journal to keep:
        # nothing has to take them back out of `message`.
        self.api_messages = tuple(api_messages)
        if outcome_unknown is not None:
            self.outcome_unknown = outcome_unknown

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, message={self.message!r})"


class BadRequestError(AcousticError):
    """HTTP 400: Acoustic validated the request and refused it; `api_messages` say why."""


class AuthenticationError(AcousticError):
    """The credentials or the access token were not accepted (token endpoint error or 401)."""


class CredentialsRefusedError(AuthenticationError):
    """Acoustic refused the credentials, or a token it had just issued, so that asking again at
    once would not help: the token cache waits before asking again (tokens.py). `what` says what
    Acoustic did, `advice` what to do; the message is both."""

    def __init__(
        self, what: str, advice: str, *, status_code: int | None, api_message: str | None
    ) -> None:
        super().__init__(f"{what}. {advice}", status_code=status_code, api_message=api_message)
        self.what = what
        self.advice = advice


class ForbiddenError(AcousticError):
    """HTTP 403: SMS is not enabled for the organisation, the database or the API user."""


class ConcurrencyLimitError(AcousticError):
    """Acoustic refused the request because 10 requests of the organisation were in flight."""


class ServerError(AcousticError):
    """HTTP 5xx. For a send the outcome is unknown: Acoustic may have processed it."""


class NetworkError(AcousticError):
    """Acoustic could not be reached (refused, DNS, TLS), or a safe call got no answer."""


class OutcomeUnknownError(AcousticError):
    """A send went out but no answer came back (read timeout, connection lost): it may have been
    processed. Never retried automatically."""

    outcome_unknown = True


class UnexpectedResponseError(AcousticError):
    """An answer the client does not understand (wrong host, proxy page, unknown status)."""


class RequestWithdrawn(Exception):
    """The caller's `before_request` said no once the request held its place: it was not sent
    (another worker has the batch, or nothing of it is left to send). Not an AcousticError:
    nothing went wrong and nothing is reported."""
