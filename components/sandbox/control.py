"""The sandbox's own knobs under /_sandbox/, for tests, benchmarks and a developer's curl.

A web page the marketer happens to visit could otherwise reach them: a form or a no-cors fetch
may POST text/plain to any address, loopback included, and slow, break or reset the sandbox. So
a request from another origin is refused (403), and a POST must be JSON (415), which a page of
another origin cannot send without a CORS preflight that the sandbox never grants.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from .state import SandboxState

FAULT_KINDS = ("500", "drop", "slow", "429")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_OWN_SITE = ("same-origin", "none")  # Sec-Fetch-Site of the sandbox's own page, or a typed URL

Handler = Callable[[Request], Awaitable[Response]]


def control_routes(state: SandboxState) -> list[Route]:
    config = state.config

    async def delivered(request: Request) -> Response:
        """The SMS each contact of a transaction "received"."""
        transaction_id = request.path_params["transaction_id"]
        pairs = state.delivered(transaction_id)
        if pairs is None:
            return _error(404, f"No transaction {transaction_id}.")
        messages = [{"phoneNumber": number, "text": text} for number, text in pairs]
        return JSONResponse({"transactionId": transaction_id, "messages": messages})

    async def stats(request: Request) -> Response:
        return JSONResponse(state.stats())

    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse({"reset": True})

    async def configure(request: Request) -> Response:
        if request.method == "POST":
            try:
                knobs = await request.json()
                if not isinstance(knobs, dict):
                    raise ValueError('Send the knobs as a JSON object, e.g. {"latency": 0.5}.')
                config.update(**knobs)
            except ValueError as exc:  # also a body that is not JSON, or not UTF-8
                return _error(400, str(exc))
        return JSONResponse(config.as_dict())

    async def expire(request: Request) -> Response:
        expire_tokens(state)
        return JSONResponse({"expired": True})

    async def faults(request: Request) -> Response:
        try:
            body = await request.json()
            inject_faults(state, body["path"], body["faults"])
        except (ValueError, KeyError, TypeError) as exc:
            return _error(400, str(exc))
        return JSONResponse({"queued": True})

    return [
        Route("/_sandbox/stats", _guarded(stats)),
        Route("/_sandbox/transactions/{transaction_id}/messages", _guarded(delivered)),
        Route("/_sandbox/reset", _guarded(reset), methods=["POST"]),
        Route("/_sandbox/config", _guarded(configure), methods=["GET", "POST"]),
        Route("/_sandbox/expire-tokens", _guarded(expire), methods=["POST"]),
        Route("/_sandbox/faults", _guarded(faults), methods=["POST"]),
    ]


def expire_tokens(state: SandboxState) -> None:
    with state.lock:
        for value in state.tokens:
            state.tokens[value] = 0.0


def inject_faults(state: SandboxState, kind: str, faults: list[str]) -> None:
    if kind not in state.fault_queues:
        raise ValueError(f"Faults apply to 'send', 'status' or 'token', not {kind!r}.")
    bad = [f for f in faults if f not in FAULT_KINDS]
    if bad:
        raise ValueError(f"Unknown fault(s) {bad}; use {', '.join(FAULT_KINDS)}.")
    with state.lock:
        state.fault_queues[kind].extend(faults)


def _guarded(handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        return _refusal(request) or await handler(request)

    return guarded


def _refusal(request: Request) -> Response | None:
    """403 for a request from another origin, 415 for a POST that is not JSON, else None."""
    origin = request.headers.get("origin")
    site = request.headers.get("sec-fetch-site")
    if (site is not None and site.lower() not in _OWN_SITE) or (
        origin is not None and not _is_own_origin(origin, request)
    ):
        return _error(
            403,
            "Refused: this request comes from another origin (a web page of another site). "
            "The sandbox's knobs answer only to its own origin and to programs such as curl.",
        )
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method == "POST" and media_type != "application/json":
        return _error(415, "Send the sandbox's knobs as JSON, with Content-Type: application/json.")
    return None


def _is_own_origin(origin: str, request: Request) -> bool:
    """Scheme, host and port as origins compare them (a default port may be left out)."""

    def key(url: str) -> tuple[str, str | None, int | None]:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        return scheme, parts.hostname, parts.port or _DEFAULT_PORTS.get(scheme)

    try:
        return key(origin) == key(f"{request.url.scheme}://{request.url.netloc}")
    except ValueError:  # a port that is not a number
        return False


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
