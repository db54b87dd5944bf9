"""Outside text (contact fields, column names, API messages, pasted ids) shown inside Markdown.

Streamlit renders the text of st.markdown, st.caption, st.error... as Markdown, with emoji and icon
shortcodes (`:smile:`, `:material/error:`), LaTeX and GFM autolinks (`https://...`, `www.`, e-mail
addresses). Text that did not come from us must show as written and never become a link, an image,
an icon or formatting. Backslash escapes stop Markdown proper; shortcodes and autolinks are matched
after escapes are resolved, so an invisible WORD JOINER (U+2060) breaks those patterns instead.
"""

from __future__ import annotations

import re

_SPECIAL = set("\\`*_{}[]()#+-.!|<>~:$&\"'=%^")
WORD_JOINER = "\u2060"
# ":" or "@" before a non-space (a scheme "https:", a shortcode ":x:", an address "a@b"), and a
# "www." that GFM would link.
_PATTERNS = re.compile(r"(?<=[:@])(?=\S)|(?=(?<![^\s*_~(])www\.)", re.IGNORECASE)


def md(text: object) -> str:
    """`text` that Streamlit's Markdown shows exactly as written (nothing is interpreted)."""
    value = _PATTERNS.sub(WORD_JOINER, str(text))
    return "".join(f"\\{ch}" if ch in _SPECIAL else ch for ch in value)


def plain(markdown_text: str) -> str:
    """What a reader sees of text built with `md`: escapes and word joiners removed (tests)."""
    return re.sub(r"\\(.)", r"\1", markdown_text, flags=re.DOTALL).replace(WORD_JOINER, "")


# In a widget's label: a link's "](" is cut by the joiner, and "$" (LaTeX) is escaped.
_LINK_TARGET = re.compile(r"\](?=\()")


def inert_label(text: object) -> str:
    """`text` for a widget's label, which Streamlit renders as Markdown even when it is collapsed
    (links, images, colours, LaTeX, icons) and also uses, unrendered, as the widget's accessible
    name: nothing of it is interpreted, and what a screen reader reads is the text as written,
    invisible joiners aside (backslashes only before "$", which LaTeX would take)."""
    value = _PATTERNS.sub(WORD_JOINER, str(text))
    value = _LINK_TARGET.sub("]" + WORD_JOINER, value)
    return value.replace("\\", "\\\\").replace("$", "\\$")
