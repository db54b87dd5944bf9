"""Maker/checker for real: signed in through an OIDC provider on loopback, the console in live mode
against a sandbox of the test's own (so every POST is counted). Sam asks, Carol approves one send
and rejects another, nobody approves their own, a viewer can neither send nor decide, and the
audit log holds every step."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from components.acoustic import AcousticClient
from components.journal import Journal
from components.sandbox.config import SandboxConfig
from components.sandbox.server import SandboxServer
from components.sending.decisions import approve_and_send
from components.sending.worker import SendWorker
from components.team.auth import Identity, PermissionDenied, Role
from components.ui.text import WORD_JOINER
from tests.browser.accessibility import report, violations
from tests.browser.conftest import (
    SIGNED_IN_SECRETS,
    StreamlitApp,
    compose,
    menu,
    running,
    sidebar,
    sign_in,
    wait_idle,
    wait_rerun,
)
from tests.notification_support import Mailbox, mailbox
from tests.waiting import wait_until

SAM, CAROL, VERA = "sam@example.com", "carol@example.com", "vera@example.com"
BIG = 1001  # one more than a request holds: two batches
BIG_CONTACTS = "\n".join(f"+1 949 500 {i:04d}" for i in range(BIG)) + "\n"
FEW_CONTACTS = "+1 949 500 1234\n+44 7911 123456\n"
FIRST_MESSAGE = "Your order ships today."
SECOND_MESSAGE = "Doors open at 9 tomorrow."
SLOW = 60_000  # ms: a send, a 3 s refresh or a rerun on a loaded 2-core machine
# The "Login codes" program's hours, set so that now is inside them in London and outside them
# in Los Angeles (eight hours behind): from an hour before London's time to three after.
NIGHT_PROGRAM = "129856"
LONDON_NOW = datetime.now(ZoneInfo("Europe/London"))
NIGHT_HOURS = f"""
[console.quiet_hours.programs]
"{NIGHT_PROGRAM}" = {{ start = "{LONDON_NOW - timedelta(hours=1):%H:%M}", end = "{
    LONDON_NOW + timedelta(hours=3):%H:%M}" }}
"""


@dataclass(frozen=True)
class Console:
    url: str
    journal_path: Path
    sandbox: SandboxServer

    def journal(self) -> Journal:
        return Journal(self.journal_path)

    def client(self) -> AcousticClient:
        config = self.sandbox.config
        return AcousticClient(
            self.sandbox.url, config.client_id, config.client_secret, config.refresh_token
        )


# Notifications by email to a real SMTP server on loopback, with links to the console itself.
NOTIFY_BY_EMAIL = """
[console]
public_url = "{{console_url}}"

[console.notifications.email]
host = "{host}"
port = {port}
security = "none"
sender = "SMS Console <sms@example.com>"
"""


@pytest.fixture(scope="module")
def approvers_mailbox() -> Iterator[Mailbox]:
    with mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def console(
    tmp_path_factory: pytest.TempPathFactory, provider: str, approvers_mailbox: Mailbox
) -> Iterator[Console]:
    """One app for the module, signed in through `provider`, with the sandbox's credentials: to
    the console it is a live pod. Its notifications go to `approvers_mailbox`."""
    sandbox = SandboxServer(SandboxConfig()).start()
    config = sandbox.config
    tmp = tmp_path_factory.mktemp("approvals")
    credentials = {
        "ACOUSTIC_BASE_URL": sandbox.url,
        "ACOUSTIC_CLIENT_ID": config.client_id,
        "ACOUSTIC_CLIENT_SECRET": config.client_secret,
        "ACOUSTIC_REFRESH_TOKEN": config.refresh_token,
    }
    app = StreamlitApp(
        tmp,
        extra_env=credentials,
        secrets=SIGNED_IN_SECRETS.format(provider=provider)
        + NIGHT_HOURS
        + NOTIFY_BY_EMAIL.format(host=approvers_mailbox.host, port=approvers_mailbox.port),
    )
    try:
        with running(app):
            yield Console(app.url, tmp / "journal.sqlite3", sandbox)
    finally:
        sandbox.stop()


def ask_for_approval(
    page: Page,
    console: Console,
    contacts: str,
    recipients: int,
    message: str,
    program: str = "12345",
    before: Callable[[object], None] | None = None,
) -> int:
    """Composes a send, opens its confirmation and asks for approval; returns the send's id.
    `before` looks at the dialog first."""
    compose(page, console.url, contacts, program, message)
    batches = 1 + (recipients - 1) // 1000
    ready = f"Ready: {recipients:,} recipients in {batches} batch(es)."
    expect(page.get_by_text(ready)).to_be_visible(timeout=SLOW)
    wait_idle(page)
    page.get_by_role("button", name=re.compile(f"Send to {recipients:,} recipients")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(f"This sends real SMS to {recipients:,} phones")).to_be_visible()
    expect(
        dialog.get_by_text("This send needs approval: every send to a live pod needs approval")
    ).to_be_visible()
    expect(dialog.get_by_text(message)).to_be_visible()
    if before is not None:
        before(dialog)
    if recipients > 1000:  # a large send: the count typed first
        typed = dialog.get_by_role("textbox", name=f"Type {recipients} to confirm")
        typed.fill(str(recipients))
        typed.press("Enter")
        wait_rerun(page)
    dialog.get_by_role("button", name=f"Ask for approval to send {recipients:,} SMS").click()
    expect(dialog).to_be_hidden(timeout=SLOW)
    expect(page.get_by_text("You asked for approval")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("It is waiting for an approver")).to_be_visible()
    title = page.get_by_text(re.compile(r"^Send #\d+ · pod · awaiting approval")).inner_text()
    return int(re.search(r"#(\d+)", title).group(1))


def shown(text: str) -> re.Pattern[str]:
    """`text` as the page shows it: an address may hold the joiner that keeps it from being a
    link (components.ui.text.md)."""
    return re.compile(re.escape(text).replace("@", f"@{WORD_JOINER}?"))


def request_on_approvals(page: Page, send_id: int, asked_by: str, recipients: int) -> object:
    """The expander of the send's request on the Approvals page (already open)."""
    expect(page.get_by_role("heading", name="Approvals", level=1)).to_be_visible()
    request = page.get_by_test_id("stExpander").filter(has_text=f"Send #{send_id} ·")
    expect(request).to_contain_text(shown(f"{recipients:,} recipients · asked by {asked_by}"))
    return request


def open_approvals_from_the_badge(page: Page, waiting: int) -> None:
    link = sidebar(page).get_by_role(
        "link", name=f"{waiting} send{'s' if waiting != 1 else ''} awaiting your approval"
    )
    expect(link).to_be_visible(timeout=SLOW)
    link.click()
    wait_idle(page)


def note(page: Page, request: object, text: str) -> None:
    field = request.get_by_role("textbox", name="Note to the sender (required to reject)")
    field.fill(text)
    field.press("Control+Enter")
    wait_rerun(page)


def sent_once_per_batch(console: Console, send_id: int, timeout: float = 90.0) -> list[dict]:
    """The POSTs the sandbox received once every batch of the send has its final state."""
    journal = console.journal()

    def finished() -> bool:
        batches = journal.batches(send_id)
        return bool(batches) and all(batch.state.final for batch in batches)

    wait_until(finished, timeout=timeout, every=0.2, what=f"send #{send_id} to finish")
    return console.sandbox.sent_payloads()


def canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True)


def audit_rows(page: Page, actions: list[str], expected: int) -> list[tuple[str, str, str]]:
    """(who, action, send) of each row of the Audit table once the page's own filter shows these
    actions only and the table has `expected` rows."""
    field = page.get_by_role("combobox", name="Action")
    chosen = page.get_by_test_id("stMultiSelect").filter(has=field)
    for words in actions:
        field.click()
        field.press_sequentially(words)
        page.get_by_role("option", name=words, exact=True).click()
        expect(chosen).to_contain_text(words)
        wait_rerun(page)
    page.keyboard.press("Escape")
    wait_idle(page)
    table = page.get_by_test_id("stDataFrame").locator("table")  # drawn into the canvas
    expect(table, f"{expected} rows of {actions}").to_have_attribute(
        "aria-rowcount", str(expected + 1), timeout=SLOW
    )
    rows = table.locator("tbody tr")
    return [tuple(rows.nth(i).locator("td").all_inner_texts()[1:4]) for i in range(rows.count())]


def test_sam_asks_carol_approves_one_send_and_rejects_another(
    page, second_page, console, approvers_mailbox
):
    sam, carol = page, second_page
    sign_in(sam, console.url, SAM)
    expect(sidebar(sam)).to_contain_text("Live · http")
    first = ask_for_approval(sam, console, BIG_CONTACTS, BIG, FIRST_MESSAGE)
    assert console.sandbox.sent_payloads() == []  # nothing leaves before the approval

    # Carol's mailbox holds one email about it (not Sam's: nobody approves their own), with a
    # link that opens the request.
    asked = wait_until(
        lambda: approvers_mailbox.to(CAROL), timeout=30, every=0.2, what="the approver's email"
    )
    assert len(asked) == 1 and not approvers_mailbox.to(SAM)
    assert asked[0]["Subject"] == f"Send #{first} waits for your approval"
    link = re.search(r"Open it in the console: (\S+)", asked[0].get_content()).group(1)
    assert link == f"{console.url}/approvals"

    # Carol sees the request with the confirmation Sam saw, and it passes the WCAG check.
    sign_in(carol, console.url, CAROL)
    expect(sidebar(carol).get_by_role("link", name="1 send awaiting your approval")).to_be_visible(
        timeout=SLOW
    )
    carol.goto(link)
    wait_idle(carol)
    request = request_on_approvals(carol, first, SAM, BIG)
    expect(request).to_contain_text(f"This sends real SMS to {BIG:,} phones")
    facts = request.get_by_test_id("stDataFrame")
    for fact in ("SMS program", "12345", "Recipients", f"{BIG:,}", "Requests (batches"):
        expect(facts).to_contain_text(fact)
    bubble = request.get_by_role("figure", name=f"SMS preview: +19495000000 · 1 of {BIG:,}")
    expect(bubble).to_contain_text(FIRST_MESSAGE)
    found = violations(carol)
    assert not found, report(found, "Approvals with a pending request")

    note(carol, request, "Checked the list, go ahead")
    request.get_by_role("button", name=f"Approve and send {BIG:,} SMS").click()
    expect(carol.get_by_text(f"Send #{first} is approved and sending")).to_be_visible(timeout=SLOW)

    # Exactly the journaled requests, one POST each.
    sent = sent_once_per_batch(console, first)
    journal = console.journal()
    journaled = [journal.batch_payload(batch.id) for batch in journal.batches(first)]
    assert len(journaled) == 2 and len(sent) == len(journaled)
    assert sorted(map(canonical, sent)) == sorted(map(canonical, journaled))

    # Sam's Compose follows by itself (it refreshes while the request waits).
    expect(sam.get_by_text(shown(f"{CAROL} approved it"))).to_be_visible(timeout=SLOW)
    expect(sam.get_by_text("Checked the list, go ahead")).to_be_visible()
    expect(sam.get_by_text("2 of 2 batch(es) done")).to_be_visible(timeout=SLOW)
    accepted = sam.get_by_test_id("stMetric").filter(has_text="Accepted")
    expect(accepted).to_contain_text(f"{BIG:,}", timeout=SLOW)

    # A second request, rejected with a note: nothing more is sent and Sam reads why.
    second = ask_for_approval(sam, console, FEW_CONTACTS, 2, SECOND_MESSAGE)
    carol.reload()
    wait_idle(carol)
    open_approvals_from_the_badge(carol, 1)
    request = request_on_approvals(carol, second, SAM, 2)
    expect(request.get_by_role("figure", name=re.compile("^SMS preview"))).to_contain_text(
        SECOND_MESSAGE
    )
    note(carol, request, "Use the OTP program for this one")
    request.get_by_role("button", name="Reject").click()
    expect(carol.get_by_text(f"Send #{second} is rejected; nothing was sent.")).to_be_visible(
        timeout=SLOW
    )
    expect(sam.get_by_text(shown(f"{CAROL} rejected it"))).to_be_visible(timeout=SLOW)
    expect(sam.get_by_text("Use the OTP program for this one")).to_be_visible()
    assert len(console.sandbox.sent_payloads()) == len(journaled)

    # The audit log has each step, with who took it.
    carol.get_by_test_id("stSidebarNav").get_by_role("link", name="Audit").click()
    wait_idle(carol)
    steps = [
        (SAM, "send requested", first),
        (CAROL, "send approved", first),
        (CAROL, "send started", first),
        (CAROL, "send finished", first),
        (SAM, "send requested", second),
        (CAROL, "send rejected", second),
    ]
    actions = list(dict.fromkeys(action for _, action, _ in steps))
    rows = audit_rows(carol, actions, len(steps))
    assert sorted(rows) == sorted((who, what, str(send)) for who, what, send in steps)


def test_nobody_approves_their_own_send_and_a_viewer_neither_sends_nor_decides(
    page, second_page, console
):
    carol, vera = page, second_page
    posts = len(console.sandbox.sent_payloads())
    sign_in(carol, console.url, CAROL)
    own = ask_for_approval(carol, console, FEW_CONTACTS, 2, "Carol's own message.")
    carol.get_by_test_id("stSidebarNav").get_by_role("link", name="Approvals").click()
    wait_idle(carol)
    request = request_on_approvals(carol, own, CAROL, 2)
    expect(request).to_contain_text("You asked for this send, and nobody approves their own")
    expect(request.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    expect(sidebar(carol).get_by_text("awaiting your approval")).to_have_count(0)

    sign_in(vera, console.url, VERA)
    assert menu(vera) == ["Overview", "Status", "History", "Templates", "Do not text"]
    vera.goto(f"{console.url}/compose")
    wait_idle(vera)
    refusal = vera.get_by_test_id("stAlert")
    expect(refusal).to_contain_text("Compose is not open to your role")
    expect(vera.locator("textarea")).to_have_count(0)

    # Past the pages: the worker and the decision refuse her themselves.
    worker = SendWorker(console.journal())
    viewer = Identity(email=VERA, roles=frozenset({Role.VIEWER}))
    with pytest.raises(PermissionDenied):
        worker.start(own, console.client(), by=viewer)
    with pytest.raises(PermissionDenied):
        approve_and_send(
            worker, console.client(), own, by=viewer, mode="pod"
        )  # the live connection
    worker.shutdown()
    assert len(console.sandbox.sent_payloads()) == posts


def test_an_approval_after_the_recipients_hours_waits_and_status_shows_them_held(
    page, second_page, console
):
    """Asked for when one recipient is outside the program's hours: the approver is told it
    will wait; approved, the other goes at once and Status shows the held one, with when."""
    sam, carol = page, second_page
    posts = len(console.sandbox.sent_payloads())
    message = "Your login code is 4821."

    def outside_hours_said(dialog: object) -> None:
        expect(
            dialog.get_by_text("1 of 2 recipients are outside the allowed hours")
        ).to_be_visible()
        facts = dialog.get_by_test_id("stDataFrame")
        expect(facts).to_contain_text("each waits until their hours begin")

    sign_in(sam, console.url, SAM)
    send_id = ask_for_approval(
        sam, console, FEW_CONTACTS, 2, message, NIGHT_PROGRAM, before=outside_hours_said
    )
    sign_in(carol, console.url, CAROL)
    open_approvals_from_the_badge(carol, 1)
    request = request_on_approvals(carol, send_id, SAM, 2)
    expect(request).to_contain_text("1 of its 2 recipients are outside their allowed hours")
    expect(request).to_contain_text("each of the others waits until their hours begin")
    request.get_by_role("button", name="Approve and send 2 SMS").click()
    expect(carol.get_by_text(f"Send #{send_id} is approved and sending")).to_be_visible(
        timeout=SLOW
    )
    # London's SMS goes at once; Los Angeles' waits for its morning: the worker's run ends.
    journal = console.journal()
    wait_until(
        lambda: journal.audit_entries(send_id=send_id, action="send_finished"),
        timeout=30,
        every=0.2,
        what="the approved send's run to end",
    )
    sent = console.sandbox.sent_payloads()[posts:]
    assert [c["phoneNumber"] for p in sent for c in p["contacts"]] == ["447911123456"]
    held = [b for b in journal.batches(send_id) if b.state.value == "planned"]
    assert len(held) == 1 and held[0].not_before > time.time() + 3600

    carol.goto(f"{console.url}/history?send={send_id}")
    wait_idle(carol)
    expect(carol.get_by_text("Recipients outside their allowed hours wait for them")).to_be_visible(
        timeout=SLOW
    )
    carol.get_by_role("link", name=re.compile(r"Status of its 1 transaction")).click()
    wait_idle(carol)
    grid = carol.get_by_test_id("stDataFrame").last
    expect(grid).to_contain_text("Held: outside their allowed hours", timeout=SLOW)
    opens = datetime.fromtimestamp(held[0].not_before, ZoneInfo("UTC"))
    expect(grid).to_contain_text(f"{opens:%H:%M} (UTC+00:00")
