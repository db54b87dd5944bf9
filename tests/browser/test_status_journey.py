"""Send in sandbox mode, open the status, watch it complete, filter by clicking a reason."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import compose, drawn_chart, wait_idle

CONTACTS = (
    "phone,FIRST NAME\n"
    "+1 949 500 1234,Ann\n+44 7911 123456,Bob\n+1 949 500 9990,Cy\n"
    "+1 949 500 9991,Di\n+1 949 500 9992,Ed\n+1 949 500 1299,Flo\n"
)


def test_status_completes_and_a_reason_filters_the_table(page, app_url):
    compose(page, app_url, CONTACTS, "129856", "%%FIRST NAME%%: your order shipped.")
    expect(page.get_by_text("Ready: 6 recipients in 1 batch(es).")).to_be_visible(timeout=15_000)
    page.get_by_role("button", name=re.compile(r"Send to 6 recipients")).click()
    page.get_by_role("dialog").get_by_role("button", name="Send 6 SMS (sandbox)").click()
    status_link = page.get_by_role("link", name=re.compile(r"Status of 1 transaction"))
    expect(status_link).to_be_visible(timeout=20_000)
    status_link.click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Status")).to_be_visible()
    # The sandbox processes contacts progressively; the page polls until all are processed.
    expect(page.get_by_text(re.compile(r"All 6 contacts processed"))).to_be_visible(timeout=45_000)
    wait_idle(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Failed")).to_contain_text("3")
    expect(page.get_by_test_id("stMetric").filter(has_text="Sent")).to_contain_text("3")
    bars = drawn_chart(page, "Failures by reason (click to filter)")
    # Scrolled into view first (a click at a bar's place off the screen reaches nothing), then a
    # click where the bar is drawn: Plotly's drag layer above it receives the pointer events.
    bars.locator(".barlayer .point path").first.click(force=True)
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^1 of 6 contacts match the filters"))).to_be_visible()

    # The export holds the filtered rows, with their personalization, built on the click.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("phoneNumber,country,state,reason,message")
    assert len(lines) == 2 and ",failed," in lines[1]
    # The SMS the sandbox rendered from the request for that phone travels with it.
    assert ",sms," in lines[0] and re.search(r",(Cy|Di|Ed): your order shipped\.,", lines[1])
