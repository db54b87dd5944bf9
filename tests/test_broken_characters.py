"""Lone surrogates (half of an emoji, left by a bad copy-paste) are removed and reported, in the
message and in pasted contacts, instead of crashing every rerun or vanishing silently."""

from __future__ import annotations

import pytest

from components.contacts.reading import read_contacts
from components.core.unicode_text import broken_characters_note, without_lone_surrogates
from tests.apptest_support import composed, texts


def test_halves_are_removed_and_whole_pairs_rejoined():
    repaired = without_lone_surrogates("a\ud800b\n\ud83d\ude00\nc\udfff")
    assert repaired.text == "ab\n😀\nc" and repaired.removed_lines == (1, 3)
    assert without_lone_surrogates("plain ✓").removed == 0
    note = broken_characters_note(repaired, "the message")
    assert note.startswith("Removed 2 broken characters from the message (lines 1, 3)")


def test_pasted_contacts_keep_every_row_and_say_where_characters_were_removed():
    contacts = read_contacts("phone,NAME\n+19495001234,Ann \ud800x\n+1949500\ud8001235,Bob\n")
    assert contacts.recipients.to_dict("records") == [
        {"phoneNumber": "19495001234", "NAME": "Ann x"},
        {"phoneNumber": "19495001235", "NAME": "Bob"},
    ]
    assert any(
        "Removed 2 broken characters from the contacts (lines 2, 3)" in n for n in contacts.notes
    )


@pytest.mark.usefixtures("app_environment")
def test_a_broken_character_in_the_message_is_removed_and_reported():
    at = composed("Hi %%FIRST NAME%% \ud800", "phone,FIRST NAME\n+19495001234,Ann\n")
    assert not at.exception
    assert at.session_state["compose.content"] == "Hi %%FIRST NAME%% "
    assert "Removed 1 broken character from the message (line 1)" in texts(at)
    at.run()  # the next rerun still works, and still says what was done
    assert not at.exception and "Removed 1 broken character" in texts(at)
    assert "Ready: 1 recipient in 1 batch(es)." in texts(at)
