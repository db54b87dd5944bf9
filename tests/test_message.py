"""Tags, rendering, statistics and the preflight of a message."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from components.message.draft import CONTENT_COLUMN, Draft, payloads_for, summarize
from components.message.payloads import build_payloads
from components.message.preflight import (
    API_CONTACT_COUNT,
    API_CONTACT_EMPTY,
    API_CONTENT_MISSING,
    API_PROGRAM_MISSING,
    API_TOO_LONG,
    hint_for_api_message,
    preflight,
)
from components.message.rendering import (
    message_statistics,
    render,
    render_all,
    render_with_report,
    tags,
)
from components.message.segments import count_segments


def test_tags_in_order_once_with_spaces_and_any_case():
    content = "Hi %%FIRST NAME%%, code %%PIN%%. Bye %%first name%% %%PIN%%"
    assert tags(content) == ["FIRST NAME", "PIN"]
    assert tags("no tags, 100%% sure %") == []
    assert tags("%%A%%%%B%%") == ["A", "B"]


def test_render_precedence_value_then_default_then_unresolved():
    content = "Hi %%FIRST NAME%%, code %%PIN%%, %%CITY%%"
    text, unresolved = render_with_report(
        content, {"first name": "Ann", "PIN": "  "}, {"PIN": "0000"}
    )
    assert text == "Hi Ann, code 0000, %%CITY%%"
    assert unresolved == ["CITY"]
    assert render(content, None, {}) == content


def test_values_are_inserted_verbatim():
    assert render("Hi %%A%%", {"A": "%%B%% & <b>x</b> \\1"}, {"B": "no"}) == (
        "Hi %%B%% & <b>x</b> \\1"
    )
    assert render("%%PIN%%", {"PIN": "0042"}, {}) == "0042"


def recipients() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "phoneNumber": ["19495001234", "19495001299", "447911123456"],
            "FIRST NAME": ["Ann", None, ""],
            "PIN": ["0042", "1200", None],
        }
    ).astype("str")


def test_render_all_and_coverage():
    result = render_all("Hi %%first name%%, %%PIN%% %%ZIP%%", recipients(), {"FIRST NAME": "you"})
    assert result.texts.tolist() == [
        "Hi Ann, 0042 %%ZIP%%",
        "Hi you, 1200 %%ZIP%%",
        "Hi you, %%PIN%% %%ZIP%%",
    ]
    coverage = {c.tag: (c.column, c.own, c.default, c.missing) for c in result.coverage}
    assert coverage == {
        "first name": ("FIRST NAME", 1, 2, 0),
        "PIN": ("PIN", 2, 0, 1),
        "ZIP": (None, 0, 0, 3),
    }
    assert result.unresolved == {"PIN": 1, "ZIP": 3}


values = st.one_of(st.none(), st.text(max_size=12))


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(values, values), min_size=1, max_size=8),
    default=st.one_of(st.none(), st.text(max_size=5)),
    content=st.sampled_from(
        ["%%A%% and %%b%%", "x%%A%%%%A%%y", "no tags", "%%B%%: %%C%%", "😀 %%A%%"]
    ),
)
def test_render_all_agrees_with_render(rows, default, content):
    frame = pd.DataFrame(
        {
            "phoneNumber": [str(i) for i in range(len(rows))],
            "A": [r[0] for r in rows],
            "B": [r[1] for r in rows],
        }
    ).astype("str")
    defaults = {"A": default} if default is not None else {}
    result = render_all(content, frame, defaults)
    for position, (_, row) in enumerate(frame.iterrows()):
        expected = render(content, {"A": row["A"], "B": row["B"]}, defaults)
        assert result.texts.iloc[position] == expected


def test_statistics_match_per_message_counting():
    texts = pd.Series(["a" * 10, "a" * 161, "€" * 81, "中" * 71, "a" * 200 + "{"], dtype="str")
    stats = message_statistics(texts)
    expected = [count_segments(t) for t in texts]
    assert stats.total_segments == sum(c.segments for c in expected)
    assert stats.segments_histogram == {1: 1, 2: 4}
    assert stats.max_characters == max(len(t) for t in texts)  # as the 800 limit counts
    assert stats.units.tolist() == [c.units for c in expected]
    assert stats.ucs2_recipients == 1
    assert stats.segments.tolist() == [c.segments for c in expected]


def test_preflight_errors_with_fixes():
    coverage = render_all("Hi %%NAME%%", recipients(), {}).coverage
    issues = preflight("x" * 805, "", 0, coverage=coverage)
    errors = [i for i in issues if i.level == "error"]
    messages = " | ".join(i.message for i in errors)
    assert "805 characters long" in messages
    assert "No SMS program id" in messages
    assert "no valid recipients" in messages
    assert "%%NAME%% has no value for 3 recipients" in messages
    assert "no default: +19495001234, +19495001299, +447911123456." in messages
    four = pd.concat([recipients(), recipients().head(1)], ignore_index=True)
    (issue,) = preflight(
        "Hi %%NAME%%", "1", 4, coverage=render_all("Hi %%NAME%%", four, {}).coverage
    )
    assert issue.message.endswith("+447911123456, ….")
    assert all(i.fix for i in issues)
    assert any("at least 5 characters" in i.fix for i in errors)
    assert [i.level for i in preflight("", "1", 1)] == ["error"]


def test_preflight_warnings():
    long_ucs2 = "😀" + "é" * 360
    issues = preflight(long_ucs2 + " https://example.com/a/very/long/path?x=1", "1", 5)
    assert [i.level for i in issues] == ["warning", "warning"]
    assert "350" in issues[0].message
    assert "counts in full" in issues[1].message
    assert preflight("Hi there", "12345", 3) == []


def test_hints_for_every_documented_api_message():
    for message in (
        "Wrong personalization tags NICK",
        "SMS Program is inactive or not found with identifier 55555.",
        API_PROGRAM_MISSING,
        API_TOO_LONG,
        API_CONTENT_MISSING,
        API_CONTACT_COUNT,
        API_CONTACT_EMPTY,
        "Bad request",
    ):
        assert hint_for_api_message(message)
        assert hint_for_api_message(f"contacts: {message}")  # a field error, prefixed
        assert hint_for_api_message(f"Something else; {message}")  # joined with another
    assert hint_for_api_message("Something else") is None


GSM_TEXT = st.text(alphabet=st.sampled_from("ab €{}[~^|\\\né"), max_size=400)
ANY_TEXT = st.text(alphabet=st.sampled_from("ab €{}[~^|\\\n—’😀é中"), max_size=400)
# Joining characters (a combining accent, a zero-width joiner, a Hangul jamo, a regional
# indicator), CR LF and ë (UCS-2 of one unit per character): every path of the vectorized count.
JOINING_TEXT = st.text(alphabet=st.sampled_from("a ë\u0301\u200d\u1100\u1161🇬\r\n"), max_size=300)
PLAIN_UCS2_TEXT = st.text(alphabet=st.sampled_from("abcë€{ "), min_size=60, max_size=300)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(GSM_TEXT, ANY_TEXT, JOINING_TEXT, PLAIN_UCS2_TEXT), min_size=1))
def test_vectorized_statistics_agree_with_the_exact_counter(texts):
    stats = message_statistics(pd.Series(texts, dtype="str"))
    exact = [count_segments(t) for t in texts]
    assert stats.segments.tolist() == [c.segments for c in exact]
    assert stats.units.tolist() == [c.units for c in exact]
    assert stats.characters.tolist() == [len(t) for t in texts]
    assert stats.ucs2.tolist() == [not c.is_gsm for c in exact]


def test_an_empty_tag_is_not_a_tag_and_blocks_the_send():
    assert tags("Hi %% %% there %%NAME%%") == ["NAME"]
    rendered = render_all("Hi %% %% there", recipients(), {})
    assert rendered.texts.tolist() == ["Hi %% %% there"] * 3 and rendered.coverage == []
    (issue,) = preflight("Hi %% %% there", "1", 3)
    assert issue.level == "error" and "empty tag" in issue.message


def test_a_default_that_contains_a_tag_is_flagged():
    issues = preflight("Hi %%X%%", "1", 3, defaults={"X": "%%X%% loop"})
    assert [i.level for i in issues] == ["warning"]
    assert "would see the %% marks" in issues[0].message
    assert preflight("Hi %%X%%", "1", 3, defaults={"X": "100% sure"}) == []


def test_the_request_uses_the_messages_own_spelling_of_each_tag():
    frame = pd.DataFrame({"phoneNumber": ["19495001234", "19495001299"], "first name": ["Ann", ""]})
    content = "Hi %%First Name%%! Yes, %%FIRST NAME%%."
    (payload,) = build_payloads(
        frame, content=content, program=" 12345 ", defaults={"First Name": "there"}
    )
    assert payload["channelQualifier"] == "12345"
    assert payload["contacts"][0]["personalization"] == {"First Name": "Ann", "FIRST NAME": "Ann"}
    assert "personalization" not in payload["contacts"][1]  # empty values are left out
    assert payload["personalizationDefaults"] == {"First Name": "there", "FIRST NAME": "there"}


def test_spaces_inside_a_tag_are_flagged():
    (issue,) = preflight("Your PIN: %% PIN %%", "1", 1)
    assert issue.level == "warning" and issue.fix == "Write it %%PIN%%."


def test_many_tags_with_spaces_are_counted_not_listed_one_by_one():
    content = "".join(f"%% T{i} %%" for i in range(300))
    spaced = [i for i in preflight(content, "1", 1) if "spaces inside" in i.message]
    assert len(spaced) == 6
    assert spaced[-1].message == "295 more tags have spaces inside the %% marks."


def test_recipients_with_a_message_of_their_own_are_rendered_counted_and_batched_with_it():
    frame = pd.DataFrame(
        {
            "phoneNumber": ["19495001234", "49301234567", "447911123456"],
            "NAME": ["Ann", "Bea", ""],
            CONTENT_COLUMN: ["", "Hallo %%NAME%% — schön", ""],
        }
    )
    draft = Draft(content="Hi %%NAME%%", program="1", defaults={"NAME": "you"})
    summary = summarize(frame, draft, 0.01)
    assert summary.rendered.texts.tolist() == ["Hi Ann", "Hallo Bea — schön", "Hi you"]
    assert summary.statistics.ucs2.tolist() == [False, True, False]
    assert summary.template.is_gsm and summary.batches == 2
    payloads = payloads_for(frame, draft)
    assert [(p["content"], len(p["contacts"])) for p in payloads] == [
        ("Hi %%NAME%%", 2),
        ("Hallo %%NAME%% — schön", 1),
    ]
    assert all(
        "%%content" not in c.get("personalization", {}) for p in payloads for c in p["contacts"]
    )
