"""The Templates page's widgets: the list (search, state), the editor (new, edit, duplicate), the
versions with their differences, approval and archiving, the preview with sample values or a
file's first rows, and moving templates between consoles. The rules are components/templates'."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.journal import Journal, TemplateConflict
from components.message.draft import Draft
from components.message.mapping import tags
from components.message.segments import count_segments
from components.team.auth import Identity, Permission, PermissionDenied
from components.templates import (
    DEFAULT_LANGUAGE,
    TemplateError,
    TemplateVersion,
    language_code,
    newest_versions,
    save_template,
)
from components.ui.local_time import local_time
from components.ui.text import md

NEW = "➕ New template"
OPEN = "templates.open"
OPEN_NEXT = "templates.open_next"  # the template to open on the next run (a save, a duplicate)
DONE = "templates.done"
STATES = ["Active", "Awaiting approval", "Approved", "Archived", "All"]


def done_message() -> None:
    """What the last action did, shown once after the rerun it caused."""
    said = st.session_state.pop(DONE, None)
    if said:
        st.success(said, icon=":material/check_circle:")


def finished(text: str) -> None:
    st.session_state[DONE] = text
    st.rerun()


def _matches(version: TemplateVersion, search: str) -> bool:
    words = search.casefold().split()
    haystack = " ".join(
        [
            version.name,
            version.draft.content,
            version.draft.program,
            version.description,
            *version.variants.values(),
        ]
    ).casefold()
    return all(word in haystack for word in words)


def template_list(journal: Journal) -> TemplateVersion | None:
    """The list with its search and state filter; returns the template opened (None: new)."""
    search_column, state_column = st.columns([3, 2])
    search = search_column.text_input(
        "Search", placeholder="name, text or program", key="templates.search"
    )
    state = state_column.selectbox("Show", STATES, key="templates.state")
    archived = {"Archived": True, "All": None}.get(state, False)
    shown = [v for v in newest_versions(journal, archived=archived) if _matches(v, search)]
    if state == "Approved":
        shown = [v for v in shown if v.approved]
    elif state == "Awaiting approval":
        shown = [v for v in shown if not v.approved]
    if shown:
        st.dataframe(
            pd.DataFrame(
                {
                    "Template": [v.name for v in shown],
                    "Newest": [f"v{v.version}" for v in shown],
                    "Program": [v.draft.program or "—" for v in shown],
                    "Languages": [", ".join(v.languages) for v in shown],
                    "Approved": [
                        f"v{v.version} by {v.approved_by}" if v.approved else "not yet"
                        for v in shown
                    ],
                    "Saved": [f"{local_time(v.saved_at)} by {v.saved_by}" for v in shown],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("No template matches." if search else "No templates yet.", icon=":material/info:")
    names = [NEW, *(v.name for v in shown)]
    if OPEN_NEXT in st.session_state:
        st.session_state[OPEN] = st.session_state.pop(OPEN_NEXT)
    if st.session_state.get(OPEN) not in names:
        st.session_state[OPEN] = names[1] if len(names) > 1 else NEW
    chosen = st.selectbox("Open", names, key=OPEN)
    return next((v for v in shown if v.name == chosen), None)


def editor(journal: Journal, identity: Identity, opened: TemplateVersion | None) -> None:
    """New, edit or duplicate; each save is a new version (senders and up)."""
    if not identity.may(Permission.SEND):
        st.caption("Senders, approvers and admins create and change templates.")
        return
    key = f"templates.edit.{opened.name if opened else '(new)'}"
    copy = st.session_state.get(f"{key}.copy")
    base = copy or opened
    draft = base.draft if base else Draft()
    editing = opened is not None and copy is None
    name = (
        opened.name
        if editing and opened
        else st.text_input(
            "Name", value=f"Copy of {copy.name}" if copy else "", key=f"{key}.name", max_chars=100
        )
    )
    description = st.text_input(
        "When to use it",
        value=base.description if base else "",
        key=f"{key}.description",
        placeholder="The code people get when they sign in",
    )
    message = st.text_area(
        "Message",
        value=draft.content,
        key=f"{key}.message",
        placeholder="Hi %%FIRST NAME%%, your code is %%PIN%%.",
        max_chars=800,
    )
    left, right = st.columns(2)
    program = left.text_input("SMS program id", value=draft.program, key=f"{key}.program")
    source = right.text_input("Source (optional)", value=draft.source, key=f"{key}.source")
    campaign = left.text_input(
        "Campaign name (optional)", value=draft.campaign_name, key=f"{key}.campaign"
    )
    ttl = right.number_input(
        "Expire after, minutes (optional)",
        min_value=1,
        max_value=10_080,
        value=draft.ttl_minutes,
        key=f"{key}.ttl",
        placeholder="no expiry",
    )
    found = tags(message)
    defaults = {}
    if found:
        st.caption("A default fills a field for contacts without a value of their own.")
        columns = st.columns(min(len(found), 3))
        for index, tag in enumerate(found):
            defaults[tag] = columns[index % len(columns)].text_input(
                f"Default for %%{tag}%%",
                value=str(draft.defaults.get(tag, "")),
                key=f"{key}.default.{tag}",
            )
    language = st.text_input(
        "Language of this message",
        value=base.default_language if base else DEFAULT_LANGUAGE,
        key=f"{key}.language",
        help="A code such as en, de or pt-br. Contacts whose language has no message get this one.",
    )
    variants = language_messages(key, base)
    counts_of(message, variants, language)
    label = f"Save as v{opened.version + 1}" if editing and opened else "Save template"
    if not st.button(label, type="primary", icon=":material/save:", key=f"{key}.save"):
        return
    try:
        saved = save_template(
            journal,
            name,
            Draft(
                content=message,
                program=program,
                source=source,
                defaults=defaults,
                ttl_minutes=int(ttl) if ttl else None,
                campaign_name=campaign,
            ),
            actor=identity,
            description=description,
            variants=variants,
            default_language=language,
            expected_version=opened.version if editing and opened else None,
        )
    except (TemplateError, TemplateConflict, PermissionDenied) as exc:
        st.error(md(exc), icon=":material/error:")
        return
    st.session_state.pop(f"{key}.copy", None)
    st.session_state[OPEN_NEXT] = saved.name
    finished(f"Saved {saved.label}. An approver can approve it on its Versions tab.")


def language_messages(key: str, base: TemplateVersion | None) -> dict[str, str]:
    """The other languages' messages: a box per language, added by its code and removable."""
    state = st.session_state
    codes = state.setdefault(f"{key}.languages", list(base.variants) if base else [])
    if codes:
        st.caption("Other languages (the same %%FIELDS%% in each):")
    messages = {}
    for code in codes:
        box, remove = st.columns([6, 1], vertical_alignment="bottom")
        messages[code] = box.text_area(
            f"Message ({code})",
            value=base.variants.get(code, "") if base else "",
            key=f"{key}.variant.{code}",
            max_chars=800,
            height=90,
        )
        remove.button(
            "Remove",
            key=f"{key}.remove.{code}",
            on_click=_remove_language,
            args=(key, code),
            help=f"Remove the {code} message from this version",
        )
    field, add = st.columns([3, 1], vertical_alignment="bottom")
    field.text_input("Add a language", key=f"{key}.new_language", placeholder="de", max_chars=12)
    add.button("Add", key=f"{key}.add_language", on_click=_add_language, args=(key,))
    problem = state.get(f"{key}.language_problem")
    if problem:
        st.warning(problem, icon=":material/translate:")
    return messages


def _add_language(key: str) -> None:
    state = st.session_state
    given = str(state.get(f"{key}.new_language", ""))
    code = language_code(given)
    state[f"{key}.language_problem"] = None
    if code is None:
        state[f"{key}.language_problem"] = (
            f"{given.strip() or 'That'} is not a language code. Use a code such as en, de, es "
            "or pt-br."
        )
        return
    codes = state.setdefault(f"{key}.languages", [])
    if code not in codes:
        codes.append(code)
    state[f"{key}.new_language"] = ""


def _remove_language(key: str, code: str) -> None:
    codes = st.session_state.get(f"{key}.languages", [])
    if code in codes:
        codes.remove(code)
    st.session_state.pop(f"{key}.variant.{code}", None)


def counts_of(message: str, variants: dict[str, str], default_language: str) -> None:
    """Characters, encoding and segments of each language's message (before personalization)."""
    rows = []
    for language, text in [(default_language, message), *variants.items()]:
        if not text:
            continue
        count = count_segments(text)
        rows.append(
            {
                "Language": language,
                "Characters": len(text),
                "Encoding": count.encoding,
                "Segments": count.segments,
            }
        )
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="content")


def duplicate_button(opened: TemplateVersion, identity: Identity) -> None:
    if identity.may(Permission.SEND) and st.button(
        "Duplicate", icon=":material/content_copy:", key="templates.duplicate"
    ):
        st.session_state["templates.edit.(new).copy"] = opened
        st.session_state[OPEN_NEXT] = NEW
        st.rerun()
