"""The app loads in a real browser, shows its page map and the sandbox badge."""

from playwright.sync_api import expect

from tests.browser.conftest import wait_idle


def test_page_map_and_sandbox_badge(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    nav = page.get_by_test_id("stSidebarNav")
    for title in ("Compose", "Status", "History", "Settings"):
        expect(nav.get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("Sandbox mode")).to_be_visible()

    nav.get_by_role("link", name="Settings").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    page.get_by_role("button", name="Test connection").click()
    wait_idle(page)
    expect(page.get_by_text("Connected: Acoustic accepted the credentials")).to_be_visible()
    assert "sandbox-secret" not in page.content()
    assert "sandbox-refresh" not in page.content()
