"""Nothing typed is lost: marketers type into every field of Compose without a pause, moving on
before the last rerun has begun, while other sessions keep the same process busy.

Three typists at once (each a browser context of its own), two more sessions pasting 2,000
contacts and typing, TYPING_ATTEMPTS compositions in all (`make test`: 3; CI: 60; `make
stress`: 150, enough to see a loss that happens once in a hundred). Every attempt's fields are
read back once the page has settled; a lost value is named with its attempt and screenshot.

Before the fix this lost typing in about one composition in ten. The paste's full run ended
early in `st.rerun()` (to redraw the phone-column list) before it had drawn the message section:
the browser dropped that section's widgets and drew them empty again while the server still held
what was typed. And the message section was a fragment, whose reruns crossed the page's full
runs: the browser then drew the section anew, mid-typing, with each widget's default.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, wait_idle
from tests.console_process import ROOT

ATTEMPTS = int(os.environ.get("TYPING_ATTEMPTS", "3"))
TYPISTS = 3
CONTACTS = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+44 7911 123456,Bob\n+1 949 500 9990,Cy\n"
MESSAGE = "Hi %%FIRST NAME%%, your table is ready."
FIELDS = {  # typed in this order, each left with Tab as a quick typist does
    "SMS program id": "12345",
    "Source (optional)": "ref-7",
    "Campaign name (optional)": "Spring",
}
EXPIRY = "15"
AFTER_MESSAGE = {  # typed straight after the message, in this order
    "%%FIRST NAME%%": "friend",  # the tag's default, drawn by the message's fragment
    "Test number": "+1 949 500 1299",
}


@pytest.fixture
def busy_console(app_url: str) -> Iterator[None]:
    """Two other marketers typing in the same console process while the test runs."""
    load = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.busy_sessions", app_url, "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert load.stdout is not None and load.stdout.readline().strip() == "busy"
        yield
    finally:
        load.terminate()
        try:
            load.wait(timeout=60)
        except subprocess.TimeoutExpired:
            load.kill()


def compose_without_pauses(page: object, url: str) -> None:
    """Every field of Compose, typed straight after the one before: no wait for any rerun."""
    page.goto(url)  # type: ignore[attr-defined]
    wait_idle(page)  # the page itself: a marketer sees it before typing
    paste = page.get_by_role("textbox", name="Phone numbers, one a line")  # type: ignore[attr-defined]
    paste.fill(CONTACTS)
    paste.press("Control+Enter")
    for label, value in FIELDS.items():
        box = page.get_by_role("textbox", name=label)  # type: ignore[attr-defined]
        box.click()
        box.press_sequentially(value, delay=15)
        box.press("Tab")
    expiry = page.get_by_role("spinbutton", name=re.compile("Expire after"))  # type: ignore[attr-defined]
    expiry.click()
    expiry.press_sequentially(EXPIRY, delay=15)
    expiry.press("Tab")
    editor = page.locator("textarea.input")  # type: ignore[attr-defined]
    editor.click()
    editor.press_sequentially(MESSAGE, delay=15)
    for label, value in AFTER_MESSAGE.items():
        box = page.get_by_role("textbox", name=label, exact=True)  # type: ignore[attr-defined]
        box.click()
        box.press_sequentially(value, delay=15)
        box.press("Tab")


def lost_values(page: object) -> list[str]:
    """What the page holds, once settled, that differs from what was typed."""
    with_timeout = {"timeout": 30_000}
    with contextlib.suppress(AssertionError):  # the values below say what is missing
        ready = page.get_by_text("Ready: 3 recipients in 1 batch(es).")  # type: ignore[attr-defined]
        expect(ready).to_be_visible(**with_timeout)
    wait_idle(page)
    found = {label: page.get_by_role("textbox", name=label).input_value() for label in FIELDS}  # type: ignore[attr-defined]
    found["Expire after"] = page.get_by_role(
        "spinbutton", name=re.compile("Expire after")
    ).input_value()  # type: ignore[attr-defined]
    found["Message"] = page.locator("textarea.input").input_value()  # type: ignore[attr-defined]
    for label in AFTER_MESSAGE:
        found[label] = page.get_by_role("textbox", name=label, exact=True).input_value()  # type: ignore[attr-defined]
    expected = {**FIELDS, "Expire after": EXPIRY, "Message": MESSAGE, **AFTER_MESSAGE}
    return [
        f"{name} {found[name]!r} (typed {value!r})"
        for name, value in expected.items()
        if found[name] != value
    ]


def typist(url: str, attempts: list[int], losses: list[str], failures: list[str]) -> None:
    """One marketer after another at the same desk: each attempt is a new browser session."""
    artifacts = ROOT / "test-artifacts"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            for attempt in attempts:
                context = browser.new_context(
                    viewport={"width": 1400, "height": 1000}, locale="en-US"
                )
                page = context.new_page()
                page.set_default_timeout(30_000)
                try:
                    compose_without_pauses(page, url)
                    lost = lost_values(page)
                    if lost:
                        losses.append(f"attempt {attempt}: " + "; ".join(lost))
                        artifacts.mkdir(exist_ok=True)
                        page.screenshot(
                            path=str(artifacts / f"typing-lost-{attempt}.png"), full_page=True
                        )
                except Exception as exc:  # a journey that could not even type is a failure too
                    failures.append(f"attempt {attempt}: {type(exc).__name__}: {exc}"[:400])
                finally:
                    context.close()
        finally:
            browser.close()


@pytest.mark.timeout(1800)
def test_nothing_typed_is_lost_while_the_console_is_busy(app_url, busy_console):
    losses: list[str] = []
    failures: list[str] = []
    shares = [list(range(n, ATTEMPTS, TYPISTS)) for n in range(TYPISTS)]
    threads = [
        threading.Thread(target=typist, args=(app_url, share, losses, failures)) for share in shares
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, "\n".join(failures)
    assert not losses, f"{len(losses)} of {ATTEMPTS} compositions lost typing:\n" + "\n".join(
        losses
    )
