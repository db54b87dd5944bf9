"""Outside text shown in Markdown is escaped so that it reads as written."""

from hypothesis import given
from hypothesis import strategies as st

from components.ui.text import WORD_JOINER, inert_label, md, plain

MARKDOWN_SIGNIFICANT = "`*_{}[]()#+-.!|<>~:$"


def test_links_images_icons_and_latex_are_escaped():
    assert md("[x](https://e.example)") == f"\\[x\\]\\(https\\:{WORD_JOINER}//e\\.example\\)"
    assert md("![i](u)") == "\\!\\[i\\]\\(u\\)"
    assert md(":material/error: $x$") == f"\\:{WORD_JOINER}material/error\\: \\$x\\$"
    assert md("Ann O'Neil") == "Ann O\\'Neil"
    assert md(404) == "404"


def test_autolinks_and_shortcodes_are_broken_by_an_invisible_joiner():
    assert md("mail ann@example.com") == f"mail ann@{WORD_JOINER}example\\.com"
    assert md("see www.example.com") == f"see {WORD_JOINER}www\\.example\\.com"
    assert md("Note: fine") == "Note\\: fine"  # a colon before a space is left alone


@given(st.text())
def test_every_significant_character_is_escaped_and_nothing_is_lost(text):
    text = text.replace(WORD_JOINER, "")
    escaped = md(text)
    assert plain(escaped) == text
    for index, ch in enumerate(escaped):
        if ch in MARKDOWN_SIGNIFICANT:
            assert escaped[index - 1] == "\\"


def test_a_label_is_inert_and_reads_as_written():
    label = inert_label("%%[h](https://evil.example)%% %%:red[H] $y$%% ![i](x.png)")
    assert "](" not in label and ":red[" not in label and "https://" not in label
    assert " $y$" not in label  # LaTeX is escaped
    assert plain(label) == "%%[h](https://evil.example)%% %%:red[H] $y$%% ![i](x.png)"
    assert inert_label("%%FIRST NAME%%") == "%%FIRST NAME%%"  # the accessible name, untouched
