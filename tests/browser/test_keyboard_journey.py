"""Everything a marketer does, from the keyboard alone (Tab, Shift+Tab, Enter, Space, arrows and
typing; no mouse): compose, a test send, the send, the send in History and its status."""

import re

from playwright.sync_api import expect

from tests.browser.accessibility import tab_to
from tests.browser.conftest import wait_idle, wait_rerun

CONTACTS = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+44 7911 123456,Bob\n+1 949 500 9990,Cy"


def test_compose_send_and_follow_up_from_the_keyboard(page, app_url):
    keys = page.keyboard
    page.goto(app_url)
    wait_idle(page)

    tab_to(page, page.get_by_role("textbox", name="Phone numbers, one a line"))
    keys.type(CONTACTS)
    keys.press("Tab")  # leaving the box hands the contacts over
    wait_idle(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Recipients")).to_contain_text("3")

    tab_to(page, page.get_by_role("textbox", name="SMS program id"))
    keys.type("12345")
    tab_to(page, page.get_by_role("textbox", name="Message", exact=True))
    keys.type("Hi %%FIRST NAME%%, your table is ready.")
    expect(page.get_by_text(re.compile(r"^39 / 800"))).to_be_visible(timeout=15_000)
    expect(page.get_by_role("figure", name=re.compile(r"^SMS preview"))).to_contain_text(
        "Hi Ann, your table is ready."
    )
    wait_idle(page)
    tab_to(page, page.get_by_role("button", name="Next"))
    keys.press("Enter")
    wait_rerun(page)
    expect(page.get_by_role("figure", name=re.compile(r"^SMS preview"))).to_contain_text("Hi Bob")

    tab_to(page, page.get_by_role("textbox", name="%%FIRST NAME%%"), backwards=True)
    keys.type("friend")  # the test number is no contact: its name comes from the default
    tab_to(page, page.get_by_role("textbox", name="Test number"))
    keys.type("+1 949 500 1234")
    tab_to(page, page.get_by_role("button", name="Send a test"))
    wait_idle(page)
    keys.press("Space")
    expect(page.get_by_text(re.compile(r"^Test send #\d+ · sandbox"))).to_be_visible(timeout=20_000)
    wait_idle(page)

    send = page.get_by_role("button", name="Send to 3 recipients…")
    tab_to(page, send)
    keys.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Hi Ann, your table is ready.")).to_be_visible()
    tab_to(page, dialog.get_by_role("button", name="Send 3 SMS (sandbox)"))
    keys.press("Enter")
    expect(dialog).to_be_hidden(timeout=15_000)
    progress = page.get_by_text(re.compile(r"^Send #\d+ · sandbox"))
    expect(progress).to_be_visible(timeout=20_000)
    send_id = re.search(r"#(\d+)", progress.inner_text()).group(1)
    expect(page.get_by_text(re.compile(r"1 of 1 batch\(es\) done"))).to_be_visible(timeout=20_000)
    wait_idle(page)

    # History: the newest send is the first row of the table; Shift+Space selects a row.
    tab_to(
        page,
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="History"),
        backwards=True,
    )
    keys.press("Enter")
    wait_rerun(page)
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    # As the page says: Tab into the table (plain Tab order: the search, the mode, the table's
    # toolbar, then the table), go to the send's row with the arrow keys, press Shift+Space.
    tab_to(page, page.get_by_test_id("stDataFrame").locator("canvas").first)
    keys.press("ArrowDown")  # the table opens at its first row: down to the second...
    keys.press("ArrowUp")  # ...and back up to the first, the newest send
    keys.press("Shift+Space")
    wait_idle(page)
    expect(page.get_by_role("heading", name=re.compile(f"^Send #{send_id} "))).to_be_visible()

    tab_to(page, page.get_by_role("link", name="Status of its 1 transaction(s)"))
    keys.press("Enter")
    wait_rerun(page)
    expect(page.get_by_text(re.compile(r"All 3 contacts processed"))).to_be_visible(timeout=45_000)
    wait_idle(page)
    # A click on a bar of "Failures by reason" filters the table; so does Reason, by keyboard.
    tab_to(page, page.get_by_role("combobox", name="Reason"))
    keys.type("Blocked")
    keys.press("Enter")
    keys.press("Escape")
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^1 of 3 contacts match the filters"))).to_be_visible()
