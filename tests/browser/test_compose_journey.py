"""A marketer pastes contacts and types a message; the preview follows the typing."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import compose, wait_idle, wait_rerun
from tests.xlsx_support import raw_xlsx, sheet_xml

CONTACT_FILES = Path(__file__).resolve().parents[1] / "data" / "contacts"
CONTACTS = "phone,FIRST NAME\n+1 949 500 1234,Ann\n+44 7911 123456,Bob\n12345,Nobody\n"


def test_preview_and_counts_follow_the_typing(page, app_url):
    # No blur, no Ctrl+Enter in the editor: it reports the text while the marketer types.
    compose(page, app_url, CONTACTS, "", "Hi %%FIRST NAME%%, see you")
    expect(page.get_by_test_id("stMetric").filter(has_text="Recipients")).to_contain_text("2")
    expect(page.get_by_test_id("stMetric").filter(has_text="Rejected")).to_contain_text("1")
    editor = page.locator("textarea.input")
    expect(page.get_by_text(re.compile(r"^26 / 800"))).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("stHtml").get_by_text("Hi Ann, see you")).to_be_visible()
    expect(page.get_by_text("GSM-7", exact=True)).to_be_visible()

    editor.press_sequentially(" — soon", delay=15)
    expect(page.get_by_text(re.compile(r"^33 / 800"))).to_be_visible(timeout=15_000)
    expect(page.get_by_text("UCS-2", exact=True)).to_be_visible()
    expect(page.locator(".backdrop mark")).to_have_text("—")
    expect(page.get_by_test_id("stHtml").get_by_text("Hi Ann, see you — soon")).to_be_visible()

    page.get_by_role("button", name=re.compile("Replace look-alikes")).click()
    wait_idle(page)
    expect(editor).to_have_value("Hi %%FIRST NAME%%, see you - soon")
    expect(page.get_by_text("GSM-7", exact=True)).to_be_visible()

    page.get_by_role("button", name="Next").click()
    wait_idle(page)
    expect(page.get_by_test_id("stHtml").get_by_text("Hi Bob, see you - soon")).to_be_visible()

    # Tag names are the marketer's text: in the defaults' labels (collapsed ones too) nothing of
    # them becomes a link, LaTeX or a colour.
    editor.press_sequentially(" %%[h](https://evil.example)%% %%:red[H] $y$%%", delay=5)
    main = page.get_by_test_id("stMain")
    expect(page.get_by_role("textbox", name=re.compile("evil"))).to_be_visible(timeout=15_000)
    expect(page.get_by_role("textbox", name=re.compile(r"red\[H\]"))).to_be_visible()
    wait_idle(page)
    expect(main.locator("a[href*='evil.example']")).to_have_count(0)
    expect(main.locator(".katex")).to_have_count(0)
    expect(main.locator(".stMarkdownColoredText")).to_have_count(0)
    expect(page.get_by_role("textbox", name="%%FIRST NAME%%")).to_be_visible()  # named as written


def test_the_draft_and_the_upload_survive_a_visit_to_another_page(page, app_url):
    compose(page, app_url, CONTACTS, "12345", "Hey %%FIRST NAME%%")
    expect(page.get_by_text(re.compile(r"^18 / 800"))).to_be_visible(timeout=15_000)
    default = page.get_by_role("textbox", name="%%FIRST NAME%%")
    default.fill("friend")
    default.press("Enter")
    wait_rerun(page)
    source = page.get_by_role("textbox", name="Source (optional)")
    source.fill("my-ref")
    source.press("Enter")
    wait_rerun(page)

    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="History").click()
    wait_idle(page)
    nav.get_by_role("link", name="Compose").click()
    wait_idle(page)
    expect(page.get_by_role("textbox", name="Phone numbers, one a line")).to_have_value(CONTACTS)
    expect(page.get_by_role("textbox", name="SMS program id")).to_have_value("12345")
    expect(page.get_by_role("textbox", name="Source (optional)")).to_have_value("my-ref")
    expect(page.get_by_role("textbox", name="%%FIRST NAME%%")).to_have_value("friend")
    expect(page.locator("textarea.input")).to_have_value("Hey %%FIRST NAME%%")
    expect(page.get_by_test_id("stMetric").filter(has_text="Recipients")).to_contain_text("2")

    page.get_by_text("Upload a file", exact=True).click()
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(CONTACT_FILES / "basic.csv")
    wait_idle(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Recipients")).to_contain_text("7")
    nav.get_by_role("link", name="History").click()
    wait_idle(page)
    nav.get_by_role("link", name="Compose").click()
    wait_idle(page)
    expect(page.get_by_text("Using basic.csv, uploaded earlier.")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Recipients")).to_contain_text("7")
    program = page.get_by_role("textbox", name="SMS program id")
    program.fill("129856")  # the next action keeps the file too
    program.press("Enter")
    wait_rerun(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Recipients")).to_contain_text("7")
    page.get_by_role("button", name="Remove").click()
    wait_idle(page)
    expect(page.get_by_text("Paste or upload contacts")).to_be_visible()


def test_a_workbook_upload_offers_its_sheets(page, app_url, tmp_path):
    book = tmp_path / "export.xlsx"
    book.write_bytes(
        raw_xlsx(
            {
                "Summary": sheet_xml({}),
                "December": sheet_xml({"A1": "Phone", "A2": 19495001234}),
                "November": sheet_xml({"A1": "Phone", "A2": 447911123456, "A3": 447911123457}),
            }
        )
    )
    page.goto(app_url)
    wait_idle(page)
    page.get_by_text("Upload a file", exact=True).click()
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(book)
    wait_idle(page)
    expect(page.get_by_text("Read the sheet 'December' (the first one with data).")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Recipients")).to_contain_text("1")
    page.get_by_role("combobox", name="Sheet").click()
    page.get_by_role("option", name="November").click()
    wait_idle(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Recipients")).to_contain_text("2")


def test_a_program_is_picked_by_name_and_its_id_sent(page, app_url):
    compose(page, app_url, CONTACTS, "", "Hi %%FIRST NAME%%")
    page.get_by_test_id("stSelectbox").filter(has_text="SMS program").click()
    page.get_by_role("option", name=re.compile("^Login codes · 129856 · active")).click()
    wait_rerun(page)
    expect(page.get_by_role("textbox", name="SMS program id")).to_have_value("129856")
    expiry = page.get_by_role("spinbutton", name=re.compile("Expire after"))
    expiry.fill("15")
    expiry.press("Enter")
    wait_rerun(page)
    page.get_by_text("Show request").click()
    request = page.get_by_test_id("stCode").first
    expect(request).to_contain_text('"channelQualifier": "129856"')
    expect(request).to_contain_text('"ttlInMinutes": 15')
