"""Templates for real: signed in through an OIDC provider on loopback, the console in live mode
against a sandbox of the test's own (every POST counted). Sam saves a template in English and
German, Carol approves it, Sam sends from it without a second person (one POST per language),
then changes the text and the same send asks for approval."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from components.journal import Journal
from components.sandbox.config import SandboxConfig
from components.sandbox.server import SandboxServer
from tests.browser.accessibility import report, violations
from tests.browser.conftest import (
    SIGNED_IN_SECRETS,
    StreamlitApp,
    running,
    sidebar,
    sign_in,
    wait_idle,
    wait_rerun,
)
from tests.waiting import wait_until

SAM, CAROL = "sam@example.com", "carol@example.com"
SLOW = 60_000
ENGLISH = "Doors open at 9, %%FIRST NAME%%."
GERMAN = "Türen öffnen um 9, %%FIRST NAME%%."
CONTACTS = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+49 30 1234567,Bea\n+44 7911 123456,Cy\n"
PREAPPROVAL = "\n[console.approval]\napproved_templates_up_to = 5\n"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, provider: str) -> Iterator[tuple]:
    sandbox = SandboxServer(SandboxConfig()).start()
    config = sandbox.config
    tmp = tmp_path_factory.mktemp("templates")
    app = StreamlitApp(
        tmp,
        extra_env={
            "ACOUSTIC_BASE_URL": sandbox.url,
            "ACOUSTIC_CLIENT_ID": config.client_id,
            "ACOUSTIC_CLIENT_SECRET": config.client_secret,
            "ACOUSTIC_REFRESH_TOKEN": config.refresh_token,
        },
        secrets=SIGNED_IN_SECRETS.format(provider=provider) + PREAPPROVAL,
    )
    try:
        with running(app):
            yield app.url, tmp / "journal.sqlite3", sandbox
    finally:
        sandbox.stop()


def open_page(page: Page, name: str) -> None:
    sidebar(page).get_by_role("link", name=name).click()
    wait_idle(page)


def typed(page: Page, name: str, text: str, commit: str = "Control+Enter") -> None:
    """Types into the field labelled `name` and commits it, as a person does."""
    field = page.get_by_role("textbox", name=name, exact=True)
    field.fill(text)
    field.press(commit)
    wait_rerun(page)


def save_template(sam: Page) -> None:
    open_page(sam, "Templates")
    typed(sam, "Name", "Doors", "Enter")
    typed(sam, "When to use it", "Event days", "Enter")
    typed(sam, "Message", ENGLISH)
    typed(sam, "SMS program id", "12345", "Enter")
    typed(sam, "Default for %%FIRST NAME%%", "friend", "Enter")
    typed(sam, "Add a language", "de", "Enter")
    sam.get_by_role("button", name="Add", exact=True).click()
    wait_rerun(sam)
    typed(sam, "Message (de)", GERMAN)
    sam.get_by_role("button", name="Save template").click()
    expect(sam.get_by_text("Saved Doors v1.")).to_be_visible(timeout=SLOW)


def start_from_template(sam: Page, url: str) -> None:
    sam.goto(url)
    wait_idle(sam)
    paste = sam.get_by_role("textbox", name="Phone numbers, one a line")
    paste.fill(CONTACTS)
    paste.press("Control+Enter")
    wait_rerun(sam)
    sam.get_by_role("combobox", name="Start from a template").click()
    sam.get_by_role("option", name=re.compile(r"^Doors — Event days")).click()
    wait_idle(sam)
    expect(sam.get_by_text("From the template Doors v1 (approved)")).to_be_visible(timeout=SLOW)
    expect(sam.get_by_text("Languages: en 2 · de 1.")).to_be_visible()


def test_an_approved_template_goes_out_at_once_and_a_changed_one_asks(page, second_page, console):
    url, journal_path, sandbox = console
    sam, carol = page, second_page
    sign_in(sam, url, SAM)
    save_template(sam)
    found = violations(sam)
    assert not found, report(found, "Templates with a template open")

    # Carol approves Sam's version on its Versions tab.
    sign_in(carol, url, CAROL)
    open_page(carol, "Templates")
    carol.get_by_role("tab", name="Versions").click()
    carol.get_by_role("button", name="Approve").click()
    expect(carol.get_by_text("Approved Doors v1.")).to_be_visible(timeout=SLOW)

    # Sam sends from it: no second person, one request per language.
    start_from_template(sam, url)
    sam.get_by_role("button", name=re.compile(r"Send to 3 recipients")).click()
    dialog = sam.get_by_role("dialog")
    expect(dialog.get_by_text("No second person needed")).to_be_visible(timeout=SLOW)
    dialog.get_by_role("button", name="Send 3 SMS").click()
    expect(dialog).to_be_hidden(timeout=SLOW)
    journal = Journal(journal_path)

    def sent() -> list[dict]:
        return sandbox.sent_payloads()

    wait_until(lambda: len(sent()) == 2, timeout=60, every=0.2, what="two POSTs")
    contents = sorted((p["content"], len(p["contacts"])) for p in sent())
    assert contents == [(ENGLISH, 2), (GERMAN, 1)]
    (record,) = journal.list_sends()
    assert record.template_label == "Doors v1" and record.approval is None

    # The same send with the text changed is an ordinary send: it asks for approval.
    editor = sam.locator("textarea.input")
    editor.click()
    editor.press("End")
    editor.press_sequentially(" See you!", delay=20)
    expect(sam.get_by_text("Changed from Doors v1")).to_be_visible(timeout=SLOW)
    wait_idle(sam)
    sam.get_by_role("button", name=re.compile(r"Send to 3 recipients")).click()
    dialog = sam.get_by_role("dialog")
    expect(dialog.get_by_text("This send needs approval")).to_be_visible(timeout=SLOW)
    expect(dialog.get_by_role("button", name="Ask for approval to send 3 SMS")).to_be_visible()
    assert len(sent()) == 2
