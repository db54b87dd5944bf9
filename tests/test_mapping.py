"""The preview is the request: what Compose shows for each recipient is what Acoustic renders from
the request bodies (the sandbox's rule: the field of exactly the tag's spelling, then the default
of exactly that spelling)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from components.message.draft import Draft, payloads_for, renderable_part, summarize
from components.message.mapping import map_tags
from components.message.preflight import coverage_issues
from components.message.rendering import render
from components.sandbox.rendering import render_body
from components.ui.text import inert_label, plain


def frame(columns: dict[str, list[object]]) -> pd.DataFrame:
    count = len(next(iter(columns.values())))
    data = {"phoneNumber": [f"1949500{1000 + i:04d}" for i in range(count)], **columns}
    return pd.DataFrame(data).astype("str")


def previews_and_deliveries(recipients: pd.DataFrame, draft: Draft) -> tuple[list, list]:
    summary = summarize(recipients, draft, 0.0)
    preview = list(zip(recipients["phoneNumber"], summary.rendered.texts, strict=True))
    delivered = [pair for body in payloads_for(recipients, draft) for pair in render_body(body)]
    return preview, delivered


def test_columns_that_differ_only_in_case_fill_the_preview_and_the_request_alike():
    recipients = frame({"FIRST NAME": ["Ann", "Bob"], "First Name": ["ann", "bob"]})
    draft = Draft(content="Hi %%First Name%%, %%FIRST NAME%%!", program="1")
    preview, delivered = previews_and_deliveries(recipients, draft)
    assert preview == delivered
    # Each spelling is its own tag for Acoustic, but one tag for the marketer: one column fills it.
    assert [text for _, text in preview] == ["Hi ann, ann!", "Hi bob, bob!"]
    [issue] = [i for i in summarize(recipients, draft, 0).issues if "could be filled" in i.message]
    assert "'FIRST NAME'" in issue.message and "'First Name'" in issue.message
    assert "uses 'First Name'" in issue.message and issue.level == "warning"


def test_the_column_chosen_by_the_marketer_fills_both():
    recipients = frame({"FIRST NAME": ["Ann"], "First Name": ["ann"]})
    draft = Draft(content="Hi %%First Name%%", program="1", columns={"first name": "FIRST NAME"})
    preview, delivered = previews_and_deliveries(recipients, draft)
    assert preview == delivered == [("19495001000", "Hi Ann")]


def test_names_whose_case_folding_differs_from_lower_casing():
    recipients = frame({"Straße": ["Hauptstraße 1"], "ǅemal": ["x"]})
    draft = Draft(content="%%STRASSE%% %%ǄEMAL%%", program="1")
    preview, delivered = previews_and_deliveries(recipients, draft)
    assert preview == delivered == [("19495001000", "Hauptstraße 1 x")]


def test_a_default_made_only_of_spaces_is_no_default_anywhere():
    recipients = frame({"PIN": ["", "0042"]})
    draft = Draft(content="Code %%PIN%%", program="1", defaults={"PIN": "   "})
    preview, delivered = previews_and_deliveries(recipients, draft)
    assert preview == delivered == [("19495001000", "Code %%PIN%%"), ("19495001001", "Code 0042")]
    assert "personalizationDefaults" not in payloads_for(recipients, draft)[0]
    [blocking] = summarize(recipients, draft, 0).blocking
    assert "only spaces" in blocking.message and "+19495001000" in blocking.message


def test_a_contact_value_that_holds_a_tag_is_flagged_like_a_default():
    recipients = frame({"NAME": ["%%PIN%%", "Ann", "x %%NAME%% y"]})
    summary = summarize(recipients, Draft(content="Hi %%NAME%%", program="1"), 0)
    [warning] = [i for i in summary.issues if "holds a tag" in i.message]
    assert "'NAME'" in warning.message and "2 recipients" in warning.message
    assert "+19495001000" in warning.message and "+19495001002" in warning.message
    assert summary.rendered.texts.tolist()[0] == "Hi %%PIN%%"  # inserted as written


def test_single_render_follows_the_same_rule():
    row = {"FIRST NAME": "Ann", "First Name": "ann", "PIN": "  "}
    assert render("%%First Name%% %%PIN%%", row, {"pin": "0000"}) == "ann 0000"
    assert render("%%first name%%", row, {}) == "Ann"  # no exact spelling: the first column


def test_a_very_long_message_is_rendered_boundedly():
    content = "".join(f"Hi %%TAG{i}%% " for i in range(1200))  # ~19 KB, 1,200 tags
    assert len(renderable_part(content)) <= 800
    cut = renderable_part(content)
    assert cut.count("%%") % 2 == 0  # never half a tag
    recipients = frame({f"TAG{i}": ["v"] * 10_000 for i in range(3)})
    summary = summarize(recipients, Draft(content=content, program="1"), 0)
    assert summary.truncated and summary.rendered.texts.iloc[0].startswith("Hi v Hi v Hi v Hi")
    assert any("characters long" in issue.message for issue in summary.blocking)


# -- the property: random headers, spellings, values and defaults --------------------------------

NAMES = [
    "First Name", "FIRST NAME", "first name", " First Name", "first  name", "Straße", "STRASSE",
    "strasse", "ǅ", "ǆ", "Ǆ", "ﬃ", "FFI", "İ", "i̇", "Σ", "σ", "ς", "PIN", "pin", "K", "K",
]  # fmt: skip
values = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "  ", "Ann", "0042", "%%PIN%%", "ß", " x "]),
    st.text(max_size=6),
)


@st.composite
def drafts(draw: st.DrawFn) -> tuple[pd.DataFrame, Draft]:
    headers = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=6))
    rows = draw(st.integers(min_value=1, max_value=5))
    columns = {h: [draw(values) for _ in range(rows)] for h in headers}
    spellings = draw(st.lists(st.sampled_from([*NAMES, "CITY", " ", "Pin "]), max_size=5))
    literals = draw(st.lists(st.text(alphabet="ab %\n", max_size=4), min_size=len(spellings) + 1))
    content = literals[0] + "".join(
        f"%%{name}%%{literal}" for name, literal in zip(spellings, literals[1:], strict=False)
    )
    defaults = draw(st.dictionaries(st.sampled_from([*NAMES, "CITY"]), values, max_size=4))
    mapping = map_tags(content, headers)
    chosen = {
        s.tag: draw(st.sampled_from(s.candidates)) for s in mapping.ambiguous if draw(st.booleans())
    }
    recipients = pd.DataFrame(
        {"phoneNumber": [f"1949500{2000 + i:04d}" for i in range(rows)], **columns}
    ).astype("str")
    return recipients, Draft(content=content, program="1", defaults=defaults, columns=chosen)


@settings(max_examples=300, deadline=None)
@given(drafts())
def test_the_preview_is_what_acoustic_renders_from_the_bodies(case):
    recipients, draft = case
    preview, delivered = previews_and_deliveries(recipients, draft)
    assert preview == delivered
    summary = summarize(recipients, draft, 0)
    for item in summary.rendered.coverage:
        ambiguous = [i for i in coverage_issues(item) if "could be filled" in i.message]
        assert bool(ambiguous) == (len(item.candidates) > 1)
        assert item.column is None or item.column in item.candidates


def test_tag_names_are_plain_text_in_labels(app_environment):
    from tests.apptest_support import composed

    tag = "[x](https://e.example) **B** :red[T]"
    at = composed(f"Hi %%{tag}%%", "+19495001234")
    assert not at.exception
    [field] = [t for t in at.text_input if t.key == "compose.default." + tag.casefold()]
    # The widget's own label is its accessible name only (never rendered as Markdown)...
    # Collapsed, and inert: Streamlit renders even a collapsed label as Markdown.
    assert field.label == inert_label(f"%%{tag}%%") and field.proto.label_visibility.value == 2
    # ...and what the marketer sees above it is the escaped text: no link, bold or colour.
    [shown] = [m.value for m in at.markdown if plain(m.value) == f"%%{tag}%%"]
    assert "\\[x\\]" in shown and "\\*\\*B" in shown and "\\:" in shown
