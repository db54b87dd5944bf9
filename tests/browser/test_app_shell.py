"""The app loads in a real browser, shows its page map and the sandbox badge."""

from pathlib import Path

from playwright.sync_api import expect

from components.journal import Journal
from tests.browser.conftest import wait_idle


def test_page_map_and_sandbox_badge(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    nav = page.get_by_test_id("stSidebarNav")
    for title in ("Compose", "Status", "History", "Approvals", "Audit", "Do not text", "Settings"):
        expect(nav.get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("Sandbox mode")).to_be_visible()

    nav.get_by_role("link", name="Audit").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Audit")).to_be_visible()
    expect(page.get_by_role("button", name="Export CSV", exact=True)).to_be_visible()

    nav.get_by_role("link", name="Settings").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    page.get_by_role("button", name="Test connection").click()
    wait_idle(page)
    expect(page.get_by_text("Connected: Acoustic issued a new token")).to_be_visible()
    assert "sandbox-secret" not in page.content()
    assert "sandbox-refresh" not in page.content()


def test_a_deep_link_as_the_first_visit_still_gets_the_page_map(page, own_app):
    """A fresh process whose first visitor opens /settings directly (a bookmarked deep link)."""
    page.goto(f"{own_app.url}/settings")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("Sandbox mode")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Compose")).to_be_visible()
    expect(nav.get_by_role("link", name="app", exact=True)).to_have_count(0)


def test_outside_text_in_a_deep_link_shows_as_written_never_as_a_link_or_icon(page, app_url):
    page.goto(f"{app_url}/status?tx=[x](https://evil.example)&tx=:material/error:")
    wait_idle(page)
    warning = page.get_by_text("Not transaction ids, ignored")
    expect(warning).to_be_visible()
    shown = warning.inner_text().replace("\u2060", "")
    assert "[x](https://evil.example), :material/error:" in shown
    expect(page.locator("a[href*='evil.example']")).to_have_count(0)


def test_the_audit_export_downloads_the_log_and_is_recorded(page, own_app, tmp_path):
    page.goto(f"{own_app.url}/audit")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Audit")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV", exact=True).click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "at (UTC),who,action,send,details"
    assert len(lines) == 2 and ",sign_in,," in lines[1]  # this visit's sign-in
    journal = Journal(tmp_path / "journal.sqlite3")
    (export,) = journal.audit_entries(action="export")
    assert export.details["what"] == "audit log" and export.details["rows"] == 1
    assert export.details["file"] == download.value.suggested_filename
