"""How contacts.xlsx was made (run once; the committed bytes are the test input, so that every run
reads the same file and anyone can open it in Excel or LibreOffice by hand).

    .venv/bin/python tests/data/contacts/make_xlsx.py

The mess it carries, as Excel users produce it: an empty first sheet left over from the template,
phone numbers stored as numbers (one as a float), a PIN with a leading zero stored as text next to
one stored as a number, a date cell, an empty row in the middle and a row without a phone number.
"""

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

ROWS = [
    ("Phone", "FIRST NAME", "PIN", "Appointment"),
    (19495009990, "Avery", "0042", datetime(2025, 3, 14, 9, 30)),
    (19495009991.0, "Bram", 7, None),
    (None, None, None, None),
    ("+44 7400 123456", "Céline", "0100", datetime(2025, 3, 15, 14, 0)),
    (None, "Dara", "2222", None),
]


def main() -> None:
    book = Workbook()
    book.active.title = "Sheet1"  # left empty, as in many exports
    sheet = book.create_sheet("Contacts")
    for row in ROWS:
        sheet.append(row)
    book.properties.creator = "sms-console tests"
    book.properties.created = book.properties.modified = datetime(2025, 1, 1)
    book.save(Path(__file__).with_name("contacts.xlsx"))


if __name__ == "__main__":
    main()
