"""The Templates page's panels for one template: its versions with their differences, approval
(approvers, not their own) and archiving (admins), the preview with sample values or a file's
first rows, and moving templates between consoles."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.contacts.reading import ContactFileError, read_contacts
from components.core.csv_files import to_csv
from components.journal import Journal
from components.message.rendering import render_all
from components.message.segments import count_segments
from components.team.auth import Identity, Permission, PermissionDenied
from components.templates import (
    TemplateError,
    TemplateVersion,
    approve_template,
    archive_template,
    differences,
    export_templates,
    import_templates,
    newest_versions,
    template_versions,
)
from components.ui.local_time import local_time
from components.ui.templates_view import finished
from components.ui.text import md


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
                    finished(f"Approved {approved.label}.")
    if identity.may(Permission.ADMINISTER):
        verb = "Bring back" if opened.archived else "Archive"
        if st.button(verb, icon=":material/archive:", key="templates.archive"):
            try:
                archive_template(journal, opened.name, by=identity, archived=not opened.archived)
            except (TemplateError, PermissionDenied) as exc:
                st.error(md(exc), icon=":material/error:")
            else:
                finished(f"{opened.name} is {'back' if opened.archived else 'archived'}.")


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
    finished(f"Imported: {added}. {result.unchanged} version(s) were here already.")
