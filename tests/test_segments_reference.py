"""Segment counting against Twilio's message segment calculator, case by case.

The 669 cases are reference data from outside the project (../shared/reference/segments, beside the
checkout where the team works and in CI); a bare clone skips them and relies on the own cases in
test_segments.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.message.segments import count_segments

CASES_FILE = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "reference"
    / "segments"
    / "twilio_cases.jsonl"
)

if not CASES_FILE.exists():
    pytest.skip(
        "../shared/reference/segments not found: Twilio's segment cases run only beside the "
        "team's shared folder",
        allow_module_level=True,
    )

CASES = [json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines()]


def test_reference_file_is_complete():
    assert len(CASES) == 669


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
