"""Reading Acoustic's answers: the envelope, the human messages wherever an answer puts them
(redacted), and the plain words for a refused token or a transport failure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from .errors import (
    AcousticError,
    BadRequestError,
    ConcurrencyLimitError,
    CredentialsRefusedError,
    ForbiddenError,
    NetworkError,
    OutcomeUnknownError,
    ServerError,
    UnexpectedResponseError,
)
from .limits import CONCURRENCY_REJECTION_STATUS
from .models import ContactStatus
from .redaction import PROCESS_REDACTOR
from .retry import CallKind, Reach

# A 401 whose message names both says the token expired (ACOUSTIC_API.md: "The access token has
# expired. Token provided was: ..."); any other 401 refuses the token.
TOKEN_EXPIRED = ("token", "expired")


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def data_of(body: Any) -> Any:
    """The payload of an answer, wrapped in Acoustic's `{"meta", "data"}` envelope or bare."""
    if isinstance(body, Mapping) and "data" in body and ("meta" in body or len(body) == 1):
        return body["data"]
    return body


def detail_of(response: httpx.Response) -> str:
    """What an answer says, redacted: its API messages, else its text, else the reason phrase."""
    body = json_or_none(response)
    detail = "; ".join(api_messages(body)) if body is not None else ""
    if not detail and body is None:
        detail = response.text[:200].strip()
    return PROCESS_REDACTOR.redact(detail) or response.reason_phrase


def says_expired(response: httpx.Response) -> bool:
    """A 401 that says the token expired ("The access token has expired. Token provided was:
    ..."), as opposed to one that refuses it."""
    text = detail_of(response).lower()
    return all(word in text for word in TOKEN_EXPIRED)


def api_messages(body: Any) -> list[str]:
    """Every human message an Acoustic answer carries, wherever it puts them."""
    found: list[str] = []

    def add(value: Any) -> None:
        if isinstance(value, str) and value.strip():
            found.append(value.strip())
        elif isinstance(value, Mapping):
            for key in ("message", "description", "error_description"):
                if key in value:
                    add(value[key])
                    return
        elif isinstance(value, list | tuple):
            for item in value:
                add(item)

    if not isinstance(body, Mapping):
        return found
    meta = body.get("meta")
    if isinstance(meta, Mapping):
        add(meta.get("generalErrors"))
        field_errors = meta.get("fieldErrors")
        if isinstance(field_errors, Mapping):
            for name, value in field_errors.items():
                for message in api_messages({"meta": {"generalErrors": value}}):
                    found.append(f"{name}: {message}")
    data = body.get("data")
    if isinstance(data, Mapping):
        add(data.get("errors"))
    if "error_description" in body:
        add(body.get("error_description"))
    elif isinstance(body.get("error"), str):
        add(body.get("error"))
    add(body.get("message"))
    return found


def contact_statuses(raw: Any) -> list[ContactStatus]:
    result: list[ContactStatus] = []
    if not isinstance(raw, list):
        return result
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        message = item.get("message")
        result.append(
            ContactStatus(
                phone_number=str(item.get("phoneNumber") or ""),
                sent=item.get("smsSent") is True,
                message=str(message) if message not in (None, "") else None,
            )
        )
    return result


def seconds_of(value: Any) -> int:
    """`expires_in` as Acoustic may write it: 14400, "14400" or "14399.0"."""
    try:
        return max(int(float(value)), 0)
    except (TypeError, ValueError, OverflowError):
        return 0


def int_of(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def describe_transport_error(exc: httpx.TransportError) -> str:
    plain = {
        httpx.ConnectTimeout: "the connection timed out",
        httpx.ConnectError: "the connection was refused or the host was not found",
        httpx.ReadTimeout: "no answer came in time",
        httpx.WriteTimeout: "sending the request timed out",
        httpx.PoolTimeout: "too many requests were waiting",
        httpx.RemoteProtocolError: "the server closed the connection",
        httpx.ReadError: "the connection was lost",
        httpx.WriteError: "the connection was lost while sending",
    }
    for cls, text in plain.items():
        if isinstance(exc, cls):
            return text
    return type(exc).__name__


def error_for(response: httpx.Response, kind: CallKind) -> AcousticError:
    """The typed error of an answer Acoustic gave, in words for the person who reads it."""
    status = response.status_code
    detail = detail_of(response)
    messages = [PROCESS_REDACTOR.redact(m) for m in api_messages(json_or_none(response))]
    if status == 400:
        return BadRequestError(
            f"Acoustic refused the request: {detail}",
            status_code=status,
            api_message=detail,
            api_messages=messages,
        )
    if status == 403:
        return ForbiddenError(
            "Acoustic answered 'Forbidden': SMS is not enabled for this organisation, "
            "database or API user. Ask your Acoustic administrator to enable SMS for the "
            "API user.",
            status_code=status,
            api_message=detail,
        )
    if status == CONCURRENCY_REJECTION_STATUS:
        return ConcurrencyLimitError(
            "Acoustic is already handling the most requests it allows at once for your "
            "organisation (10), so it refused this one. Nothing was processed; try again in "
            "a moment.",
            status_code=status,
            api_message=detail,
        )
    if 500 <= status < 600:
        unknown = kind is CallKind.SEND
        tail = (
            " The send may or may not have gone out: check its status before sending again."
            if unknown
            else " Try again in a few minutes."
        )
        return ServerError(
            f"Acoustic had an internal error (HTTP {status}: {detail}).{tail}",
            status_code=status,
            api_message=detail,
            outcome_unknown=unknown,
        )
    return UnexpectedResponseError(
        f"Acoustic gave an unexpected answer (HTTP {status}: {detail}). Check the API address "
        "in Settings.",
        status_code=status,
        api_message=detail,
        outcome_unknown=kind is CallKind.SEND and status < 400,
    )


def token_error(response: httpx.Response) -> AcousticError:
    """The token endpoint's refusal or failure, in Acoustic's words (redacted)."""
    status = response.status_code
    detail = detail_of(response)
    if status in (400, 401, 403):
        return CredentialsRefusedError(
            f"Acoustic refused the credentials (HTTP {status}: {detail})",
            "Check the client id, client secret and refresh token in Settings: a refresh "
            "token stops working when its application account is removed or its access is "
            "revoked.",
            status_code=status,
            api_message=detail,
        )
    if 500 <= status < 600:
        return ServerError(
            "Acoustic could not issue an access token: its token service had an internal "
            f"error (HTTP {status}: {detail}). Nothing was sent; try again in a few minutes.",
            status_code=status,
            api_message=detail,
        )
    return error_for(response, CallKind.SAFE)


def transport_error(
    exc: httpx.TransportError, kind: CallKind, reach: Reach, host: str
) -> AcousticError:
    """A transport failure in plain words: for a send that may have gone out, its outcome is
    unknown; otherwise Acoustic at `host` could not be reached."""
    detail = PROCESS_REDACTOR.redact(describe_transport_error(exc))
    if kind is CallKind.SEND and reach is Reach.MAYBE_REACHED:
        return OutcomeUnknownError(
            f"The connection to Acoustic was lost after the send went out ({detail}). It may "
            "or may not have been processed: check its status before sending again. Nothing "
            "is resent automatically."
        )
    return NetworkError(
        f"Could not reach Acoustic at {host} ({detail}). Check the network and the pod in "
        "Settings, then try again."
    )


def next_page(body: Mapping[str, Any], base_url: str, seen: set[str]) -> str | None:
    """The next page of a status answer to ask for (None: the last one, or one seen already);
    never another host's, which would be handed the bearer token."""
    meta = body.get("meta")
    next_url = meta.get("nextPageUrl") if isinstance(meta, Mapping) else None
    if not next_url:
        return None
    absolute = urljoin(base_url + "/", str(next_url))
    own = urlsplit(base_url)
    target = urlsplit(absolute)
    if target.hostname == own.hostname and target.scheme != own.scheme:
        # The same pod behind a proxy that names itself http://: keep our own scheme (and
        # port), so that the token never travels unencrypted.
        target = target._replace(scheme=own.scheme, netloc=own.netloc)
        absolute = target.geturl()
    if (target.scheme, target.netloc) != (own.scheme, own.netloc):
        # Following it would hand our bearer token to another host.
        raise UnexpectedResponseError(
            "Acoustic's status answer pointed to its next page on another host; the look-up "
            "was stopped so that the access token is not sent there.",
            status_code=200,
        )
    return None if absolute in seen else absolute
