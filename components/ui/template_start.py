"""Compose's "Start from a template": the picker (by name, with what each is for), which fills
the draft with a version, and the line that says whether the draft is still that version."""

from __future__ import annotations

import weakref

import pandas as pd
import streamlit as st

from components.message.draft import CONTENT_COLUMN, Draft
from components.message.mapping import tag_key
from components.templates import (
    TemplateVersion,
    newest_versions,
    recipient_languages,
    unchanged,
)
from components.ui.compose_state import prefill_draft
from components.ui.sending import journal

PICKED = "compose.template"  # the TemplateVersion the draft started from
_CHOICE = "compose.template_choice"
LANGUAGE_COLUMN = "compose.language_column"
_LANGUAGES = "compose.languages_memo"
NONE = "(none: write the message)"
BY_COUNTRY = "(none: by the number's country)"


def _apply(versions: dict[str, TemplateVersion]) -> None:
    """Fills the draft with the chosen version (the picker's callback, before any widget)."""
    state = st.session_state
    version = versions.get(state.get(_CHOICE, NONE))
    if version is None:
        state.pop(PICKED, None)
        return
    draft = version.draft
    prefill_draft(
        content=draft.content,
        program=draft.program,
        source=draft.source,
        # Every field of the template: one without a default of its own is cleared.
        defaults={tag: str(draft.defaults.get(tag, "")) for tag in version.tags},
        options={"campaignName": draft.campaign_name, "ttlInMinutes": draft.ttl_minutes},
    )
    state[PICKED] = version


def template_picker() -> None:
    """The active templates' newest versions, by name; choosing one fills the draft."""
    versions = {v.name: v for v in newest_versions(journal())}
    if not versions:
        return
    picked: TemplateVersion | None = st.session_state.get(PICKED)
    if picked is not None and picked.name in versions:
        st.session_state.setdefault(_CHOICE, picked.name)
    st.selectbox(
        "Start from a template",
        [NONE, *versions],
        key=_CHOICE,
        format_func=lambda name: (
            name
            if name == NONE
            else f"{name} — {versions[name].description or versions[name].draft.content[:60]}"
        ),
        on_change=_apply,
        args=(versions,),
        help="Fills the message, program, defaults and options; Templates lists them all.",
    )


def picked_template() -> TemplateVersion | None:
    return st.session_state.get(PICKED)


def language_column_picker(columns: list[str]) -> None:
    """For a template in several languages: the contacts' column that holds each one's language
    (a code such as en, de or pt-br), if the file has one."""
    version = picked_template()
    if version is None or not version.variants:
        return
    options = [BY_COUNTRY, *(c for c in columns if c != "phoneNumber")]
    if st.session_state.get(LANGUAGE_COLUMN) not in options:
        st.session_state[LANGUAGE_COLUMN] = BY_COUNTRY
    st.selectbox(
        "Language of each contact",
        options,
        key=LANGUAGE_COLUMN,
        help=f"{version.name} has messages in {', '.join(version.languages)}. Without a column, "
        "each number's country decides; a language with no message gets "
        f"{version.default_language}.",
    )


def chosen_language_column() -> str | None:
    chosen = st.session_state.get(LANGUAGE_COLUMN)
    return None if chosen in (None, BY_COUNTRY) else str(chosen)


def in_their_languages(recipients: pd.DataFrame, draft: Draft) -> pd.DataFrame:
    """The recipients, each with their language's message (CONTENT_COLUMN) while the draft is
    a template version in several languages; as given otherwise. Shows the count per language.
    Kept for as long as the session shows the same recipients, version and column."""
    version = picked_template()
    if version is None or not version.variants or not len(recipients):
        return recipients
    if not unchanged(version, draft):
        return recipients
    column = chosen_language_column()
    kept = st.session_state.get(_LANGUAGES)
    key = (version.template_id, version.version, column)
    if kept is not None and kept[0]() is recipients and kept[1] == key:
        choice = kept[2]
    else:
        choice = recipient_languages(recipients, version, column=column)
        st.session_state[_LANGUAGES] = (weakref.ref(recipients), key, choice)
    words = choice.words(version)
    st.caption(f"Languages: {words}. Each language goes in requests of its own.")
    return recipients.assign(**{CONTENT_COLUMN: choice.languages.map(version.message_for)})


def template_note(draft: Draft, recipients: pd.DataFrame) -> None:
    """Whether the draft is still the version it started from, and the template's columns that
    the contacts lack."""
    version = picked_template()
    if version is None:
        return
    if unchanged(version, draft):
        approved = " (approved)" if version.approved else ""
        st.caption(f"From the template {version.label}{approved}; the send records it.")
    else:
        st.caption(
            f"Changed from {version.label}: this send records no template version, and it is an "
            "ordinary send for approval."
        )
    if len(recipients):
        have = {tag_key(c) for c in recipients.columns}
        lacking = [t for t in version.tags if tag_key(t) not in have]
        if lacking:
            st.warning(
                f"The contacts have no column {', '.join(lacking)}, which {version.name} uses: "
                "add the column to the file, or give a default below.",
                icon=":material/table_view:",
            )
