"""The Acoustic-compatible ASGI app: same paths, bodies and status codes as ACOUSTIC_API.md.

Faults are applied around the routes by `_AcousticLimits`, the way they happen in production: the
concurrency rejection before any processing; 500s, dropped connections and slow answers after the
request was processed (a send is recorded first), which is what makes "never send twice" testable.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse as StarletteJSONResponse
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from components.acoustic.limits import CONCURRENCY_REJECTION_STATUS

from .config import SandboxConfig
from .control import control_routes
from .numbers import outcome_for
from .programs import program_routes
from .rendering import TAG
from .state import SandboxState, Transaction

SEND_PATH = "/rest/channels/sms/externalconsentsends"
STATUS_PATH = "/rest/channels/sms/sends/{transaction_id}/status"
NOT_FOUND_MESSAGE = "Transaction status not found. Please try your request again in a few minutes."
# Assumed, like the client's retry rule, in one place: components.acoustic.limits.
CONCURRENCY_STATUS = CONCURRENCY_REJECTION_STATUS
CONCURRENCY_MESSAGE = (
    "Too many concurrent requests. At most {limit} requests may run at the same time for an "
    "organization."
)


class JSONResponse(StarletteJSONResponse):
    """Starlette's JSON answer, written by orjson: the same compact UTF-8 bytes, sooner (a status
    answer lists up to 1000 contacts)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def envelope(
    data: Any = None, errors: list[str] | None = None, next_page: str | None = None
) -> dict[str, Any]:
    return {
        "meta": {
            "attributes": {},
            "generalErrors": errors or [],
            "fieldErrors": {},
            "links": [],
            "nextPageUrl": next_page,
        },
        "data": data,
    }


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse(envelope(None, [message]), status_code=status)


def _kind(scope: Scope) -> str | None:
    path, method = scope.get("path", ""), scope.get("method", "")
    if path == "/oauth/token" and method == "POST":
        return "token"
    if path == SEND_PATH and method == "POST":
        return "send"
    if path.startswith("/rest/channels/sms/sends/") and path.endswith("/status"):
        return "status"
    if path.startswith(("/rest/", "/oauth/")):
        return "other"
    return None


class _AcousticLimits:
    """Concurrency limit, latency and fault injection around the API routes."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = _kind(scope) if scope["type"] == "http" else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        state, config = self.state, self.state.config
        arrived = time.monotonic()
        counter = {"token": "token_requests", "send": "send_posts", "status": "status_requests"}
        with state.lock:
            if kind in counter:
                state.counters[counter[kind]] += 1
            if state.in_flight >= config.max_concurrent:
                state.counters["concurrency_rejections"] += 1
                rejected = True
            else:
                rejected = False
                state.in_flight += 1
                state.peak_in_flight = max(state.peak_in_flight, state.in_flight)
        if rejected:
            await self._reject(scope, receive, send)
            return
        try:
            fault = state.next_fault(kind) if kind != "other" else None
            if fault == "429":
                with state.lock:
                    state.counters["concurrency_rejections"] += 1
                await self._reject(scope, receive, send)
                return
            buffered: list[Message] = []

            async def capture(message: Message) -> None:
                buffered.append(message)

            await self.app(scope, receive, capture)
            if config.latency > 0:  # the answer leaves `latency` seconds after the request came
                await asyncio.sleep(max(0.0, config.latency - (time.monotonic() - arrived)))
            if fault == "500":
                await error_response(500, "Internal server error")(scope, receive, send)
            elif fault == "drop":
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", b"4096"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b'{"meta": ', "more_body": False})
            else:
                if fault == "slow":
                    await asyncio.sleep(config.slow_seconds)
                for message in buffered:
                    await send(message)
        finally:
            with state.lock:
                state.in_flight -= 1

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = CONCURRENCY_MESSAGE.format(limit=self.state.config.max_concurrent)
        await error_response(CONCURRENCY_STATUS, message)(scope, receive, send)


def _transaction_id() -> str:
    return f"{secrets.token_hex(3)}-{int(time.time() * 1000):x}-{secrets.token_hex(16)}"


def create_app(config: SandboxConfig | None = None) -> ASGIApp:
    """The sandbox as an ASGI app; `app.state` (the SandboxState) is reachable as `.sandbox`."""
    config = config or SandboxConfig()
    state = SandboxState(config)

    async def token(request: Request) -> Response:
        form = await request.form()
        if form.get("grant_type") != "refresh_token":
            if not form.get("grant_type"):
                return _oauth_error(400, "invalid_request", "Missing grant_type")
            return _oauth_error(400, "unsupported_grant_type", "Only refresh_token is supported")
        for name in ("client_id", "client_secret", "refresh_token"):
            if not form.get(name):
                return _oauth_error(400, "invalid_request", f"Missing {name}")
        if form.get("client_id") != config.client_id or form.get("client_secret") != (
            config.client_secret
        ):
            return _oauth_error(401, "invalid_client", "Bad client credentials")
        if form.get("refresh_token") != config.refresh_token:
            return _oauth_error(401, "invalid_grant", "Invalid refresh token")
        value = secrets.token_urlsafe(32)
        with state.lock:
            state.tokens[value] = time.time() + config.token_lifetime
            state.issued.append(value)
        lifetime = config.token_lifetime
        return JSONResponse(
            {
                "access_token": value,
                "token_type": "bearer",
                "refresh_token": config.refresh_token,
                "expires_in": int(lifetime) if float(lifetime).is_integer() else lifetime,
            }
        )

    def authorize(request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        value = value.strip()
        with state.lock:
            expires = state.tokens.get(value) if scheme.lower() == "bearer" else None
        if expires is None:
            return error_response(401, "The access token is invalid.")
        if time.time() >= expires:
            return error_response(401, f"The access token has expired. Token provided was: {value}")
        if not config.sms_enabled:
            return error_response(403, "Forbidden")
        return None

    async def send_sms(request: Request) -> Response:
        refused = authorize(request)
        if refused is not None:
            return refused
        raw = await request.body()
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:  # also bytes that are not UTF-8
            body = None
        if not isinstance(body, dict):
            return error_response(400, "Bad request")
        program = body.get("channelQualifier")
        if not isinstance(program, str | int) or not str(program).strip():
            return error_response(400, "Channel qualifier should be present")
        program = str(program).strip()
        if program not in config.active_programs:
            return error_response(
                400, f"SMS Program is inactive or not found with identifier {program}."
            )
        refusal = _optional_field_error(body)
        if refusal is not None:
            return error_response(400, refusal)
        content = body.get("content")
        content = content if isinstance(content, str) else ""
        if not content.strip() and not body.get("contentId"):
            return error_response(400, "SMS content should be present")
        if len(content) > 800:
            return error_response(400, "The message exceeded the maximum 800 character limit.")
        known = {field.strip().casefold() for field in config.fields}
        unknown = list(
            dict.fromkeys(t for t in TAG.findall(content) if t.strip().casefold() not in known)
        )
        if unknown:
            return error_response(400, f"Wrong personalization tags {', '.join(unknown)}")
        contacts = body.get("contacts")
        if not isinstance(contacts, list) or not 1 <= len(contacts) <= 1000:
            return error_response(
                400,
                "Contacts must contain at least 1 contact and cannot exceed more than 1000 "
                "contacts.",
            )
        numbers: list[str] = []
        for contact in contacts:
            number = contact.get("phoneNumber") if isinstance(contact, dict) else None
            if number is None or not str(number).strip():
                return error_response(
                    400,
                    "Contact information is empty. Please provide contact identifier or lookup "
                    "keys.",
                )
            numbers.append(str(number).strip())
        transaction = Transaction(
            id=_transaction_id(),
            created=time.time(),
            phone_numbers=numbers,
            body=raw,
        )
        with state.lock:
            state.transactions[transaction.id] = transaction
            state.payloads.append(raw)
            state.counters["contacts_received"] += len(numbers)
        location = f"{str(request.base_url).rstrip('/')}{STATUS_PATH}".format(
            transaction_id=transaction.id
        )
        accepted = {"location": location, "id": transaction.id}
        return JSONResponse(accepted if config.bare_accepted else envelope(accepted), 202)

    async def status(request: Request) -> Response:
        refused = authorize(request)
        if refused is not None:
            return refused
        transaction_id = request.path_params["transaction_id"]
        with state.lock:
            transaction = state.transactions.get(transaction_id)
        now = time.time()
        if transaction is None or now - transaction.created < config.status_delay:
            return JSONResponse(
                envelope(
                    {
                        "totalContacts": 0,
                        "contactsProcessed": 0,
                        "contactStatus": [],
                        "errors": [NOT_FOUND_MESSAGE],
                    }
                )
            )
        total = len(transaction.phone_numbers)
        elapsed = now - transaction.created - config.status_delay
        if config.delivery_seconds <= 0:
            reached = total
        else:
            reached = min(total, int(elapsed * total / config.delivery_seconds))
        processed = []
        for number in transaction.phone_numbers[:reached]:
            outcome = outcome_for(number)
            if outcome.sent is None:
                continue
            item: dict[str, Any] = {"phoneNumber": number, "smsSent": outcome.sent}
            if outcome.message:
                item["message"] = outcome.message
            processed.append(item)
        page_items, next_page = processed, None
        if config.page_size > 0:
            try:
                page = max(1, int(request.query_params.get("page", "1")))
            except ValueError:
                page = 1
            start = (page - 1) * config.page_size
            page_items = processed[start : start + config.page_size]
            if start + config.page_size < len(processed):
                next_page = str(request.url.include_query_params(page=page + 1))
        return JSONResponse(
            envelope(
                {
                    "totalContacts": total,
                    "contactsProcessed": len(processed),
                    "contactStatus": page_items,
                    "errors": [],
                },
                next_page=next_page,
            )
        )

    async def index(request: Request) -> Response:
        return JSONResponse(
            {
                "sandbox": "Acoustic-compatible SMS External Consent API sandbox",
                "credentials": {
                    "client_id": config.client_id,
                    "client_secret": config.client_secret,
                    "refresh_token": config.refresh_token,
                },
                "active_programs": list(config.active_programs),
                "fields": list(config.fields),
            }
        )

    routes = [
        Route("/", index),
        Route("/oauth/token", token, methods=["POST"]),
        Route(SEND_PATH, send_sms, methods=["POST"]),
        Route(STATUS_PATH, status, methods=["GET"]),
        *program_routes(
            state, authorize, lambda data: JSONResponse(envelope(data)), error_response
        ),
        *control_routes(state),
    ]
    app = _AcousticLimits(Starlette(routes=routes), state)
    app.sandbox = state  # type: ignore[attr-defined]
    return app


def _optional_field_error(body: dict[str, Any]) -> str | None:
    """The send's optional `ttlInMinutes` (an integer) and `campaignName` (a string), typed as
    the Swagger types them. Assumed: a value of another type is refused like unreadable JSON
    ("Bad request"), and a TTL below one minute with a message of its own."""
    ttl = body.get("ttlInMinutes")
    if ttl is not None:
        if isinstance(ttl, bool) or not isinstance(ttl, int):
            return "Bad request"
        if ttl < 1:
            return "ttlInMinutes must be a positive number of minutes."
    name = body.get("campaignName")
    if name is not None and not isinstance(name, str):
        return "Bad request"
    return None


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)
