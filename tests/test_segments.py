"""Segment counting: the project's own cases (Twilio's reference cases: test_segments_reference)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.message.segments import (
    GSM_CHARACTERS,
    SMART_REPLACEMENTS,
    count_segments,
    smart_fix,
    smart_replace,
)


# The project's own cases, counted by hand from the rules (Twilio's calculator's, see
# test_segments_reference.py): `characters` are septets in GSM-7 (an extension character and each of
# CR LF count) and graphemes in UCS-2; `unicode_chars` are code points; `units` septets or UTF-16.
@pytest.mark.parametrize(
    ("text", "encoding", "characters", "unicode_chars", "units"),
    [
        ("Hi\r\nthere", "GSM-7", 9, 9, 9),
        ("5€ [ok]", "GSM-7", 10, 7, 10),  # €, [ and ] cost two septets each
        ("Hi 👋", "UCS-2", 4, 4, 5),  # an emoji is a surrogate pair
        ("👍🏽 ok", "UCS-2", 4, 5, 7),  # emoji + skin tone: one grapheme, two code points
        ("🇫🇷 ok", "UCS-2", 4, 5, 7),  # a flag: one grapheme of two regional indicators
        ("e\u0301", "UCS-2", 1, 2, 2),  # a combining accent is not GSM-7
    ],
)
def test_counts(text, encoding, characters, unicode_chars, units):
    result = count_segments(text)
    assert (result.encoding, result.characters, result.unicode_chars, result.units) == (
        encoding,
        characters,
        unicode_chars,
        units,
    )


@pytest.mark.parametrize(
    ("text", "encoding", "segments", "parts"),
    [
        ("", "GSM-7", 1, (0,)),
        ("a" * 160, "GSM-7", 1, (160,)),
        ("a" * 161, "GSM-7", 2, (153, 8)),
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 3, (152, 153, 1)),  # escape pair not split
        ("€" * 80, "GSM-7", 1, (160,)),
        ("€" * 81, "GSM-7", 2, (152, 10)),  # 76 escape pairs a part
        ("中" * 70, "UCS-2", 1, (70,)),
        ("中" * 71, "UCS-2", 2, (67, 4)),
        ("中" * 66 + "😀" + "中" * 66, "UCS-2", 3, (66, 67, 1)),  # surrogate pair not split
        ("😀" * 35, "UCS-2", 1, (70,)),
        ("😀" * 36, "UCS-2", 2, (66, 6)),  # 33 emoji a part
        ("Hello ’world’", "UCS-2", 1, (13,)),
    ],
)
def test_boundaries(text, encoding, segments, parts):
    result = count_segments(text)
    assert (result.encoding, result.segments, result.segment_units) == (encoding, segments, parts)


def test_one_foreign_character_makes_the_whole_message_ucs2_and_is_named():
    result = count_segments("Your code: 1234 — thanks ’cause")
    assert result.encoding == "UCS-2"
    assert result.non_gsm == ("—", "’")
    assert count_segments("Your code: 1234 - thanks 'cause").is_gsm


def test_smart_replacement_turns_lookalikes_into_gsm():
    fixed = smart_fix("“Hi” – your code… is ready\u00a0now")
    assert fixed.changed and fixed.encoding == "GSM-7"
    assert fixed.text == '"Hi" - your code... is ready  now'
    assert smart_fix("Hi 😀").remaining_non_gsm == ("😀",)
    assert len(SMART_REPLACEMENTS) == 270


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_never_crashes_and_is_consistent(text):
    for smart in (False, True):
        result = count_segments(text, smart=smart)
        assert result.segments >= 1
        assert sum(result.segment_units) == result.units
        if result.segments > 1:
            part = 153 if result.is_gsm else 67
            assert result.segments >= math.ceil(result.units / part)
        assert result.is_gsm == (not result.non_gsm)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(sorted({chr(c) for c in SMART_REPLACEMENTS})), max_size=80))
def test_smart_text_of_replaceable_characters_is_gsm(text):
    replaced = smart_replace(text)
    assert all(ch in GSM_CHARACTERS for ch in replaced)
    assert count_segments(text, smart=True).is_gsm
