"""Outcomes without looking: a send is made, the browser is closed, and later the outcome is on
History and the Overview although nobody opened Status (the console followed it by itself)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from components.core.states import ContactState
from components.journal import Journal
from components.journal.tables import follows
from tests.browser.conftest import compose, drawn_chart, wait_idle
from tests.waiting import wait_until

CONTACTS = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+1 949 500 1235,Bob\n+1 949 500 9990,Cy\n"
MESSAGE = "Hi %%FIRST NAME%%, your parcel is on its way."


def test_the_outcome_is_on_history_and_the_overview_without_opening_status(browser, own_app):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    compose(page, own_app.url, CONTACTS, "12345", MESSAGE)
    expect(page.get_by_text("Ready: 3 recipients in 1 batch(es).")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name=re.compile(r"Send to 3 recipients")).click()
    page.get_by_role("dialog").get_by_role("button", name="Send 3 SMS (sandbox)").click()
    expect(page.get_by_text(re.compile(r"1 of 1 batch\(es\) done"))).to_be_visible(timeout=30_000)
    # The progress moves on from "accepted" to the outcomes, which the console follows.
    expect(
        page.get_by_text("0 sent · 0 failed · 3 pending, followed by the console")
    ).to_be_visible()
    context.close()  # nobody looks any more

    journal = Journal(own_app.journal)
    (send,) = journal.list_sends()
    # The first look comes 15 s after acceptance: the test moves that moment to now rather
    # than waiting for it. The console's own scheduler asks Acoustic from then on.
    with journal.engine.begin() as conn:
        conn.execute(sa.update(follows).values(next_at=0.0))

    def followed() -> bool:
        states = [o.state for o in journal.outcome_records(send_id=send.id)]
        return len(states) == 3 and ContactState.PENDING not in states

    wait_until(followed, timeout=60, every=0.25, what="the console to follow the outcomes")

    later = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = later.new_page()
    page.goto(f"{own_app.url}/history?send={send.id}")
    wait_idle(page)
    expect(page.get_by_text("2 sent · 1 failed · 0 pending (67% success)")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Overview").click()
    wait_idle(page)
    page.get_by_role("combobox", name="Sends").click()
    page.get_by_role("option", name="Sandbox sends").click()
    wait_idle(page)
    sent = page.get_by_test_id("stMetric").filter(has_text="SMS sent")
    expect(sent).to_contain_text("2")
    expect(page.get_by_test_id("stMetric").filter(has_text="Failed")).to_contain_text("1")
    expect(page.get_by_text(re.compile(r"^Failures by reason: .*1 \(100%\)"))).to_be_visible()
    # A click on the program's bar opens History narrowed to that program's sends in the period.
    chart = drawn_chart(page, "By program")
    chart.locator("g.point path").first.click(force=True)  # plotly takes clicks on its top layer
    expect(
        page.get_by_text(re.compile(r"From the Overview: the sends program 12345"))
    ).to_be_visible(timeout=20_000)
    assert page.url.split("?")[0].endswith("/history") and "program=12345" in page.url
    later.close()
    journal.close()
