"""The Templates page's widgets: the list (search, state), the editor (new, edit, duplicate), the
versions with their differences, approval and archiving, the preview with sample values or a
file's first rows, and moving templates between consoles. The rules are components/templates'."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.contacts.reading import ContactFileError, read_contacts
from components.core.csv_files import to_csv
from components.journal import Journal, TemplateConflict
from components.message.draft import Draft
from components.message.mapping import tags
from components.message.rendering import render_all
from components.message.segments import count_segments
from components.team.auth import Identity, Permission, PermissionDenied
from components.templates import (
    DEFAULT_LANGUAGE,
    TemplateError,
    TemplateVersion,
    approve_template,
    archive_template,
    differences,
    export_templates,
    import_templates,
    newest_versions,
    save_template,
    template_versions,
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


def _done(text: str) -> None:
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


def _variants_frame(version: TemplateVersion | None) -> pd.DataFrame:
    variants = dict(version.variants) if version else {}
    return pd.DataFrame(
        {"Language": list(variants), "Message": list(variants.values())}, dtype="str"
    )


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
    st.caption("Other languages (the same %%FIELDS%% in each):")
    variants_table = st.data_editor(
        _variants_frame(base),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"{key}.variants",
        column_config={
            "Language": st.column_config.TextColumn(help="en, de, es, pt-br…", width="small"),
            "Message": st.column_config.TextColumn(width="large", max_chars=800),
        },
    )
    counts_of(message, _variant_dict(variants_table), base.default_language if base else language)
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
            variants=_variant_dict(variants_table),
            default_language=language,
            expected_version=opened.version if editing and opened else None,
        )
    except (TemplateError, TemplateConflict, PermissionDenied) as exc:
        st.error(md(exc), icon=":material/error:")
        return
    st.session_state.pop(f"{key}.copy", None)
    st.session_state[OPEN_NEXT] = saved.name
    _done(f"Saved {saved.label}. An approver can approve it on its Versions tab.")


def _variant_dict(table: pd.DataFrame) -> dict[str, str]:
    rows = table.fillna("") if len(table) else table
    return {
        str(r["Language"]).strip(): str(r["Message"])
        for _, r in rows.iterrows()
        if str(r["Language"]).strip() or str(r["Message"]).strip()
    }


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


def versions_panel(journal: Journal, identity: Identity, opened: TemplateVersion) -> None:
    """Every version with who saved and approved it, the differences between two, approval
    (approvers, not their own) and archiving (admins)."""
    versions = template_versions(journal, opened.name)
    st.dataframe(
        pd.DataFrame(
            {
                "Version": [f"v{v.version}" for v in versions],
                "Saved": [local_time(v.saved_at) for v in versions],
                "By": [v.saved_by for v in versions],
                "Approved": [
                    f"{local_time(v.approved_at)} by {v.approved_by}" if v.approved_at else "—"
                    for v in versions
                ],
                "Message": [v.draft.content for v in versions],
            }
        ).iloc[::-1],
        hide_index=True,
        width="stretch",
    )
    if len(versions) > 1:
        labels = [f"v{v.version}" for v in versions]
        left, right = st.columns(2)
        older = left.selectbox("Compare", labels, index=len(labels) - 2, key="templates.older")
        newer = right.selectbox("with", labels, index=len(labels) - 1, key="templates.newer")
        changes = differences(versions[labels.index(older)], versions[labels.index(newer)])
        if not changes:
            st.caption(f"{older} and {newer} say the same.")
        for change in changes:
            if change.lines:
                st.markdown(f"**{md(change.what)}**")
                st.code("\n".join(change.lines), language="diff")
            else:
                st.markdown(f"**{md(change.what)}**: {md(change.before)} → {md(change.after)}")
    if identity.may(Permission.APPROVE):
        waiting = [v for v in versions if not v.approved]
        if waiting and not opened.archived:
            label = st.selectbox(
                "Approve a version",
                [f"v{v.version}" for v in reversed(waiting)],
                key="templates.approve_which",
            )
            if st.button("Approve", icon=":material/verified:", key="templates.approve"):
                try:
                    approved = approve_template(journal, opened.name, int(label[1:]), by=identity)
                except (TemplateError, PermissionDenied) as exc:
                    st.error(md(exc), icon=":material/error:")
                else:
                    _done(f"Approved {approved.label}.")
    if identity.may(Permission.ADMINISTER):
        verb = "Bring back" if opened.archived else "Archive"
        if st.button(verb, icon=":material/archive:", key="templates.archive"):
            try:
                archive_template(journal, opened.name, by=identity, archived=not opened.archived)
            except (TemplateError, PermissionDenied) as exc:
                st.error(md(exc), icon=":material/error:")
            else:
                _done(f"{opened.name} is {'back' if opened.archived else 'archived'}.")


def preview_panel(opened: TemplateVersion) -> None:
    """Each language's SMS with sample values, or with the first rows of a contact file."""
    fields = opened.tags
    samples = {}
    if fields:
        columns = st.columns(min(len(fields), 3))
        for index, tag in enumerate(fields):
            samples[tag] = columns[index % len(columns)].text_input(
                f"Sample %%{tag}%%",
                value=str(opened.draft.defaults.get(tag, "")) or f"[{tag}]",
                key=f"templates.sample.{opened.name}.{tag}",
            )
    frame = pd.DataFrame({tag: [value] for tag, value in samples.items()} or {"x": [""]})
    for language in opened.languages:
        text = render_all(opened.message_for(language), frame, opened.draft.defaults).texts.iloc[0]
        count = count_segments(text)
        st.markdown(
            f"**{language}** · {len(text)} characters · {count.encoding} · "
            f"{count.segments} segment(s)"
        )
        st.code(text, language=None, wrap_lines=True)
    example = pd.DataFrame(
        {"phone": ["+1 949 500 1234"], **{tag: [samples.get(tag, "")] for tag in fields}}
    )
    st.download_button(
        "Download an example contact file",
        lambda: to_csv(example),
        file_name=f"{opened.name} example.csv",
        mime="text/csv",
        icon=":material/download:",
        help="The columns this template needs, with one example row.",
        key="templates.example",
    )
    upload = st.file_uploader(
        "Or preview with the first rows of a contact file", type=["csv", "tsv", "txt", "xlsx"]
    )
    if upload is None:
        return
    try:
        contacts = read_contacts(upload.getvalue(), filename=upload.name)
    except ContactFileError as exc:
        st.error(md(exc), icon=":material/error:")
        return
    missing = [t for t in fields if t.casefold() not in {c.casefold() for c in contacts.columns}]
    if missing:
        st.warning(
            f"The file has no column {', '.join(missing)}: the template's default fills it, or the "
            "send is blocked until one is given.",
            icon=":material/warning:",
        )
    first = contacts.recipients.head(5).reset_index(drop=True)
    texts = render_all(opened.draft.content, first, opened.draft.defaults).texts
    st.dataframe(
        pd.DataFrame({"Phone number": "+" + first["phoneNumber"], "SMS": texts}),
        hide_index=True,
        width="stretch",
    )


def transfer_panel(journal: Journal, identity: Identity) -> None:
    """Export every template (all versions and languages) as JSON; import one (adds versions)."""
    every = newest_versions(journal, archived=None)
    if every:
        st.download_button(
            "Export all templates (JSON)",
            lambda: export_templates(template_versions(journal, v.name) for v in every),
            file_name="sms-console-templates.json",
            mime="application/json",
            icon=":material/download:",
            key="templates.export",
        )
    if not identity.may(Permission.SEND):
        return
    upload = st.file_uploader("Import templates (JSON)", type=["json"], key="templates.import")
    if upload is None or not st.button(
        "Import", icon=":material/upload:", key="templates.do_import"
    ):
        return
    try:
        result = import_templates(
            journal, upload.getvalue().decode("utf-8", "replace"), by=identity
        )
    except (TemplateError, PermissionDenied) as exc:
        st.error(md(exc), icon=":material/error:")
        return
    added = ", ".join(result.added) or "nothing new"
    _done(f"Imported: {added}. {result.unchanged} version(s) were here already.")
