"""Bad contact files: the limits, the file kinds, quotes left open, sheets and title rows.

The adversarial workbooks are written as XML (tests/xlsx_support.py: openpyxl would write an
honest <dimension>). The time-outs only prove that an input finishes; speed is measured in
tests/benchmarks/bench_compose.py."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from components.contacts import files as contact_files
from components.contacts import limits as contact_limits
from components.contacts.limits import MAX_CELLS, ContactFileError, UnknownSheetError
from components.contacts.reading import read_contacts
from tests.xlsx_support import raw_xlsx, sheet_xml


def _contact_cells(rows: int, first_row: int = 1) -> dict[str, str | int]:
    cells: dict[str, str | int] = {f"A{first_row}": "Phone", f"B{first_row}": "Name"}
    for i in range(1, rows + 1):
        cells[f"A{first_row + i}"] = 19495000000 + i
        cells[f"B{first_row + i}"] = f"Person {i}"
    return cells


def test_the_minimal_workbook_is_read():
    contacts = read_contacts(raw_xlsx({"Sheet1": sheet_xml(_contact_cells(3))}), filename="b.xlsx")
    assert contacts.recipients["phoneNumber"].tolist() == [
        "19495000001",
        "19495000002",
        "19495000003",
    ]


# -- XLSX: only the cells that hold data ----------------------------------------------------------


@pytest.mark.timeout(20)
def test_one_cell_at_XFD1048576_answers_at_once_in_bounded_memory():
    data = raw_xlsx({"Sheet1": sheet_xml({"XFD1048576": "x"}, dimension="A1:XFD1048576")})
    assert len(data) < 2000
    contacts = read_contacts(data, filename="tiny.xlsx")  # one cell, no contact: said at once
    assert len(contacts.recipients) == 0
    assert "only one row (x), and it looks like a header" in contacts.notes[0]


@pytest.mark.timeout(20)
def test_a_dimension_that_claims_XFD_is_not_trusted():
    cells = _contact_cells(5000)
    data = raw_xlsx({"Sheet1": sheet_xml(cells, dimension="A1:XFD5001")})
    contacts = read_contacts(data, filename="claims.xlsx")
    assert contacts.columns == ["Phone", "Name"]
    assert len(contacts.recipients) == 5000


@pytest.mark.timeout(20)
def test_contacts_with_a_stray_empty_row_far_below_are_read():
    cells = {**_contact_cells(2), "A1048576": ""}
    contacts = read_contacts(raw_xlsx({"S": sheet_xml(cells)}), filename="b.xlsx")
    assert contacts.recipients["Name"].tolist() == ["Person 1", "Person 2"]


def test_a_long_run_of_formatted_empty_rows_ends_the_reading_with_a_note(monkeypatch):
    monkeypatch.setattr(contact_limits, "MAX_EMPTY_ROWS_IN_A_RUN", 3)
    cells = {**_contact_cells(1), **{f"A{r}": "" for r in range(3, 8)}, "A8": 19495000009}
    contacts = read_contacts(raw_xlsx({"S": sheet_xml(cells)}), filename="b.xlsx")
    assert contacts.recipients["phoneNumber"].tolist() == ["19495000001"]
    assert any("Stopped reading the sheet 'S' at row 6" in note for note in contacts.notes)


# -- the limits ------------------------------------------------------------------------------------


@pytest.mark.timeout(20)
def test_100_rows_of_5000_columns_are_read_it_is_the_cells_that_count():
    header = ",".join(["Phone"] + [f"c{i}" for i in range(4999)])
    rows = [",".join([f"+1949500{1000 + r}"] + ["v"] * 4999) for r in range(100)]
    contacts = read_contacts(("\n".join([header, *rows]) + "\n").encode(), filename="wide.csv")
    assert len(contacts.recipients) == 100 and len(contacts.columns) == 5000


@pytest.mark.timeout(20)
def test_too_many_cells_are_refused_by_name_of_the_limit(monkeypatch):
    monkeypatch.setattr(contact_limits, "MAX_CELLS", 100_000)
    header = ",".join(["Phone"] + [f"c{i}" for i in range(999)])
    rows = [",".join([f"+1949500{1000 + r}"] + ["v"] * 999) for r in range(200)]
    with pytest.raises(ContactFileError) as error:
        read_contacts(("\n".join([header, *rows]) + "\n").encode(), filename="wide.csv")
    assert str(error.value) == (
        "The file has 201 rows of up to 1,000 columns (201,000 cells); the console reads at most "
        "100,000 cells. Remove the columns you do not need for this message, or save only the "
        "phone and personalization columns."
    )
    assert MAX_CELLS == 10_000_000  # the limit itself, unpatched


@pytest.mark.timeout(20)
def test_separators_at_the_end_of_the_lines_are_not_cells():
    trailing = "," * 20_000
    lines = ["Phone,Name" + trailing] + [f"+1949500{1000 + r},P{r}" + trailing for r in range(600)]
    contacts = read_contacts("\n".join(lines).encode(), filename="t.csv")
    assert contacts.columns == ["Phone", "Name"] and len(contacts.recipients) == 600


@pytest.mark.timeout(30)
def test_a_blank_looking_cell_far_away_is_not_data():
    cells = {**_contact_cells(2000), "ZZ30000": " "}
    contacts = read_contacts(raw_xlsx({"S": sheet_xml(cells)}), filename="far.xlsx")
    assert contacts.columns == ["Phone", "Name"] and len(contacts.recipients) == 2000
    trailing_space = {**_contact_cells(3), "K2": "  "}  # in a row of data, far to the right
    contacts = read_contacts(raw_xlsx({"S": sheet_xml(trailing_space)}), filename="k.xlsx")
    assert contacts.columns == ["Phone", "Name"] and len(contacts.recipients) == 3


def test_500_columns_are_read():
    header = ",".join(["Phone"] + [f"c{i}" for i in range(499)])
    rows = [",".join([f"+1949500{1000 + r}"] + [str(r)] * 499) for r in range(100)]
    contacts = read_contacts("\n".join([header, *rows]))
    assert len(contacts.recipients) == 100 and len(contacts.columns) == 500
    assert contacts.recipients["c498"].tolist()[-1] == "99"


@pytest.mark.timeout(20)
def test_a_file_over_the_size_limit_is_refused_before_parsing():
    data = b"Phone\n" + b"+19495001234," * (contact_limits.MAX_FILE_BYTES // 13 + 1)
    with pytest.raises(ContactFileError, match=r"the console reads files of at most 20 MB"):
        read_contacts(data, filename="big.csv")


@pytest.mark.timeout(20)
def test_a_single_huge_cell_is_refused_with_its_row_and_column():
    data = ("Phone,Note\n+19495001234," + "x" * 40_000 + "\n").encode()
    with pytest.raises(ContactFileError, match=r"Row 2, column 2 holds 40,000 characters"):
        read_contacts(data, filename="long.csv")


def test_more_rows_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(contact_limits, "MAX_ROWS", 3)
    ok = "Phone\n" + "".join(f"+1949500{1000 + r}\n" for r in range(3))
    assert len(read_contacts(ok).recipients) == 3
    for text in (ok + "+19495009999\n", ok.replace("\n", ",x\n") + "+19495009999,x\n"):
        with pytest.raises(ContactFileError, match="reads at most 3 contacts at a time"):
            read_contacts(text)
    sheet = sheet_xml(_contact_cells(4))
    with pytest.raises(ContactFileError, match="reads at most 3 contacts"):
        read_contacts(raw_xlsx({"S": sheet}), filename="b.xlsx")


# -- quotes ----------------------------------------------------------------------------------------


def test_a_quote_left_open_does_not_swallow_the_rows_after_it():
    text = 'phone,name\n+19495001234,"Ann\n+19495001299,Bob\n+19495001300,Cy\n'
    contacts = read_contacts(text.encode(), filename="q.csv")
    assert contacts.recipients["phoneNumber"].tolist() == [
        "19495001234",
        "19495001299",
        "19495001300",
    ]
    assert contacts.recipients["name"].tolist() == ["Ann", "Bob", "Cy"]
    opened = 'Row 2, column 2: a quote (") opens here'
    assert any(note.startswith(opened) for note in contacts.notes)
    assert contacts.flagged["row"].tolist() == [2]
    assert "Remove the quote or close it" in contacts.flagged["note"].iloc[0]


def test_a_quote_closed_only_many_rows_later_is_caught_too():
    rows = [f"+1949500{1000 + r},P{r}" for r in range(8)]
    text = "\n".join(["phone,name", '+19495009999,"Ann', *rows, '+19495008888,"Lee, Dee"']) + "\n"
    contacts = read_contacts(text)
    assert len(contacts.recipients) == 10
    assert contacts.recipients["name"].iloc[1] == "P0"
    assert contacts.flagged["row"].tolist() == [2]


@settings(max_examples=150, deadline=None)
@given(
    names=st.lists(st.text(alphabet="abc xyz", max_size=6), min_size=1, max_size=12),
    where=st.integers(min_value=0),
    separator=st.sampled_from([",", ";", "\t"]),
)
def test_a_stray_quote_never_hides_the_rows_after_it(names, where, separator):
    rows = [[f"+1949500{1000 + i}", name] for i, name in enumerate(names)]
    stray = where % len(rows)
    rows[stray][1] = '"' + rows[stray][1]
    text = "\n".join(separator.join(cells) for cells in [["phone", "name"], *rows]) + "\n"
    contacts = read_contacts(text)
    assert contacts.rows == len(rows)
    assert contacts.recipients["phoneNumber"].tolist() == [
        f"1949500{1000 + i}" for i in range(len(rows))
    ]


def test_a_cell_with_a_few_line_breaks_is_kept_with_a_note():
    text = 'phone,address,name\n+19495001234,"12 Main St\nApt 4",Ann\n+19495001299,Elm Rd,Bob\n'
    contacts = read_contacts(text)
    assert contacts.recipients["address"].tolist() == ["12 Main St\nApt 4", "Elm Rd"]
    assert contacts.rejected.empty and contacts.flagged.empty
    assert "Row 2 has a quoted cell over several lines: check that each is one contact." in (
        contacts.notes
    )
    assert not any("opens here" in note for note in contacts.notes)


# -- file kinds ------------------------------------------------------------------------------------


def _ole2(*streams: str) -> bytes:
    """The start of a compound file, as Excel 97-2003 and encrypted OOXML files begin."""
    names = b"".join(name.encode("utf-16-le").ljust(64, b"\x00") for name in streams)
    return contact_files.OLE2_MAGIC + bytes(504) + names + bytes(512)


@pytest.mark.parametrize("filename", ["contacts.xls", "contacts.csv", None])
def test_an_old_xls_says_so_whatever_its_name(filename):
    with pytest.raises(ContactFileError) as error:
        read_contacts(_ole2("Workbook", "SummaryInformation"), filename=filename)
    message = str(error.value)
    assert "old Excel file (.xls" in message and "save it as an Excel Workbook (.xlsx)" in message


def test_a_password_protected_xlsx_says_so():
    data = _ole2("EncryptionInfo", "EncryptedPackage")
    with pytest.raises(ContactFileError) as error:
        read_contacts(data, filename="secret.xlsx")
    assert "protected with a password" in str(error.value)
    assert "BadZipFile" not in str(error.value)


@pytest.mark.parametrize("data", [b"", b"  \r\n \n\t\n", "\ufeff\n"])
def test_an_empty_file_says_so(data):
    contacts = read_contacts(data, filename="empty.csv")
    assert contacts.recipients.empty
    assert contacts.notes == ["The file is empty: there is nothing to read."]


def test_only_a_header_says_so():
    contacts = read_contacts(b"Phone,First name\n", filename="header.csv")
    assert contacts.recipients.empty
    assert contacts.notes == [
        "There is only one row (Phone, First name), and it looks like a header: there are no "
        "contacts below it. Add the contacts under the header, one a row."
    ]


def test_an_empty_workbook_says_so():
    data = raw_xlsx({"A": sheet_xml({}), "B": sheet_xml({})})
    contacts = read_contacts(data, filename="e.xlsx")
    assert contacts.notes == ["The workbook has no data in any sheet."]
    assert contacts.sheets == ["A", "B"]


# -- sheets and title rows -------------------------------------------------------------------------


def test_several_sheets_the_first_with_data_is_read_and_another_can_be_chosen():
    data = raw_xlsx(
        {
            "Notes": sheet_xml({}),
            "Contacts": sheet_xml(_contact_cells(2)),
            "Old": sheet_xml({"A1": "Mobile", "A2": 447911123456}),
        }
    )
    contacts = read_contacts(data, filename="book.xlsx")
    assert contacts.sheets == ["Notes", "Contacts", "Old"]
    assert contacts.sheet == "Contacts"
    assert contacts.recipients["Name"].tolist() == ["Person 1", "Person 2"]
    assert contacts.notes == [
        "Read the sheet 'Contacts' (the first one with data). The workbook also has 'Notes', "
        "'Old': choose another sheet to read it instead."
    ]
    old = read_contacts(data, filename="book.xlsx", sheet="Old")
    assert old.sheet == "Old" and old.recipients["phoneNumber"].tolist() == ["447911123456"]
    assert read_contacts(data, filename="book.xlsx", sheet="Notes").notes == [
        "The sheet 'Notes' is empty."
    ]
    with pytest.raises(UnknownSheetError, match=r"no sheet 'Gone'\. The sheets are: Notes, "):
        read_contacts(data, filename="book.xlsx", sheet="Gone")


def test_a_merged_title_row_above_the_header_is_skipped_with_a_note():
    book = Workbook()
    sheet = book.active
    sheet.append(["Customer export December"])
    sheet.merge_cells("A1:C1")
    sheet.append(["Phone", "Name", "PIN"])
    sheet.append([19495001234, "Ann", "0042"])
    out = io.BytesIO()
    book.save(out)
    for data, name in (
        (out.getvalue(), "title.xlsx"),
        (b"Customer export December,,\nPhone,Name,PIN\n19495001234,Ann,0042\n", "title.csv"),
    ):
        contacts = read_contacts(data, filename=name)
        assert contacts.phone_column == "Phone", name
        assert contacts.recipients.to_dict("records") == [
            {"phoneNumber": "19495001234", "Name": "Ann", "PIN": "0042"}
        ]
        assert contacts.notes == [
            "Row 1 ('Customer export December') looks like a title above the header: it was "
            "skipped, and row 2 was read as the header."
        ]


def test_a_header_with_one_name_is_not_taken_for_a_title():
    contacts = read_contacts("Phone,,\n+19495001234,Ann,7\n+19495001299,Bob,8\n")
    assert contacts.phone_column == "Phone" and len(contacts.recipients) == 2


def test_a_cell_longer_than_pythons_csv_limit_is_named_not_a_crash():
    for text in (
        "phone,name\n+19495001234," + "x" * 140_000 + "\n",
        "phone,name\n+19495001234," + "x" * 140_000 + "\n+19495001235,ok\n\n+19495001236,b\n",
    ):
        with pytest.raises(ContactFileError, match=r"Row 2, column 2 holds 140,000 characters"):
            read_contacts(text)


@pytest.mark.timeout(30)
def test_sparse_wide_sheets_are_refused_by_their_cells_before_they_cost_memory(monkeypatch):
    monkeypatch.setattr(contact_limits, "MAX_CELLS", 10_000)
    sparse = {f"A{r}": 19495001000 + r for r in range(1, 40)} | {
        f"SF{r}": "x" for r in range(1, 40)
    }  # column 500 filled in every row: 39 rows x 500 cells
    with pytest.raises(ContactFileError, match=r"By row 21 the sheet already holds 10,500 cells"):
        read_contacts(raw_xlsx({"S": sheet_xml(sparse)}), filename="s.xlsx")
    header_only = {"A1": "Phone", "SF1": "Far"} | {f"A{r}": 19495001000 + r for r in range(2, 40)}
    with pytest.raises(ContactFileError, match=r"39 rows of up to 500 columns \(19,500 cells\)"):
        read_contacts(raw_xlsx({"S": sheet_xml(header_only)}), filename="h.xlsx")
    fine = {f"A{r}": 19495001000 + r for r in range(1, 40)} | {f"C{r}": "x" for r in range(1, 40)}
    assert len(read_contacts(raw_xlsx({"S": sheet_xml(fine)}), filename="f.xlsx").recipients) == 39
