"""A contact who opted out, seen on Status, listed in one click; the next Compose leaves them
out and says so."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import compose, wait_idle

# The sandbox answers "opted out" for numbers ending in 9992.
CONTACTS = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+1 949 500 9992,Opted\n"


def test_an_opted_out_contact_goes_on_the_list_from_status(page, own_app):
    compose(page, own_app.url, CONTACTS, "12345", "Hi %%FIRST NAME%%, your order shipped.")
    expect(page.get_by_text("Ready: 2 recipients in 1 batch(es).")).to_be_visible(timeout=15_000)
    page.get_by_role("button", name=re.compile(r"Send to 2 recipients")).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Send 2 SMS (sandbox)").click()
    expect(dialog).to_be_hidden(timeout=15_000)
    wait_idle(page)
    page.get_by_role("link", name=re.compile(r"Status of 1 transaction")).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"All 2 contacts processed"))).to_be_visible(timeout=45_000)
    wait_idle(page)
    add = page.get_by_role("button", name="Add the 1 opted-out contact(s) to the do-not-text list")
    add.click()
    wait_idle(page)
    expect(page.get_by_text("1 contact(s) added to the do-not-text list")).to_be_visible()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Do not text").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Do not text")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("19495009992")

    compose(page, own_app.url, CONTACTS, "12345", "Hi %%FIRST NAME%%, a second note.")
    expect(
        page.get_by_text("1 recipient(s) are on the do-not-text list and are left out")
    ).to_be_visible(timeout=15_000)
    expect(page.get_by_role("button", name=re.compile(r"Send to 1 recipient"))).to_be_visible()
