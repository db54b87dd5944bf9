"""History: a linked send opens selected; a selection is the link; a search never shows a send that
is not listed (rows are selected by position)."""

import re

from playwright.sync_api import expect

from components.journal import Journal
from tests.browser.conftest import wait_idle, wait_rerun

ROW = 35  # Streamlit's grid: header and rows are 35 px high


def seed(journal: Journal) -> list[int]:
    """Two sends, the newest of the app's (a journey counts its own sends, not the app's)."""
    return [
        journal.create_send(
            kind="bulk",
            mode="sandbox",
            base_url="http://127.0.0.1:1",
            program="12345",
            content=text,
            payloads=[
                {"channelQualifier": "12345", "content": text, "contacts": [{"phoneNumber": "1"}]}
            ],
        ).id
        for text in ("first message zanzibar", "second message quixote")
    ]


def test_selection_link_and_search(page, shared_app):
    first, second = seed(Journal(shared_app.journal))
    app = shared_app
    page.goto(f"{app.url}/history?send={first}")
    wait_idle(page)
    expect(page.get_by_role("heading", name=re.compile(rf"^Send #{first} "))).to_be_visible()

    grid = page.get_by_test_id("stDataFrame").first.bounding_box()

    def click_row(row: int) -> None:
        page.mouse.click(grid["x"] + 15, grid["y"] + ROW * row + ROW / 2)
        wait_idle(page)

    click_row(2)  # newest first: the first is the second row; clicking it clears the selection
    expect(page.get_by_text("Select a send to see its batches.")).to_be_visible()
    assert "send=" not in page.url
    click_row(1)
    expect(page.get_by_role("heading", name=re.compile(rf"^Send #{second} "))).to_be_visible()
    expect(page).to_have_url(f"{app.url}/history?send={second}")

    search = page.get_by_role("textbox", name="Search")
    search.fill("quixote")
    search.press("Enter")
    wait_rerun(page)
    still_listed = page.get_by_role("heading", name=re.compile(rf"^Send #{second} "))
    expect(still_listed).to_be_visible()
    search.fill("zanzibar")
    search.press("Enter")
    wait_rerun(page)
    expect(page.get_by_text("Select a send to see its batches.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(rf"^Send #{first} "))).to_have_count(0)
