"""Schedule a send for the next minute or two, leave it alone, and watch the console start it
by itself: the panel follows it from "scheduled" to done without a click. The test does not wait
for the minute to come: it makes the journaled send due, and the console's scheduler does the
rest."""

import re
import time
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from components.journal import Journal
from tests.browser.conftest import compose, wait_idle, wait_rerun

CONTACTS = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+44 7911 123456,Bob\n"


def test_a_scheduled_send_starts_by_itself(page, shared_app):
    compose(page, shared_app.url, CONTACTS, "12345", "Hi %%FIRST NAME%%, see you at 6.")
    expect(page.get_by_text("Ready: 2 recipients in 1 batch(es).")).to_be_visible(timeout=15_000)
    page.get_by_role("button", name=re.compile(r"Send to 2 recipients")).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("At a date and time").click()
    wait_rerun(page)
    # The browser is in UTC here: the next whole minute at least 40 s away.
    start = (datetime.now(UTC) + timedelta(seconds=100)).replace(second=0, microsecond=0)
    # Streamlit's date and time fields are segments (spin buttons): typed into one by one.
    for name, value in (
        ("year, Date", f"{start:%Y}"),
        ("month, Date", f"{start:%m}"),
        ("day, Date", f"{start:%d}"),
        ("hour, Time", f"{start:%H}"),
        ("minute, Time", f"{start:%M}"),
    ):
        segment = dialog.get_by_role("spinbutton", name=name)
        segment.click()
        segment.press_sequentially(value, delay=30)
    page.keyboard.press("Tab")
    wait_rerun(page)
    expect(dialog.get_by_text(f"{start:%H:%M} (UTC+00:00").first).to_be_visible()
    dialog.get_by_role("button", name="Schedule 2 SMS (sandbox)").click()
    expect(dialog).to_be_hidden(timeout=15_000)
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Scheduled by local user: starts"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"· scheduled"))).to_be_visible()
    # Its time comes (the test moves it to now rather than wait), and nobody clicks anything: the
    # console's scheduler starts it and the panel follows.
    journal = Journal(shared_app.journal)
    send = journal.list_sends()[0]  # the newest: this journey's
    assert send.held and journal.reschedule_send(send.id, time.time()) == 1
    expect(page.get_by_text(re.compile(r"1 of 1 batch\(es\) done"))).to_be_visible(timeout=30_000)
    wait_idle(page)  # the panel's switch to "done" reruns the page: its old copy goes then
    accepted = page.get_by_test_id("stMetric").filter(has_text="Accepted")
    expect(accepted).to_have_count(1)
    expect(accepted).to_contain_text("2")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Audit").click()
    wait_idle(page)
    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_contain_text("send scheduled")
    expect(grid).to_contain_text("send started")
