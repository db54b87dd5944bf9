"""The wire client of the SMS External Consent API: one object per credential set, thread-safe.

Shape borrowed from the best API SDKs: one `_request` path that every call goes through, explicit
timeouts, typed errors, and the retry rule of `retry.py` applied in that one place.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from .answers import (
    api_messages,
    contact_statuses,
    data_of,
    detail_of,
    error_for,
    int_of,
    json_or_none,
    next_page,
    says_expired,
    seconds_of,
    token_error,
    transport_error,
)
from .encoding import encode_payload
from .errors import (
    AcousticError,
    AuthenticationError,
    CredentialsRefusedError,
    RequestWithdrawn,
    UnexpectedResponseError,
)
from .gates import organisation_gate
from .limits import ACOUSTIC_MAX_IN_FLIGHT, CountingGate
from .models import ContactStatus, EncodedPayload, SendAccepted, SendStatus, TokenInfo
from .pods import normalize_base_url, resolve_base_url
from .programs import PROGRAMS_PATH, Program, programs_of
from .redaction import PROCESS_REDACTOR, RedactingFilter, Secret
from .retry import CallKind, RetryPolicy, reach_of_transport_error
from .tokens import AccessToken, TokenCache, clock, token_cache_for

TOKEN_PATH = "/oauth/token"
SEND_PATH = "/rest/channels/sms/externalconsentsends"
STATUS_PATH = "/rest/channels/sms/sends/{transaction_id}/status"
STATUS_NOT_FOUND = "transaction status not found"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
MAX_STATUS_PAGES = 1000
DOCUMENTED_TOKEN_LIFETIME = 14400  # seconds (4 hours), when an answer does not say

logger = logging.getLogger(__name__)
logger.addFilter(RedactingFilter())


class AcousticClient:
    """Talks to one Acoustic pod (or the sandbox) with one set of OAuth credentials."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str | Secret,
        refresh_token: str | Secret,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        max_in_flight: int = ACOUSTIC_MAX_IN_FLIGHT,
        places_database: str = "",
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.client_id = str(client_id).strip()
        self._client_secret = _secret(client_secret)
        self._refresh_token = _secret(refresh_token)
        PROCESS_REDACTOR.add(self._client_secret)
        PROCESS_REDACTOR.add(self._refresh_token)
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = retry or RetryPolicy()
        self._tokens: TokenCache = token_cache_for(
            self.base_url, self.client_id, self._client_secret, self._refresh_token
        )
        # At most `max_in_flight` requests of the organisation in flight (Acoustic's 10, or the
        # lower limit the console is configured with) in this process, or in every process
        # sharing the PostgreSQL database `places_database` names (a libpq URL; "": this
        # process alone). The console passes both from its configuration
        # (components/core/connection.py); the client reads no environment of its own.
        self.gate: CountingGate = organisation_gate(
            self.base_url, self.client_id, max_in_flight, places_database
        )
        if transport is None:
            # TCP_NODELAY: a request's headers and body leave in two writes; without it Nagle's
            # algorithm holds the body until the server's delayed ACK (~40 ms a request).
            transport = httpx.HTTPTransport(
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
                socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
            )
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=self.timeout,
            headers={"Accept": "application/json", "User-Agent": "sms-consent-console/0.1"},
            follow_redirects=False,
            transport=transport,
        )

    @classmethod
    def for_pod(
        cls,
        pod_or_url: str,
        client_id: str,
        client_secret: str | Secret,
        refresh_token: str | Secret,
        **options: Any,
    ) -> AcousticClient:
        """Builds a client from a pod id (`1`..`9`, `A`, `B`, `PILOT`) or a base URL."""
        return cls(resolve_base_url(pod_or_url), client_id, client_secret, refresh_token, **options)

    def __repr__(self) -> str:
        return f"AcousticClient(base_url={self.base_url!r}, client_id={self.client_id!r})"

    def __enter__(self) -> AcousticClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- the API -----------------------------------------------------------------------------

    def send(
        self,
        payload: Mapping[str, Any] | EncodedPayload,
        *,
        before_request: Callable[[], bool] | None = None,
    ) -> SendAccepted:
        """Queues one send of at most 1000 contacts. Never repeated once it may have arrived.

        `before_request()` runs once, when the request holds one of the organisation's places
        and nothing else stands between it and the wire (the journal marks its batch in flight
        there, so a crash while it waited for a place leaves the batch planned, not unknown);
        when it returns False the request is not sent and RequestWithdrawn is raised."""
        encoded = payload if isinstance(payload, EncodedPayload) else encode_payload(payload)
        response = self._request(
            "POST", SEND_PATH, kind=CallKind.SEND, body=encoded.body, before_request=before_request
        )
        if response.status_code not in (200, 201, 202):
            raise error_for(response, CallKind.SEND)
        data = data_of(json_or_none(response))
        transaction_id = data.get("id") if isinstance(data, Mapping) else None
        if not transaction_id:
            raise UnexpectedResponseError(
                "Acoustic accepted the send but its answer had no transaction id, so its status "
                "cannot be looked up. Check the SMS reports in Acoustic before sending again.",
                status_code=response.status_code,
                outcome_unknown=True,
            )
        location = data.get("location")
        return SendAccepted(transaction_id=str(transaction_id), location=location and str(location))

    def status(self, transaction_id: str) -> SendStatus:
        """The status of one send, all pages of contacts joined."""
        tid = str(transaction_id).strip()
        if not tid or "/" in tid or any(ch.isspace() for ch in tid):
            raise ValueError(f"{transaction_id!r} is not a transaction id.")
        url: str | None = STATUS_PATH.format(transaction_id=quote(tid, safe=""))
        contacts: list[ContactStatus] = []
        errors: list[str] = []
        total = processed = 0
        seen: set[str] = set()
        while url is not None and len(seen) < MAX_STATUS_PAGES:
            seen.add(url)
            response = self._request("GET", url, kind=CallKind.SAFE)
            if response.status_code != 200:
                raise error_for(response, CallKind.SAFE)
            body = json_or_none(response)
            messages = [PROCESS_REDACTOR.redact(m) for m in api_messages(body)]
            errors.extend(m for m in messages if m not in errors)
            # Where the answer carries "Transaction status not found" is not documented: found
            # anywhere in it, the send is still being processed or unknown (the journal tells).
            if len(seen) == 1 and STATUS_NOT_FOUND in response.text.lower():
                return SendStatus(transaction_id=tid, found=False, errors=errors)
            if not isinstance(body, Mapping):
                raise UnexpectedResponseError(
                    "Acoustic's status answer could not be read (it was not JSON).",
                    status_code=response.status_code,
                )
            data = data_of(body)
            if not isinstance(data, Mapping):
                data = {}
            if len(seen) == 1:
                total = int_of(data.get("totalContacts"))
                processed = int_of(data.get("contactsProcessed"))
            contacts.extend(contact_statuses(data.get("contactStatus")))
            url = next_page(body, self.base_url, seen)
        if url is not None:
            raise UnexpectedResponseError(
                f"Acoustic's status answer went on for more than {MAX_STATUS_PAGES:,} pages; the "
                "look-up was stopped. Try again later or check the send in Acoustic.",
                status_code=200,
            )
        return SendStatus(
            transaction_id=tid,
            found=True,
            total=total,
            processed=processed,
            contacts=contacts,
            errors=errors,
        )

    def list_programs(self) -> list[Program]:
        """The organisation's SMS programs (wire notes in programs.py); ForbiddenError when SMS
        is not enabled for it."""
        response = self._request("GET", PROGRAMS_PATH, kind=CallKind.SAFE)
        if response.status_code != 200:
            raise error_for(response, CallKind.SAFE)
        programs = programs_of(json_or_none(response))
        if programs is None:
            raise UnexpectedResponseError(
                "Acoustic's list of SMS programs could not be read (it held no list).",
                status_code=response.status_code,
            )
        return programs

    def token_info(self) -> TokenInfo:
        """Gets a token (the cached one while it is fresh) and says when it was obtained."""
        before = self._tokens.peek()
        token = self._tokens.get(self._fetch_token)
        return TokenInfo(
            obtained_at=token.obtained_at, expires_at=token.expires_at, reused=token is before
        )

    def request_new_token(self) -> TokenInfo:
        """Asks Acoustic for a new token now, whatever is cached, and keeps it for later calls:
        Test connection, which the user asks for (unlike a rerun, it is no reason to spare the
        token endpoint). Its success ends any wait after a refusal."""
        token = self._tokens.replace(self._fetch_token)
        return TokenInfo(obtained_at=token.obtained_at, expires_at=token.expires_at, reused=False)

    # -- the one request path ------------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        *,
        kind: CallKind,
        body: bytes | None = None,
        before_request: Callable[[], bool] | None = None,
    ) -> httpx.Response:
        """Sends with a token; after a 401, with one new token once. A 401 is answered before
        any processing, so repeating a send then is safe."""
        token = self._tokens.get(self._fetch_token)
        response = self._exchange(
            method, url, kind=kind, before_request=before_request, **self._with_token(token, body)
        )
        if response.status_code == 401 and (
            says_expired(response) or not self._tokens.on_probation(token)
        ):
            self._tokens.invalidate(token)
            token = self._tokens.get(self._fetch_token)
            response = self._exchange(method, url, kind=kind, **self._with_token(token, body))
        if response.status_code == 401:
            raise self._refused_token_error(response, token)
        self._tokens.accepted(token)
        return response

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        kind: CallKind,
        before_request: Callable[[], bool] | None = None,
        **request: Any,
    ) -> httpx.Response:
        """One request under the organisation's in-flight gate, repeated as the retry rule says;
        `before_request` runs once, in the first place the request holds (see `send`)."""
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                with self.gate.slot():
                    if kind is CallKind.SEND:
                        self.gate.note_send()
                    if before_request is not None:
                        go_ahead, before_request = before_request(), None
                        if not go_ahead:
                            raise RequestWithdrawn()
                    response = self._http.request(method, url, **request)
                self.gate.record_answer(response.status_code)
            except httpx.TransportError as exc:
                pause = self.retry.pause_before_retry(kind, attempt, exc)
                if pause is None:
                    raise transport_error(
                        exc, kind, reach_of_transport_error(exc), urlsplit(self.base_url).netloc
                    ) from None
                why = type(exc).__name__
            else:
                logger.debug(
                    "%s %s -> %s in %.0f ms",
                    method,
                    _path(url),
                    response.status_code,
                    (time.monotonic() - started) * 1000,
                )
                pause = self.retry.pause_before_retry(kind, attempt, response)
                if pause is None:
                    return response
                why = f"HTTP {response.status_code}"
            self._log_retry(method, url, why, attempt)
            time.sleep(pause)

    def _with_token(self, token: AccessToken, body: bytes | None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token.value.reveal()}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return {"content": body, "headers": headers}

    def _fetch_token(self) -> AccessToken:
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self._client_secret.reveal(),
            "refresh_token": self._refresh_token.reveal(),
        }
        response = self._exchange("POST", TOKEN_PATH, kind=CallKind.SAFE, data=form)
        body = json_or_none(response)
        if response.status_code != 200 or not isinstance(body, Mapping):
            raise token_error(response)
        value = body.get("access_token")
        if not value:
            raise UnexpectedResponseError(
                "Acoustic's token answer had no access token. Check that the API address is an "
                "Acoustic Campaign pod.",
                status_code=response.status_code,
            )
        PROCESS_REDACTOR.add(str(value))
        now = time.time()
        lifetime = seconds_of(body.get("expires_in")) or DOCUMENTED_TOKEN_LIFETIME
        return AccessToken(value=Secret(str(value)), obtained_at=now, expires_at=now + lifetime)

    # -- errors ------------------------------------------------------------------------------

    def _refused_token_error(self, response: httpx.Response, token: AccessToken) -> AcousticError:
        """A 401 for a token that was new or had just replaced a refused one."""
        detail = detail_of(response)
        issued = clock(token.obtained_at)
        if says_expired(response):
            # Not the credentials' fault: the next call asks for a new token at once.
            return AuthenticationError(
                f"Acoustic answered that the access token it issued at {issued} had already "
                f"expired ({detail}). Acoustic's token service seems to be out of step, so the "
                "request was refused. Try again in a few minutes: the console asks for a new "
                "token then.",
                status_code=401,
                api_message=detail,
            )
        refused = CredentialsRefusedError(
            f"Acoustic refused the access token it issued at {issued}, which replaced a "
            f"refused one (HTTP 401: {detail})",
            "The API user may have lost its access to this organisation, or the API address "
            "may belong to another pod: check both in Settings.",
            status_code=401,
            api_message=detail,
        )
        refusal = self._tokens.refused(token, refused)
        if refusal is None:
            return refused
        return AuthenticationError(
            f"{refusal.error.message} The request was refused, and the console will not ask for "
            f"another token before {clock(refusal.until)} (Acoustic blocks clients that ask too "
            "often); Test connection in Settings asks at once.",
            status_code=401,
            api_message=detail,
        )

    def _log_retry(self, method: str, url: str, why: str, attempt: int) -> None:
        logger.info("%s %s failed (%s), retrying (attempt %d)", method, _path(url), why, attempt)


# -- small helpers ------------------------------------------------------------------------------


def _secret(value: str | Secret) -> Secret:
    return value if isinstance(value, Secret) else Secret(str(value).strip())


def _path(url: str) -> str:
    return urlsplit(url).path or url
