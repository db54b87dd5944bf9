"""Segment counting against the reference behaviour of Twilio's message segment calculator."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.segments import (
    GSM_CHARACTERS,
    SMART_REPLACEMENTS,
    count_segments,
    smart_fix,
    smart_replace,
)

CASES_FILE = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "reference"
    / "segments"
    / "twilio_cases.jsonl"
)


def _cases() -> list[dict]:
    if not CASES_FILE.exists():
        return []
    return [json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines()]


CASES = _cases()


@pytest.mark.skipif(not CASES, reason=f"reference cases not found at {CASES_FILE}")
@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['group']}" for i, c in enumerate(CASES)])
def test_agrees_with_the_reference(case):
    result = count_segments(case["text"], smart=case["smart_encoding"])
    assert result.encoding == case["encoding"]
    assert result.segments == case["segments"]
    assert result.characters == case["characters"]
    assert result.unicode_chars == case["unicode_chars"]
    assert result.units == case["code_units"]
    assert list(result.segment_units) == case["segment_units"]
    if "smart_encoded_text" in case:
        assert result.text == case["smart_encoded_text"]
    if "non_gsm_chars" in case:
        assert list(result.non_gsm) == list(dict.fromkeys(case["non_gsm_chars"]))


def test_reference_file_is_complete_when_present():
    if not CASES:
        pytest.skip(f"reference cases not found at {CASES_FILE}")
    assert len(CASES) == 669


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
