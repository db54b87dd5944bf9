"""Shared helpers of the AppTest files: the app, the texts a page shows, and a Compose page
filled in. The `app_environment` fixture (no credentials, a journal of its own) is in conftest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from components.ui.text import plain

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


def composed(content: str, paste: str, program: str = "12345") -> AppTest:
    """The Compose page with contacts pasted, a program and a message."""
    at = new_app().run()
    at.session_state["compose.content"] = content
    at.text_area(key="compose.paste").set_value(paste)
    at.text_input(key="compose.program").set_value(program)
    return at.run()
