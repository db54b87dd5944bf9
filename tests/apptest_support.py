"""Shared helpers of the AppTest files: the app, the texts a page shows, and a Compose page
filled in. The `app_environment` fixture (no credentials, a journal of its own) is in conftest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from components.journal import Journal, SendRecord
from components.ui.text import plain
from tests.waiting import wait_until

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30)


def texts(at: AppTest) -> str:
    """Every text element of the page, one per line, as the reader sees it (Markdown escapes of
    outside text removed)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    return "\n".join(plain(str(p)) for p in parts)


def wait_for_send(journal: Journal, send_id: int, timeout: float = 20) -> None:
    """Until every batch of the send the app's worker runs has its final state."""
    wait_until(
        lambda: all(batch.state.final for batch in journal.batches(send_id)),
        timeout=timeout,
        every=0.05,
        what=f"send #{send_id} to finish",
    )


def journaled_send(journal: Journal, payloads: list[dict], **fields: object) -> SendRecord:
    """A bulk sandbox send written to the journal, as Compose writes it, and not sent."""
    options: dict = dict(
        kind="bulk",
        mode="sandbox",
        base_url="http://127.0.0.1:1",
        program="12345",
        content=payloads[0].get("content", ""),
        payloads=payloads,
    )
    return journal.create_send(**options | fields)


# `[auth]` as a deployment configures it (the provider is never reached in AppTest), and roles.
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-long-random-secret-for-the-tests",
    "client_id": "console",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}
ROLES = {
    "admin": ["ops@example.com"],
    "approver": ["carol@example.com"],
    "sender": ["@example.com"],
    "viewer": ["vera@example.com", "@partner.example"],
}


def signed_in(
    email: str | None, roles: object = ROLES, name: str = "", **claims: object
) -> AppTest:
    """The app with `[auth]` configured and `email` signed in (None: nobody signed in), not yet
    run."""
    at = new_app()
    at.secrets["auth"] = AUTH
    at.secrets["console"] = {"roles": roles}
    at.user = {} if email is None else {"is_logged_in": True, "email": email, "name": name}
    at.user |= claims
    return at


def composed(
    content: str, paste: str, program: str = "12345", *, email: str | None = None
) -> AppTest:
    """The Compose page with contacts pasted, a program and a message; opened by someone signed
    in with `email` if given."""
    at = (new_app() if email is None else signed_in(email)).run()
    at.session_state["compose.content"] = content
    at.text_area(key="compose.paste").set_value(paste)
    at.text_input(key="compose.program").set_value(program)
    return at.run()
