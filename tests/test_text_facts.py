"""The segment counts Compose shows while a message is typed are composed from each column's
facts, measured once per column content (components.message.text_facts): they must be exactly
what measuring every rendered SMS gives, and a column whose content changed is measured anew."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from components.message import rendering
from components.message.draft import Draft, summarize
from components.message.rendering import message_statistics, render_all
from components.message.segments import count_segments
from components.message.text_facts import column_facts, forget_measured_columns

# Values and literals with GSM-7 extension characters, UCS-2, joining and astral characters,
# blanks and tag-like text: every path of the segment rule.
VALUE = st.one_of(
    st.none(),
    st.just(""),
    st.just("   "),
    st.text(alphabet=st.sampled_from("abc {}€[ë Ωé%"), max_size=40),
    st.text(alphabet=st.sampled_from("a\u0301👍🏽\u200d👩 "), max_size=12),
    st.sampled_from(["%%PIN%%", "Zoë", "Łukasz", "名前", "x" * 170, "{" * 90]),
)
LITERAL = st.text(alphabet=st.sampled_from("Hi, code {}€ë👍\n"), max_size=30)
TAG = st.sampled_from(["%%NAME%%", "%%name%%", "%% NAME %%", "%%PIN%%", "%%NOPE%%", "%% %%"])


def _frame(names: list[object], pins: list[object]) -> pd.DataFrame:
    rows = min(len(names), len(pins))
    return pd.DataFrame(
        {
            "phoneNumber": [f"1949500{1000 + row}" for row in range(rows)],
            "NAME": names[:rows],
            "PIN": pins[:rows],
        }
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(VALUE, min_size=1, max_size=12),
    st.lists(VALUE, min_size=1, max_size=12),
    st.lists(st.tuples(LITERAL, TAG), max_size=4),
    LITERAL,
    st.one_of(st.none(), st.sampled_from(["", "friend", "Ωmega", "{x}"])),
)
def test_composed_counts_are_the_measured_ones(names, pins, parts, tail, default):
    frame = _frame(names, pins)
    content = "".join(literal + tag for literal, tag in parts) + tail
    defaults = {} if default is None else {"NAME": default}
    rendered = render_all(content, frame, defaults)
    composed = message_statistics(rendered.texts, rendered.facts)
    measured = message_statistics(rendered.texts)
    assert composed.segments.tolist() == measured.segments.tolist()
    assert composed.units.tolist() == measured.units.tolist()
    assert composed.characters.tolist() == measured.characters.tolist()
    assert composed.ucs2.tolist() == measured.ucs2.tolist()
    assert composed.segments_histogram == measured.segments_histogram


def test_a_changed_value_is_measured_anew():
    forget_measured_columns()
    draft = Draft(content="Hi %%NAME%%", program="1")
    before = _frame(["Ann", "Bo"], ["1", "2"])
    assert summarize(before, draft, 0.01).statistics.ucs2_recipients == 0
    # Another file, or the same frame edited in place: the content decides, not the object.
    after = before.copy()
    after.loc[1, "NAME"] = "Zoë Ω"
    assert summarize(after, draft, 0.01).statistics.ucs2_recipients == 1
    before.loc[0, "NAME"] = "👍"
    summary = summarize(before, draft, 0.01)
    assert summary.statistics.ucs2_recipients == 1
    assert summary.rendered.texts.tolist() == ["Hi 👍", "Hi Bo"]
    assert summary.statistics.units.tolist() == [5, 5]


def test_the_same_column_in_another_frame_follows_that_frames_rows():
    forget_measured_columns()
    first = _frame(["Ann", "", "Cy"], ["1", "2", "3"])
    second = first.set_index(pd.Index([30, 10, 20]))
    draft = Draft(content="Hi %%NAME%%", program="1", defaults={"NAME": "there"})
    summarize(first, draft, 0.01)
    texts = summarize(second, draft, 0.01).rendered.texts
    assert texts.index.tolist() == [30, 10, 20]
    assert texts.tolist() == ["Hi Ann", "Hi there", "Hi Cy"]


def test_a_number_column_and_its_text_are_kept_apart():
    forget_measured_columns()
    as_numbers = column_facts(pd.Series([1, 2, np.nan]))
    as_text = column_facts(pd.Series(["1", "2", "  "], dtype="str"))
    assert as_numbers.present.tolist() == [True, True, False]
    assert as_text.present.tolist() == [True, True, False]
    assert as_numbers.values.to_pylist()[:2] == ["1.0", "2.0"]
    assert as_text.values.to_pylist()[:2] == ["1", "2"]


# Around one segment and across parts: plain UCS-2, emoji (astral), a skin tone and a family
# (joined), flags (regional indicators), a combining accent, Hangul, Devanagari, GSM-7 with
# extensions, line ends.
FAMILY = "👩\u200d👩\u200d👧"  # one grapheme of 8 units
PIECES = ["a", "ë", "Ω", "名", "🎉", "👍🏽", FAMILY, "🇬🇧", "e\u0301", "€", "{",
          " ", "한", "\u1100\u1161\u11a8", "क्षि", "\r\n", "\u200d", "\U0001f3fd"]  # fmt: skip
PIECE = st.sampled_from(PIECES)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(PIECE, max_size=120).map("".join), min_size=1, max_size=8))
# 128 units, but the family cannot end the first part: 60 + 68 would not fit two parts. The
# same for a surrogate pair at 134 units and an escape pair at 306 septets: three parts each.
@example(["x" * 60 + FAMILY + "x" * 60, "x" * 60 + "🎉" + "x" * 72, "€" * 76 + "{" + "x" * 153])
@example(["x" * 66 + "🎉" + "x" * 66, "x" * 152 + "€" + "x" * 152])
def test_each_count_is_the_reference_counters(texts):
    """The vectorized rule gives every text the segments and units of count_segments."""
    measured = message_statistics(pd.Series(texts, dtype="str"))
    counted = [count_segments(text) for text in texts]
    assert measured.segments.tolist() == [c.segments for c in counted]
    assert measured.units.tolist() == [c.units for c in counted]
    assert measured.ucs2.tolist() == [not c.is_gsm for c in counted]


def test_an_emoji_message_goes_to_the_counter_only_near_a_parts_end(monkeypatch):
    """A keystroke in a message with an emoji, to 10,000 recipients, costs a vectorized count
    (it was one exact count per recipient: about 100 ms for one segment, 900 ms for two)."""
    calls: list[str] = []

    def counting(text: str, smart: bool = False) -> object:
        calls.append(text)
        return count_segments(text, smart)

    monkeypatch.setattr(rendering, "count_segments", counting)
    frame = _frame([f"Name{row}" for row in range(10_000)], ["1"] * 10_000)
    short = render_all("Hi %%NAME%% 👍🏽 your table is ready 🎉", frame, {})
    statistics = message_statistics(short.texts, short.facts)
    assert calls == [] and statistics.segments_histogram == {1: 10_000}
    assert statistics.units.iloc[0] == len("Hi Name0  your table is ready ") + 6
    long = render_all("Hi %%NAME%% 👍🏽 " + "x" * 70, frame, {})
    statistics = message_statistics(long.texts, long.facts)
    assert calls == [] and statistics.segments_histogram == {2: 10_000}
    # 134 units, the hand and its skin tone across the first part's end: three parts.
    edge = render_all("Hi %%NAME%% " + "x" * 57 + "👍🏽" + "x" * 64, frame.head(2), {})
    statistics = message_statistics(edge.texts, edge.facts)
    assert len(calls) == 2 and statistics.units.tolist() == [134, 134]
    assert statistics.segments.tolist() == [3, 3]
