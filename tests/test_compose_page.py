"""The Compose page's states with Streamlit's AppTest."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from components.ui.compose_widgets import segments_in_words
from components.ui.text import plain
from tests.apptest_support import composed, new_app, texts
from tests.xlsx_support import raw_xlsx, sheet_xml

CSV = (
    "Phone Number,FIRST NAME,PIN\n"
    "+1 (949) 500-1234,Ann,0042\n"
    "+44 7911 123456,,1200\n"
    "19495001234,Ann,0042\n"
    "not a number,Nobody,\n"
)


pytestmark = pytest.mark.usefixtures("app_environment")


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_empty_page_invites_contacts_and_blocks_sending():
    at = new_app().run()
    assert not at.exception
    text = texts(at)
    assert "Paste or upload contacts" in text
    assert "There are no valid recipients." in text
    assert "The message is empty." in text


def test_contacts_counts_and_tables():
    at = composed("Hi %%FIRST NAME%%, code %%PIN%%", CSV)
    assert not at.exception
    assert metric(at, "Recipients") == "2"
    assert metric(at, "Rejected") == "1"
    assert metric(at, "Merged") == "1"
    assert not at.dataframe  # the tables are built only when their expander is opened
    at.session_state["compose.recipients_open"] = True
    at.session_state["compose.rejected_open"] = True
    at.run()
    assert len(at.dataframe) == 2
    recipients = at.dataframe[-1].value
    assert recipients["phoneNumber"].tolist() == ["19495001234", "447911123456"]
    assert recipients["PIN"].tolist() == ["0042", "1200"]


def test_missing_values_block_until_a_default_is_given():
    at = composed("Hi %%FIRST NAME%%, code %%PIN%%", CSV)
    text = texts(at)
    assert "%%FIRST NAME%% has no value for 1 recipient" in text
    assert "and no default: +447911123456." in text  # which one, to go and look
    assert "1 own value" in text or "1 own value" in text.replace(",", "")
    at.text_input(key="compose.default.first name").set_value("there").run()
    text = texts(at)
    assert "has no value for 1 recipient" not in text
    assert "Ready: 2 recipients in 1 batch(es)." in text


def test_counts_and_ucs2_warning_with_one_click_fix():
    at = composed("Hi %%FIRST NAME%% — “thanks”", CSV)
    text = texts(at)
    assert "UCS-2" in text and "—" in text
    fix = next(b for b in at.button if b.label.startswith("Replace look-alikes"))
    fix.click().run()
    assert at.session_state["compose.content"] == 'Hi %%FIRST NAME%% - "thanks"'
    assert at.session_state["compose.content_version"] == 1
    assert "**GSM-7**" in texts(at)


def test_preview_steps_through_recipients():
    at = composed("Code %%PIN%% for %%FIRST NAME%%", CSV)
    at.text_input(key="compose.default.first name").set_value("you").run()
    assert "+19495001234" in str(at.get("html")[0].proto)
    next_button = next(b for b in at.button if b.label == "Next")
    next_button.click().run()
    bubble = str(at.get("html")[0].proto)
    assert "+447911123456" in bubble and "Code 1200 for you" in bubble
    assert metric(at, "Segments") == "2"


def test_the_picker_and_the_price_drawn_by_the_page_drive_the_preview_and_the_cost():
    at = composed("Code %%PIN%%", CSV)
    at.number_input(key="compose.preview").set_value(2).run()
    assert "+447911123456" in str(at.get("html")[0].proto)
    assert metric(at, "Estimated cost") == "$0.02"  # 2 segments at the default $0.0079
    at.number_input(key="compose.price").set_value(0.5).run()
    assert metric(at, "Estimated cost") == "$1.00"
    assert "+447911123456" in str(at.get("html")[0].proto)  # the picked recipient stays
    # With no message yet, the picker stays and the SMS waits for one; no cost is shown.
    at.session_state["compose.content"] = ""
    at.run()
    assert not at.exception
    assert "Write the message to see each recipient's SMS" in texts(at)
    assert at.number_input(key="compose.preview").value == 2
    assert not [m for m in at.metric if m.label == "Estimated cost"]


def test_without_a_complete_connection_there_is_no_test_or_send_button(monkeypatch):
    monkeypatch.setenv("ACOUSTIC_POD", "2")
    monkeypatch.setenv("ACOUSTIC_CLIENT_ID", "abc")  # the secret and token missing
    at = composed("Code %%PIN%%", CSV)
    assert not at.exception
    assert "Nothing can be sent until the Acoustic connection is complete" in texts(at)
    labels = [b.label for b in at.button]
    assert "Send a test" not in labels
    assert not [label for label in labels if label.startswith("Send to")]
    assert not [t for t in at.text_input if t.key == "compose.test_number"]


def test_segments_per_sms_in_words_and_the_chart_only_when_asked():
    at = composed("Code %%PIN%% for %%FIRST NAME%%", CSV)
    at.text_input(key="compose.default.first name").set_value("you").run()
    assert "Segments per SMS: 1 segment for 2 recipients (100%)." in texts(at)
    assert not at.get("plotly_chart")  # not redrawn with every keystroke while nobody looks
    at.session_state["compose.segments_chart_open"] = True
    at.run()
    assert len(at.get("plotly_chart")) == 1


def test_segments_in_words_never_rounds_a_few_to_none_or_most_to_all():
    assert segments_in_words({1: 1}, 1) == "Segments per SMS: 1 segment for 1 recipient (100%)."
    assert segments_in_words({1: 9_999, 2: 1}, 10_000) == (
        "Segments per SMS: 1 segment for 9,999 recipients (>99.9%), 2 segments for 1 (<0.1%)."
    )
    assert segments_in_words({1: 95, 2: 5}, 100).endswith(
        "for 95 recipients (95%), 2 segments for 5 (5%)."
    )


def test_contact_values_are_escaped_in_the_bubble():
    at = composed("Hi %%FIRST NAME%%", paste="phone,FIRST NAME\n+19495001234,<b>x</b>\n")
    bubble = str(at.get("html")[0].proto)
    assert "&lt;b&gt;x&lt;/b&gt;" in bubble and "<b>x</b>" not in bubble


def test_show_request_has_the_payload_and_a_curl_without_token():
    at = composed("Hi %%FIRST NAME%%", CSV)
    assert not at.code  # the request is built only while its expander is open
    at.session_state["compose.request_open"] = True
    at.text_input(key="compose.default.first name").set_value("there").run()
    codes = [c.value for c in at.code]
    assert any('"channelQualifier": "12345"' in c for c in codes)
    curl = next(c for c in codes if c.startswith("curl"))
    assert "<ACCESS_TOKEN>" in curl and "/rest/channels/sms/externalconsentsends" in curl
    assert '"PIN"' not in codes[0]  # only the fields the message uses travel


def test_too_long_and_no_program_are_listed_with_fixes():
    at = composed("x" * 820, CSV, program="")
    text = texts(at)
    assert "820 characters long" in text and "Remove at least 20 characters" in text
    assert "No SMS program id is set." in text


def test_bad_file_does_not_crash_the_page():
    at = composed("Hi", paste="\x00\x01\x02 garbage ;;;\n,,,\n")
    assert not at.exception
    assert metric(at, "Recipients") == "0"


def test_the_phone_column_list_follows_the_contacts_and_a_stale_choice_is_dropped():
    at = composed("Hi", "phone,FIRST NAME,alt\n+1 949 500 1234,Ann,+1 949 500 1299\n")
    at.session_state["compose.recipients_open"] = True
    column = at.selectbox(key="compose.phone_column")
    assert column.options == ["(automatic)", "phone", "FIRST NAME", "alt"]  # at once
    column.set_value("alt").run()
    assert at.dataframe[-1].value["phoneNumber"].tolist() == ["19495001299"]
    at.text_area(key="compose.paste").set_value(CSV).run()  # other contacts: no "alt" column
    assert not at.exception and not at.error
    assert at.selectbox(key="compose.phone_column").value == "(automatic)"
    assert metric(at, "Recipients") == "2"


def test_a_tag_two_columns_could_fill_names_both_and_the_choice_fills_preview_and_request():
    at = composed("Hi %%FIRST NAME%%", "phone,First Name,FIRST NAME\n+19495001234,ann,Ann\n")
    assert not at.exception
    text = texts(at)
    assert "could be filled from 2 columns ('First Name', 'FIRST NAME')" in text
    assert "the console uses 'FIRST NAME'" in text  # spelled exactly as the tag
    choice = at.selectbox(key="compose.column.first name")
    assert choice.options == ["First Name", "FIRST NAME"] and choice.value == "FIRST NAME"
    at.session_state["compose.request_open"] = True
    at.run()
    assert '"FIRST NAME": "Ann"' in at.code[0].value
    choice.set_value("First Name").run()
    assert "the console uses 'First Name'" in texts(at)
    assert '"FIRST NAME": "ann"' in at.code[0].value
    html = "".join(str(h.proto.body) for h in at.get("html"))
    assert "Hi ann" in html


def test_a_workbook_with_several_sheets_offers_the_choice():
    data = raw_xlsx(
        {
            "Notes": sheet_xml({}),
            "Contacts": sheet_xml({"A1": "Phone", "B1": "Name", "A2": 19495001234, "B2": "Ann"}),
            "Old": sheet_xml({"A1": "Mobile", "A2": 447911123456, "A3": 447911123457}),
        }
    )
    at = new_app().run()
    at.session_state["compose.contacts_source"] = "Upload a file"
    at.session_state["compose.upload_kept"] = (data, "book.xlsx", "file-1")
    at.session_state["compose.recipients_open"] = True
    at.run()
    assert not at.exception
    sheet = at.selectbox(key="compose.sheet")
    assert sheet.options == ["Notes", "Contacts", "Old"] and sheet.value == "Contacts"
    assert metric(at, "Recipients") == "1"
    assert "Read the sheet 'Contacts' (the first one with data)." in texts(at)
    sheet.set_value("Old").run()
    assert not at.exception
    assert at.dataframe[-1].value["phoneNumber"].tolist() == ["447911123456", "447911123457"]
    assert at.selectbox(key="compose.phone_column").options == ["(automatic)", "Mobile"]
    other = raw_xlsx({"A": sheet_xml({}), "B": sheet_xml({"A1": "Phone", "A2": 19495001299})})
    at.session_state["compose.upload_kept"] = (other, "other.xlsx", "file-2")
    at.run()  # "Old" is not in this workbook: its first sheet with data is read
    assert not at.exception
    assert at.selectbox(key="compose.sheet").options == ["A", "B"]
    assert at.selectbox(key="compose.sheet").value == "B"
    assert at.dataframe[-1].value["phoneNumber"].tolist() == ["19495001299"]
    at.session_state["compose.upload_kept"] = (b"phone\n+19495001299\n", "list.csv", "file-3")
    at.run()  # a CSV has no sheets: no choice, and the stale one does not stop the reading
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "compose.sheet"]
    assert metric(at, "Recipients") == "1"


def test_a_file_that_cannot_be_used_says_why_on_the_page():
    at = new_app().run()
    at.session_state["compose.contacts_source"] = "Upload a file"
    at.session_state["compose.upload_kept"] = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "x.csv", "f")
    at.run()
    assert not at.exception
    assert "This is an old Excel file (.xls" in texts(at)
    at.session_state["compose.upload_kept"] = (b"Phone,Name\n", "header.csv", "g")
    at.run()
    assert "There is only one row (Phone, Name)" in plain(at.warning[0].value)


def test_the_same_contacts_are_read_once_for_every_session(monkeypatch):
    import components.ui.contacts_input as widgets

    readings = []
    real = widgets.read_contacts
    monkeypatch.setattr(
        widgets, "read_contacts", lambda *a, **k: readings.append(1) or real(*a, **k)
    )
    unique = uuid.uuid4().hex  # contacts no earlier test has read in this process
    paste = f"phone,FIRST NAME\n+19495001234,{unique}\n+19495001235,Bea\n+19495001236,Cy\n"
    first = composed("Hi %%FIRST NAME%%", paste)
    second = composed("Hello %%FIRST NAME%%", paste)  # another session, the same contacts
    assert metric(first, "Recipients") == metric(second, "Recipients") == "3"
    assert len(readings) == 1


@pytest.mark.timeout(60)
def test_a_pasted_document_of_a_message_stays_bounded():
    content = "".join(f"Hi %%TAG {i}%% " for i in range(1200))  # ~19 KB, 1,200 tags
    contacts = "phone,TAG 1\n" + "".join(f"+1949500{1000 + i:04d},x\n" for i in range(2000))
    at = composed(content, contacts)
    assert not at.exception
    fields = [t for t in at.text_input if (t.key or "").startswith("compose.default.")]
    assert 0 < len(fields) <= 800 // len("%%TAG 1%%")  # only the tags of a sendable length
    assert "Acoustic accepts at most 800" in texts(at)
    assert "Only the first 800 characters are shown." in texts(at)


def test_a_refused_paste_says_why_and_stays_refused_without_reading_again(monkeypatch):
    import components.ui.contacts_input as widgets

    readings = []
    real = widgets.read_contacts
    monkeypatch.setattr(
        widgets, "read_contacts", lambda *a, **k: readings.append(1) or real(*a, **k)
    )
    at = composed("Hi %%FIRST NAME%%", f"phone,name\n+19495001234,{'x' * 140_000}\n")
    assert not at.exception
    assert "Row 2, column 2 holds 140,000 characters" in texts(at)
    at.run()
    assert not at.exception and "holds 140,000 characters" in texts(at) and len(readings) == 1
