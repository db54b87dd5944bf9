"""A History search of any text: bounded, cleaned, and never a broken query."""

from __future__ import annotations

import pytest

from components.journal.search import SEARCH_LIMIT, clean_search
from tests.test_journal import create, payloads

# The journal's storage contract: each test on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.storage

CONTENT = "Gate B12 " + "z" * 300


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("Gate B12 " + "z" * 49_991, True),  # its first 200 characters are in the message
        ("1" * 50_000, False),
        ("+1 949 500 0102" + " 0" * 25_000, False),  # phone-like, far too long
        ("%" * 50_000, False),
        ("_" * 50_000, False),
        ("%_" * 25_000, False),
        ("\\" * 50_000, False),
        ("Ga\x00te", True),  # NUL would end SQLite's pattern: "%Ga"
        ("Gate\ud800", True),  # a lone surrogate cannot be encoded for SQLite
        ("\udfffB12", True),
        ("\x00" * 50_000 + "Gate", True),
        ("٠١٢٣٤٥٦٧٨٩" * 5_000, False),  # digits of another script
    ],
)
def test_no_search_string_breaks_the_query(journal, search, found):
    send = create(journal, content=CONTENT, payloads=payloads(content=CONTENT))
    assert [s.id for s in journal.list_sends(search=search)] == ([send.id] if found else [])


def test_a_search_of_only_unsearchable_characters_lists_every_send(journal):
    send = create(journal)
    assert [s.id for s in journal.list_sends(search="\x00\ud800 ")] == [send.id]


def test_a_long_search_is_shortened_and_says_so():
    search = clean_search("a" * 50_000)
    assert search.text == "a" * SEARCH_LIMIT
    assert "50,000 characters" in search.notice and f"first {SEARCH_LIMIT}" in search.notice


def test_a_search_loses_what_cannot_be_searched_and_says_so():
    search = clean_search(" Ga\x00te\ud800 ")
    assert search.text == "Gate"
    assert "left out" in search.notice
    both = clean_search("\x00" + "b" * 300)
    assert both.text == "b" * SEARCH_LIMIT
    assert "left out" in both.notice and "300 characters" in both.notice


@pytest.mark.parametrize("text", ["", "  Gate B12  ", "a" * SEARCH_LIMIT, "50% off_", "+1 949"])
def test_an_ordinary_search_is_kept_without_a_notice(text):
    search = clean_search(text)
    assert search.text == text.strip()
    assert search.notice is None


def test_a_search_of_words_finds_messages_not_the_contacts_fields(journal):
    """A word is looked for in the message, program, source and transaction ids; the payloads are
    read only for what can be (part of) a phone number."""
    bodies = payloads(content="Hi")
    for body in bodies:
        for contact in body["contacts"]:
            contact["personalization"] = {"FIRST NAME": "Gate"}
    send = create(journal, content="Hi", payloads=bodies)
    assert journal.list_sends(search="Gate") == []
    assert [s.id for s in journal.list_sends(search="9495")] == [send.id]  # part of a number
    assert [s.id for s in journal.list_sends(search="٩٤٩٥")] == [send.id]  # in other digits
    assert journal.list_sends(search="94x95") == []
