"""The console as `streamlit run` starts it, in a subprocess of its own: for the browser journeys
and the tests that stop and restart the console."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.ports import free_port
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
ALL_DAY = '\n[console.quiet_hours]\nstart = "00:00"\nend = "23:59:59"\n'


class StreamlitApp:
    """`streamlit run app.py` in a subprocess with a clean environment: sandbox mode. `secrets`
    (TOML) become its only secrets file; `{port}` in them is Streamlit's own placeholder, and
    `{console_url}` becomes the console's address (for links in notifications)."""

    def __init__(
        self,
        tmp: Path,
        extra_env: dict[str, str] | None = None,
        secrets: str | None = None,
        *,
        script: str = "console.py",
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ACOUSTIC_", "STREAMLIT_"))}
        env.update(
            {
                "STREAMLIT_SERVER_PORT": str(self.port),
                "STREAMLIT_SERVER_HEADLESS": "true",
                "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
                "SMS_CONSOLE_DATA_DIR": str(tmp),
                # The built-in sandbox at a journey's pace: a status settles in about a second.
                "SMS_CONSOLE_SANDBOX_STATUS_DELAY": "0.3",
                "SMS_CONSOLE_SANDBOX_DELIVERY_SECONDS": "1.0",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(extra_env or {})
        self.journal = tmp / "journal.sqlite3"  # the app's journal (SMS_CONSOLE_DATA_DIR)
        self.log = tmp / "streamlit.log"
        self._log_file = self.log.open("w")
        command = [sys.executable, "-m", "streamlit", "run", script]
        # Quiet hours all day long (but the last second): a journey's confirmation does not
        # depend on the hour the suite runs at. AppTest covers the hours themselves.
        text = (secrets or "").replace("{console_url}", self.url) + ALL_DAY
        (tmp / "secrets.toml").write_text(text, encoding="utf-8")
        command.append(f"--secrets.files={tmp / 'secrets.toml'}")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        def healthy() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log.read_text()}")
            try:
                return httpx.get(f"{self.url}/_stcore/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        try:
            wait_until(healthy, timeout=timeout, every=0.2, what="streamlit to start")
        except AssertionError:
            raise RuntimeError(
                f"streamlit did not start in time:\n{self.log.read_text()}"
            ) from None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log_file.close()


@contextmanager
def running(app: StreamlitApp) -> Iterator[StreamlitApp]:
    """The app once it answers, stopped afterwards whatever happened."""
    try:
        app.wait_ready()
        yield app
    finally:
        app.stop()
