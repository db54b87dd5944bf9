"""Contacts in: phone normalization and the messy files users really produce."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from components.contacts import phone
from components.contacts.phone import InvalidPhoneNumber, normalize_phone, parse_phone
from components.contacts.reading import ContactFileError, read_contacts
from tests.phone_reference import reference_reading

CONTACT_FILES = Path(__file__).resolve().parent / "data" / "contacts"  # see its README.md


# -- normalize_phone ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 (949) 500-1234", "US", "19495001234"),
        ("(949) 500-1234", "US", "19495001234"),
        ("949.500.1299", "US", "19495001299"),
        ("+44 7911 123456", "US", "447911123456"),
        ("011 44 7911 123456", "US", "447911123456"),
        ("0044 7911 123456", "GB", "447911123456"),
        ("07911 123456", "GB", "447911123456"),
        ("447911123456", "US", "447911123456"),
        ("447911123456", "DE", "447911123456"),
        ("447911123456", "GB", "447911123456"),
        ("19495001234", "FR", "19495001234"),
        ("19495001234.0", "US", "19495001234"),
        ("tel:+44-7911-123456", "US", "447911123456"),
        ("  +61 412 345 678  ", "US", "61412345678"),
        ("0612345678", "FR", "33612345678"),
        ("+33 6 12 34 56 78", "US", "33612345678"),
        ("+39 06 1234 5678", "US", "390612345678"),
    ],
)
def test_accepted_spellings(raw, region, expected):
    assert normalize_phone(raw, region) == expected


def test_extensions_are_stripped_with_a_note():
    for raw in ("(201) 555-0123 ext. 12", "(201) 555-0123 x12", "+1 201 555 0123 #12"):
        number = parse_phone(raw, "US")
        assert number.digits == "12015550123"
        assert "extension 12 removed" in number.note


def test_landlines_are_kept_but_flagged():
    number = parse_phone("+49 30 123456", "US")
    assert number.digits == "4930123456" and "landline" in number.note
    assert parse_phone("+1 800 555 1234").note.startswith("toll-free")
    assert parse_phone("+44 7911 123456").note is None


@pytest.mark.parametrize(
    ("raw", "region", "reason"),
    [
        ("1.9495E+10", "US", "scientific notation"),
        ("1,9495E+10", "US", "scientific notation"),
        ("1-800-FLOWERS", "US", "letters"),
        ("not a number", "US", "letters"),
        ("", "US", "empty"),
        ("12345", "US", "too short"),
        ("+1 833 920 903", "US", "too short"),
        ("+1 555 555 5555", "US", "not a valid United States number"),
        ("0033 6 12 34 56 78", "US", "start with 011 or +"),
        ("0151 23456789", "US", "too long"),
        ("+999 1234 5678", "US", "country code is not valid"),
        ("949*500*1234", "US", "not part of a phone number"),
    ],
)
def test_rejections_say_why(raw, region, reason):
    with pytest.raises(InvalidPhoneNumber, match=re.escape(reason)):
        normalize_phone(raw, region)
    assert issubclass(InvalidPhoneNumber, ValueError)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(["", "", "+", "00", "011", "0"]),
    digits=st.text(alphabet="0123456789", min_size=5, max_size=15),
    spaces=st.booleans(),
    region=st.sampled_from(["US", "GB", "DE", "FR", "IT", "AU", "IN", "BR", "CA", "JP"]),
)
def test_the_fast_path_agrees_with_phonenumbers(prefix, digits, spaces, region):
    raw = prefix + (" ".join(re.findall(".{1,3}", digits)) if spaces else digits)
    try:
        ours = normalize_phone(raw, region)
    except InvalidPhoneNumber:
        ours = None
    assert ours == reference_reading(raw, region)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.sampled_from(["US", "GB", "DE", "zz", ""]))
def test_normalize_never_crashes(raw, region):
    try:
        result = normalize_phone(raw, region)
    except InvalidPhoneNumber as exc:
        assert str(exc)
    else:
        assert result.isascii() and result.isdigit()


# -- read_contacts ---------------------------------------------------------------------------------


def test_basic_csv():
    contacts = read_contacts((CONTACT_FILES / "basic.csv").read_bytes(), filename="basic.csv")
    assert contacts.phone_column == "Mobile Phone"
    assert contacts.rows == 11
    assert contacts.recipients.columns.tolist() == [
        "phoneNumber",
        "FIRST NAME",
        "LAST NAME",
        "PIN",
        "Tracking",
    ]
    assert contacts.recipients["phoneNumber"].tolist() == [
        "19495009990",
        "19495009991",
        "19495009992",
        "61412345678",
        "19495009993",
        "4915123456789",
        "19495009999",  # stray spaces around the cell
    ]
    assert contacts.duplicates == 1
    assert contacts.duplicate_rows.to_dict("records") == [
        {"row": 6, "phoneNumber": "19495009990", "kept_row": 2}
    ]
    rejected = dict(zip(contacts.rejected["row"], contacts.rejected["reason"], strict=True))
    assert set(rejected) == {9, 10, 11}  # too short, words, empty
    assert "too short" in rejected[9]
    assert "letters" in rejected[10]
    assert "empty" in rejected[11]
    assert contacts.recipients.loc[0, "PIN"] == "0042"
    assert contacts.recipients.loc[1, "LAST NAME"] == "Okafor, Jr."  # quoted comma
    assert contacts.recipients.loc[2, "FIRST NAME"] == "Céline"
    assert pd.isna(contacts.recipients.loc[2, "Tracking"])  # empty cell = missing
    assert contacts.recipients.loc[5, "LAST NAME"] == "Weiß"
    assert contacts.flagged.to_dict("records") == [
        {
            "row": 7,
            "phoneNumber": "19495009993",
            "note": "extension 7 removed (an SMS goes to the main number)",
        }
    ]


def test_excel_semicolon_windows_1252():
    raw = (CONTACT_FILES / "excel_semicolon_cp1252.csv").read_bytes()
    contacts = read_contacts(raw, filename="export.csv")
    assert contacts.phone_column == "Téléphone"
    assert contacts.recipients["phoneNumber"].tolist() == [
        "19495009990",
        "19495009991",  # the Excel float 19495009991.0
        "447400123456",
        "19495009992",
    ]
    assert contacts.recipients["Prénom"].tolist() == ["Zélie", "Anaïs", "Søren", "François"]
    # "Œ" is 0x8C in Windows-1252 but a control character in Latin-1.
    assert contacts.recipients["Nom"].tolist() == ["Dupré", "Lefèvre", "Åberg", "Œuvrard"]
    assert contacts.recipients["Code"].tolist() == ["007", "009", "010", "012"]
    reasons = dict(zip(contacts.rejected["row"], contacts.rejected["reason"], strict=True))
    assert set(reasons) == {3, 6}
    assert "scientific notation" in reasons[3]
    assert "empty" in reasons[6]
    assert any("Windows-1252" in note for note in contacts.notes)


def test_excel_unicode_text():
    raw = (CONTACT_FILES / "excel_unicode.txt").read_bytes()
    assert raw.startswith(b"\xff\xfe")  # UTF-16 LE with its byte-order mark
    contacts = read_contacts(raw, filename="export.txt")
    assert contacts.phone_column == "Mobile"
    assert contacts.recipients["phoneNumber"].tolist() == [
        "19495009990",
        "306912345678",
        "819012345678",
        "79123456789",  # no-break spaces between the digit groups
        "971501234567",
    ]
    assert contacts.recipients["FIRST NAME"].tolist() == [
        "Avery",
        "Ελένη",
        "さくら",
        "Мила",
        "ليلى",
    ]
    assert contacts.recipients["CITY"].tolist() == ["Irvine", "Αθήνα", "札幌", "Казань", "دبي"]
    assert contacts.rejected.empty
    assert any("UTF-16" in note for note in contacts.notes)


def test_xlsx_numbers_and_text_cells():
    contacts = read_contacts((CONTACT_FILES / "contacts.xlsx").read_bytes(), filename="c.xlsx")
    assert contacts.phone_column == "Phone"
    assert contacts.recipients["phoneNumber"].tolist() == [
        "19495009990",
        "19495009991",  # stored as the float 19495009991.0
        "447400123456",
    ]
    assert contacts.recipients["PIN"].tolist() == ["0042", "7", "0100"]  # text keeps its zeros
    assert contacts.recipients.loc[0, "Appointment"] == "2025-03-14T09:30:00"
    assert pd.isna(contacts.recipients.loc[1, "Appointment"])
    assert contacts.rejected.to_dict("records") == [
        {"row": 6, "value": "", "reason": "The phone number is empty."}  # row 5 is blank
    ]
    assert contacts.notes == [
        "Read the sheet 'Contacts' (the first one with data). The workbook also has 'Sheet1': "
        "choose another sheet to read it instead."
    ]
    assert contacts.sheets == ["Sheet1", "Contacts"] and contacts.sheet == "Contacts"


def test_pasted_list():
    contacts = read_contacts((CONTACT_FILES / "pasted_numbers.txt").read_text(encoding="utf-8"))
    assert contacts.recipients["phoneNumber"].tolist() == [
        "19495009990",
        "19495009991",
        "19495009992",
        "447400123456",  # tel: URI
        "61412345678",  # 011, the international prefix dialled from the US
        "19495009993",  # the Excel float 19495009993.0
        "19495009999",
    ]
    assert contacts.duplicate_rows.to_dict("records") == [
        {"row": 5, "phoneNumber": "19495009990", "kept_row": 1}
    ]
    reasons = dict(zip(contacts.rejected["row"], contacts.rejected["reason"], strict=True))
    assert set(reasons) == {7, 9, 11}  # rows as lines of the paste, blank lines counted
    assert "011 or +" in reasons[7]  # 00 prefix, not dialled from the US
    assert "scientific notation" in reasons[9]
    assert "too short" in reasons[11]


def test_pasted_list_with_a_header_and_the_chosen_column():
    text = "Mobile,Name,PIN\n+1 949 500 1234,Ann,0042\n+44 7911 123456,Bob,7\n"
    contacts = read_contacts(text)
    assert contacts.phone_column == "Mobile"
    assert contacts.recipients.to_dict("records")[0] == {
        "phoneNumber": "19495001234",
        "Name": "Ann",
        "PIN": "0042",
    }
    chosen = read_contacts("a,b\n19495001234,447911123456\n", phone_column="B")
    assert chosen.recipients["phoneNumber"].tolist() == ["447911123456"]
    with pytest.raises(ContactFileError, match="no column 'Phone'"):
        read_contacts("a,b\n1,2\n", phone_column="Phone")


def test_default_region_applies_to_national_numbers():
    assert read_contacts("07911 123456", default_region="GB").recipients[
        "phoneNumber"
    ].tolist() == ["447911123456"]
    assert read_contacts("07911 123456", default_region="US").recipients.empty


def test_quoted_fields_blank_lines_tabs_and_crlf():
    text = 'phone\tname\r\n"+1 949 500 1234"\t"Lee, Ann"\r\n\r\n+1 949 500 1299\tBob\r\n'
    contacts = read_contacts(text.encode("utf-8-sig"))
    assert contacts.recipients["name"].tolist() == ["Lee, Ann", "Bob"]
    assert contacts.rejected.empty


def test_rows_of_empty_cells_are_skipped_and_row_numbers_kept():
    contacts = read_contacts("phone,name\n+1 949 500 1234,Ann\n,\n  ,  \nnope,Cy\n")
    assert contacts.recipients["name"].tolist() == ["Ann"]
    assert contacts.rejected[["row", "value"]].values.tolist() == [[5, "nope"]]


def test_another_column_called_phoneNumber_never_replaces_the_checked_numbers():
    contacts = read_contacts(
        "phoneNumber,mobile\n(949) 500-1234,+44 7911 123456\n", phone_column="mobile"
    )
    assert contacts.recipients.to_dict("records") == [
        {"phoneNumber": "447911123456", "phoneNumber (2)": "(949) 500-1234"}
    ]


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("Order number,Contact\nA-1001,+19495001234\nA-1002,+19495001299\n", "Contact"),
        ("Hotel,Contact\nRitz,+19495001234\n", "Contact"),
        ("Name,Telefonnummer\nAnn,+19495001234\n", "Telefonnummer"),
        ("id,phoneNumber,fax\n7,+19495001234,+19495001299\n", "phoneNumber"),
        ("Phone,Name\nnone yet,Ann\n", "Phone"),  # nothing phone-like: the header decides
        ("customer id,homephone\n10012345,+1 949 500 1234\n", "homephone"),
        ("Order number,Mobile\n10012345,+1 949 500 1234\n", "Mobile"),
        ("Kundennummer,Natel\n10012345,+41 79 123 45 67\n", "Natel"),
    ],
)
def test_the_phone_column_is_guessed_from_headers_and_content(text, column):
    assert read_contacts(text).phone_column == column


def test_headers_are_made_unique_and_named():
    contacts = read_contacts("Phone,Name,Name,\n19495001234,a,b,c\n")
    assert contacts.recipients.columns.tolist() == ["phoneNumber", "Name", "Name (2)", "Column 4"]


def test_long_ids_stay_text():
    contacts = read_contacts("Phone;Id\n19495001234;000123456789012345678\n")
    assert contacts.recipients["Id"].tolist() == ["000123456789012345678"]


def test_xlsx_built_in_the_test():
    book = Workbook()
    sheet = book.active
    sheet.append(["Phone", "PIN"])
    sheet.append([19495001234, "0042"])
    sheet.append(["1.9495E+10", "1"])  # text left behind by a CSV round trip
    sheet.append([None, None])
    sheet.append(["+44 7911 123456", 7])
    path_bytes = _xlsx_bytes(book)
    contacts = read_contacts(path_bytes, filename="book.xlsx")
    assert contacts.recipients["phoneNumber"].tolist() == ["19495001234", "447911123456"]
    assert contacts.recipients["PIN"].tolist() == ["0042", "7"]
    assert contacts.rejected["row"].tolist() == [3]


def _xlsx_bytes(book: Workbook) -> bytes:
    import io

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_broken_xlsx_is_a_clear_error():
    with pytest.raises(ContactFileError, match="could not be opened"):
        read_contacts(b"PK\x03\x04 not really a zip", filename="x.xlsx")


def test_nothing_like_a_phone_column_keeps_everything_else():
    contacts = read_contacts("a,b\nx,y\nz,w\n")
    assert contacts.recipients.empty
    assert any("No column looks like phone numbers" in n for n in contacts.notes)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_no_bytes_crash_the_reader(data):
    try:
        contacts = read_contacts(data)
    except ContactFileError as exc:
        assert str(exc)
    else:
        assert list(contacts.rejected.columns) == ["row", "value", "reason"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet='0123456789+ ()-,;\t"abcé\n', max_size=14), max_size=4),
        max_size=8,
    ),
    st.sampled_from([",", ";", "\t"]),
)
def test_no_csv_like_text_crashes_the_reader(rows, separator):
    text = "\n".join(separator.join(cells) for cells in rows)
    contacts = read_contacts(text)
    assert contacts.recipients.columns[0] == "phoneNumber"
    assert contacts.recipients["phoneNumber"].is_unique


def _outcome(work):
    try:
        return work()
    except InvalidPhoneNumber as exc:
        return str(exc)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(["+", "011", "00", "+0", "0011", "994", "810", "1", ""]),
    digits=st.text(alphabet="0123456789", min_size=1, max_size=19),
    region=st.sampled_from(
        ["US", "GB", "DE", "FR", "AU", "IN", "BR", "JP", "RU", "SG", "FI", "CL", "CN", "TD"]
    ),
)
def test_the_fast_verdict_on_international_numbers_is_phonenumbers_own(prefix, digits, region):
    """Valid or not, with its reason: the fast path says what the full phonenumbers reading says."""
    raw = prefix + digits
    fast = _outcome(lambda: phone._parse.__wrapped__(raw, region))
    full = _outcome(lambda: phone._slow(raw, raw, region))
    assert fast == full


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("994501234567", "FI", "994501234567"),  # Finland's exit code 994 is Azerbaijan's +994
        ("18102345678", "CL", "18102345678"),
        ("12125001234", "CN", "12125001234"),
        ("16847331234", "TD", "16847331234"),
        ("011 44 7911 123456", "US", "447911123456"),
    ],
)
def test_numbers_that_begin_like_an_exit_code_keep_their_api_form_reading(raw, region, expected):
    assert normalize_phone(raw, region) == expected
