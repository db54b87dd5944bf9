"""Compose, send, confirm, watch the progress finish, find the send in History."""

import re

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import compose, wait_idle

CONTACTS = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+44 7911 123456,Bob\n+1 949 500 9990,Cy\n"


def sandbox_stats(page, app_url) -> dict:
    """The app's sandbox counters, from the address Settings names (the app is the session's:
    other journeys may have sent through it before)."""
    page.goto(f"{app_url}/settings")
    wait_idle(page)
    notice = page.get_by_text("built-in sandbox: an Acoustic-compatible server").inner_text()
    sandbox_url = re.search(r"http://127\.0\.0\.1:\d+", notice).group(0)
    return httpx.get(f"{sandbox_url}/_sandbox/stats").json()


def test_send_and_find_it_in_history(page, app_url):
    before = sandbox_stats(page, app_url)
    compose(page, app_url, CONTACTS, "12345", "Hi %%FIRST NAME%%, your table is ready.")
    expect(page.get_by_text("Ready: 3 recipients in 1 batch(es).")).to_be_visible(timeout=15_000)

    page.get_by_role("button", name=re.compile(r"Send to 3 recipients")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Sandbox mode: the built-in sandbox")).to_be_visible()
    expect(dialog.get_by_text("Hi Ann, your table is ready.")).to_be_visible()
    send = dialog.get_by_role("button", name="Send 3 SMS (sandbox)")
    send.dblclick()  # a double click must not create two sends
    expect(dialog).to_be_hidden(timeout=15_000)
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"1 of 1 batch\(es\) done"))).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Accepted")).to_contain_text("3")
    expect(page.get_by_role("link", name=re.compile(r"Status of 1 transaction"))).to_be_visible()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_contain_text("Hi %%FIRST NAME%%, your table is ready.")
    expect(grid).to_contain_text("1 accepted")
    # Exactly one send, despite the double click.
    expect(grid).not_to_contain_text("#2")

    # Counted on the server: the app's sandbox saw exactly one send more.
    stats = sandbox_stats(page, app_url)
    assert stats["send_posts"] - before["send_posts"] == 1
    assert stats["accepted_sends"] - before["accepted_sends"] == 1
