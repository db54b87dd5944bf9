"""Runs the sandbox app under uvicorn in a daemon thread, on a loopback port."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import orjson
import uvicorn

from .app import create_app
from .config import SandboxConfig
from .control import expire_tokens, inject_faults
from .state import SandboxState


class SandboxServer:
    """A started sandbox: `.url`, counters and knobs for tests, `.stop()` when done."""

    def __init__(
        self, config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or SandboxConfig()
        self.host = host
        self.port = port
        self.app = create_app(self.config)
        self.state: SandboxState = self.app.sandbox  # type: ignore[attr-defined]
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> SandboxServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without it each answer waits ~40 ms for a delayed ACK.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
            backlog=2048,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name="sandbox"
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The sandbox server did not start.")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- for tests and benchmarks --------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        return self.state.stats()

    def sent_payloads(self) -> list[dict[str, Any]]:
        with self.state.lock:
            raw = list(self.state.payloads)
        return [orjson.loads(body) for body in raw]

    def delivered(self, transaction_id: str) -> list[tuple[str, str]] | None:
        """(phone number, SMS as the sandbox rendered it) of a transaction, None if unknown."""
        return self.state.delivered(transaction_id)

    def issued_tokens(self) -> list[str]:
        with self.state.lock:
            return list(self.state.issued)

    def reset(self) -> None:
        self.state.reset()

    def configure(self, **knobs: object) -> None:
        self.config.update(**knobs)

    def expire_tokens(self) -> None:
        expire_tokens(self.state)

    def inject_faults(self, kind: str, faults: list[str]) -> None:
        inject_faults(self.state, kind, faults)
