"""Real receivers on loopback for the notification tests: an SMTP server (aiosmtpd) that keeps
every message it accepts, and an HTTP server standing in for Slack's or Teams' incoming webhooks
that can refuse a number of times, or hold a request until the test lets it go."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from tests.ports import free_port


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[attr-defined]
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@contextmanager
def mailbox() -> Iterator[Mailbox]:
    """An SMTP server on loopback (no TLS, no login): `security = "none"`."""
    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Receiver:
    url: str
    bodies: list[dict] = field(default_factory=list)
    refuse: int = 0  # answer 503 to this many requests first
    hold: threading.Event | None = None  # when set: hold each request until it is set
    arrived: threading.Event = field(default_factory=threading.Event)
    attempts: int = 0


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    port = free_port()
    receiver = Receiver(f"http://127.0.0.1:{port}/hooks/T000/B000/secret-part")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.attempts += 1
            receiver.arrived.set()
            if receiver.hold is not None:
                receiver.hold.wait(30)
            if receiver.refuse > 0:
                receiver.refuse -= 1
                self.send_response(503)
                self.end_headers()
                self.wfile.write(b"busy, try later")
                return
            receiver.bodies.append(json.loads(body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        if receiver.hold is not None:
            receiver.hold.set()
        server.shutdown()
        server.server_close()
