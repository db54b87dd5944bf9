"""Every page, in its main states, passes axe-core's check as a person runs it: the WCAG 2.1 A
and AA rules and its best practices, every impact. A new page is one line in FIRST_VISIT (and one
in AFTER_A_SEND for its main state)."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from components.team.auth import PAGE_PERMISSIONS
from tests.browser.accessibility import report, violations
from tests.browser.conftest import compose, drawn_chart, wait_idle, wait_rerun

CONTACTS = (
    "phone,FIRST NAME\n"
    "+1 949 500 1234,Ann\n+44 7911 123456,Bob\n+1 949 500 9990,Cy\n"
    "+1 949 500 9991,Di\n12345,Nobody\n+1 949 500 1234,Ann again\n"
)
# Curly quote: a UCS-2 warning with its fix; a tag without a column: a default field.
MESSAGE = "Hi %%FIRST NAME%%, it’s ready. Code %%PIN%%"


@dataclass(frozen=True)
class Visit:
    page: Page
    app_url: str
    send: str  # the id of the sandbox send the journey made


def _status(visit: Visit) -> None:
    """The status of the send just made, with every contact processed (charts and table)."""
    page = visit.page
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Compose").click()
    wait_idle(page)
    page.get_by_role("link", name=re.compile(r"Status of 1 transaction")).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"All 4 contacts processed"))).to_be_visible(timeout=45_000)
    wait_idle(page)
    drawn_chart(page, "Outcome")


def _history(visit: Visit) -> None:
    """History with the send open (its batches and the link to its status)."""
    visit.page.goto(f"{visit.app_url}/history?send={visit.send}")
    wait_idle(visit.page)
    heading = visit.page.get_by_role("heading", name=re.compile(f"^Send #{visit.send} "))
    expect(heading).to_be_visible()


def _settings(visit: Visit) -> None:
    """Settings with the connection tested and how to connect to a real pod shown."""
    page = visit.page
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Settings").click()
    wait_idle(page)
    page.get_by_role("button", name="Test connection").click()
    wait_idle(page)
    expect(page.get_by_text("Connected: Acoustic issued a new token")).to_be_visible()
    page.get_by_text("How to connect to a real pod").click()
    expect(page.get_by_text("Restart the console after changing them.")).to_be_visible()


def _audit(visit: Visit) -> None:
    """The audit log with the send's entries."""
    page = visit.page
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Audit").click()
    wait_idle(page)
    expect(page.get_by_role("button", name="Export CSV")).to_be_visible()


# Every page as a new session first sees it, opened from the page map...
FIRST_VISIT = list(PAGE_PERMISSIONS)  # local mode: every role, so every page
# ...and in its main state once the journey's sandbox send has finished.
AFTER_A_SEND: dict[str, Callable[[Visit], None]] = {
    "Status with a finished send": _status,
    "History with a send open": _history,
    "Audit with the send's entries": _audit,
    "Settings": _settings,
}


def test_every_page_passes_the_wcag_aa_check(page, app_url):
    found: dict[str, list[dict]] = {}

    def check(where: str) -> None:
        found[where] = violations(page)

    page.goto(app_url)
    wait_idle(page)
    for title in FIRST_VISIT:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        wait_idle(page)
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        check(f"{title}, first visit")

    compose(page, app_url, CONTACTS, "12345", MESSAGE)
    expect(page.get_by_text(re.compile(r"^43 / 800"))).to_be_visible(timeout=15_000)
    wait_idle(page)
    expect(page.get_by_test_id("stAlertContentWarning").first).to_be_visible()
    bubble = page.get_by_role("figure", name="SMS preview: +19495001234 · 1 of 4")
    expect(bubble).to_contain_text("Hi Ann, it’s ready. Code")
    page.get_by_text("Rejected rows (1)").click()
    page.get_by_text("Show request").click()
    expect(page.get_by_text("As cURL")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    check("Compose, contacts, message, preview and issues")

    default = page.get_by_role("textbox", name="%%PIN%%")
    default.fill("0000")
    default.press("Enter")
    wait_rerun(page)
    page.get_by_role("button", name=re.compile(r"Send to 4 recipients")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Hi Ann, it’s ready. Code 0000")).to_be_visible()
    check("Compose, the confirmation dialog open")
    dialog.get_by_role("button", name="Send 4 SMS (sandbox)").click()
    expect(dialog).to_be_hidden(timeout=15_000)
    expect(page.get_by_text(re.compile(r"1 of 1 batch\(es\) done"))).to_be_visible(timeout=20_000)
    wait_idle(page)
    page.get_by_text("Transaction ids", exact=True).click()
    check("Compose, the send's progress")
    progress = page.get_by_text(re.compile(r"^Send #\d+ · sandbox")).inner_text()
    send = re.search(r"#(\d+)", progress).group(1)

    for where, visit in AFTER_A_SEND.items():
        visit(Visit(page, app_url, send))
        check(where)

    blocking = {where: v for where, v in found.items() if v}
    assert not blocking, "\n\n".join(report(v, where) for where, v in blocking.items())
