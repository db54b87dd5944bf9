"""Real receivers on loopback for the notification tests: an SMTP server (aiosmtpd) that keeps
every message it accepts, and an HTTP server standing in for Slack's or Teams' incoming webhooks
that can refuse a number of times, or hold a request until the test lets it go."""

from __future__ import annotations

import email
import email.policy
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files in `folder`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@contextmanager
def tls_mailbox(folder: Path, user: str, password: str) -> Iterator[tuple[Mailbox, Path]]:
    """An SMTP server on loopback that requires STARTTLS (its self-signed certificate: the
    returned PEM file) and a login as `user` with `password`."""
    cert_file, key_file = self_signed(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    box = Mailbox("127.0.0.1", free_port())

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            getattr(auth_data, "login", b"") == user.encode()
            and getattr(auth_data, "password", b"") == password.encode()
        )
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535

    controller = Controller(
        box,
        hostname=box.host,
        port=box.port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticate,
    )
    controller.start()
    try:
        yield box, cert_file
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
