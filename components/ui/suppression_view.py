"""The do-not-text list's widgets: Compose's screening and its notice, the list's page (search,
add, import, export, remove) and Status's one-click listing of the contacts that opted out.
The rules and the audit are components/guardrails/do_not_text.py's."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.contacts.phone import normalize_phone
from components.contacts.reading import ContactFileError, ContactList, InvalidPhoneNumber
from components.core.csv_files import to_csv
from components.core.times import utc_text
from components.guardrails.do_not_text import (
    Screened,
    SuppressionError,
    add_numbers,
    add_one,
    not_listed,
    read_import,
    records_of,
    remove_numbers,
    screen,
)
from components.journal import Journal, SuppressionRecord
from components.status.opt_outs import opted_out_contacts
from components.team.auth import Identity, Permission, PermissionDenied
from components.ui.compose_widgets import (
    LoadedContacts,
    browser_region,
    region_choices,
    region_label,
    rejected_rows,
)
from components.ui.exports import audited_csv_download
from components.ui.local_time import local_time
from components.ui.text import md

SHOWN = 500  # rows of the list drawn at once; the export has all


def _records_frame(records: list[SuppressionRecord], *, export: bool = False) -> pd.DataFrame:
    """The list's entries as the page shows them (times in the reader's zone) or as an export
    writes them (UTC, said so)."""
    when = utc_text if export else local_time
    return pd.DataFrame(
        {
            "phone number": ["+" + r.phone_number for r in records],
            "reason": [r.reason for r in records],
            "added by": [r.added_by for r in records],
            ("added (UTC)" if export else "added"): [when(r.added_at) for r in records],
            "source": [r.source for r in records],
        }
    )


# -- Compose ---------------------------------------------------------------------------------


def screened_recipients(journal: Journal, loaded: LoadedContacts) -> Screened:
    """Compose's recipients without the listed numbers, once per process for the same contacts
    (their digest and reading choices) and list version: ten marketers with the same file share
    one screening, and an edit of the list (a new version) screens again. Shared: nothing may
    change what it returns."""
    return _shared_screening(
        (loaded.key, journal.location, journal.suppression_version()),
        journal,
        loaded.contacts.recipients,
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _shared_screening(
    key: tuple[object, ...], _journal: Journal, _recipients: pd.DataFrame
) -> Screened:
    return screen(_journal, _recipients)


def everyone_listed_reason(count: int) -> str:
    return (
        f"All {count:,} recipient(s) are on the do-not-text list: there is no one to send to. "
        "Check that these are the right contacts."
    )


def left_out_notice(journal: Journal, screened: Screened, *, actor: str) -> None:
    """How many recipients are on the list, which ones (and why), downloadable."""
    left_out = screened.left_out
    if not len(left_out):
        return
    if screened.everyone_listed:
        st.error(everyone_listed_reason(len(left_out)), icon=":material/block:")
    else:
        st.warning(
            f"{len(left_out):,} recipient(s) are on the do-not-text list and are left out: "
            "no SMS goes to them.",
            icon=":material/do_not_disturb_on:",
        )
    with st.expander(
        f"Left out: on the do-not-text list ({len(left_out):,})",
        icon=":material/do_not_disturb_on:",
    ):
        numbers = left_out["phoneNumber"].astype("str").tolist()
        shown = _records_frame(records_of(journal, numbers[:SHOWN]))
        st.dataframe(shown, hide_index=True, width="stretch")
        if len(numbers) > SHOWN:
            st.caption(f"The first {SHOWN:,} are shown; the export has all {len(numbers):,}.")

        def build() -> tuple[bytes, int]:
            frame = _records_frame(records_of(journal, numbers), export=True)
            return to_csv(frame), len(frame)

        audited_csv_download(
            build,
            journal=journal,
            actor=actor,
            what="recipients left out for the do-not-text list (Compose)",
            file_stem="sms-left-out",
            key="compose.left_out_export",
        )


# -- the list's page ---------------------------------------------------------------------------


def list_overview(journal: Journal, *, actor: str) -> None:
    """The count, a search and the table (newest first), and the export of the whole list."""
    count = journal.suppression_count()
    st.metric("Numbers on the list", f"{count:,}")
    search = st.text_input(
        "Search",
        key="dnt.search",
        placeholder="Digits of a number, a word of the reason, or who added it",
    )
    records = journal.search_suppressions(search, limit=SHOWN)
    if not records:
        st.info(
            "No number matches." if search.strip() else "The list is empty.",
            icon=":material/do_not_disturb_on:",
        )
    else:
        st.dataframe(_records_frame(records), hide_index=True, width="stretch")
        if len(records) == SHOWN:
            st.caption(f"The newest {SHOWN:,} matches are shown; narrow the search to see others.")
    if count:
        audited_csv_download(
            lambda: _export(journal),
            journal=journal,
            actor=actor,
            what="the do-not-text list",
            file_stem="sms-do-not-text",
            key="dnt.export",
        )


def _export(journal: Journal) -> tuple[bytes, int]:
    frame = _records_frame(journal.export_suppressions(), export=True)
    return to_csv(frame), len(frame)


def _region(key: str) -> str:
    if key not in st.session_state:
        st.session_state[key] = browser_region()
    return st.selectbox(
        "Default country",
        region_choices(),
        key=key,
        format_func=region_label,
        help="For numbers written without a country code.",
    )


def _done(message: str) -> None:
    st.session_state["dnt.done"] = message
    st.rerun()


def done_message() -> None:
    """What the last change did, said once after the rerun it caused."""
    message = st.session_state.pop("dnt.done", None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _number_form(
    key: str, title: str, placeholder: str, button: str, icon: str
) -> tuple[str, str, str] | None:
    """A number, its default country and a reason; None until the form is submitted."""
    with st.form(f"dnt.{key}", border=True):
        st.markdown(f"**{title}**")
        number = st.text_input(
            "Phone number", key=f"dnt.{key}_number", placeholder="+1 949 500 1234"
        )
        region = _region(f"dnt.{key}_region")
        reason = st.text_input("Reason", key=f"dnt.{key}_reason", placeholder=placeholder)
        submitted = st.form_submit_button(button, icon=icon)
    return (number, region, reason) if submitted else None


def add_one_form(journal: Journal, identity: Identity) -> None:
    """One number with a reason (senders and up)."""
    if not identity.may(Permission.SEND):
        return
    given = _number_form(
        "add", "Add a number", "asked not to be texted", "Add to the list", ":material/add:"
    )
    if given is None:
        return
    try:
        listed = add_one(journal, *given, identity)
    except (InvalidPhoneNumber, SuppressionError, PermissionDenied) as exc:
        st.error(md(exc), icon=":material/error:")
        return
    _done(f"+{listed} is on the do-not-text list: no send reaches it.")


def import_form(journal: Journal, identity: Identity) -> None:
    """Numbers pasted or from a CSV/XLSX, read as Compose reads contacts (admins)."""
    if not identity.may(Permission.ADMINISTER):
        return
    st.markdown("**Import numbers**")
    source = st.segmented_control(
        "Import from", ["Paste", "Upload a file"], key="dnt.import_source", default="Paste"
    )
    data: bytes | str | None = None
    filename = None
    if source == "Upload a file":
        upload = st.file_uploader("CSV, TSV, TXT or XLSX", type=["csv", "tsv", "txt", "xlsx"])
        if upload is not None:
            data, filename = upload.getvalue(), upload.name
    else:
        text = st.text_area("Phone numbers, one a line, or CSV text", key="dnt.import_paste")
        data = text if text.strip() else None
    region = _region("dnt.import_region")
    if data is None:
        return
    try:
        contacts = read_import(data, filename=filename, region=region)
    except ContactFileError as exc:
        st.error(md(exc), icon=":material/error:")
        return
    _import_summary(contacts)
    numbers = contacts.recipients["phoneNumber"].astype("str").tolist()
    reason = st.text_input("Reason", key="dnt.import_reason", placeholder="unsubscribe list")
    if st.button(
        f"Import {len(numbers):,} number(s)",
        key="dnt.import",
        icon=":material/upload:",
        disabled=not numbers,
    ):
        try:
            added = add_numbers(journal, numbers, reason, identity, "import")
        except (SuppressionError, PermissionDenied) as exc:
            st.error(md(exc), icon=":material/error:")
            return
        _done(
            f"{len(added):,} number(s) added to the list; {len(numbers) - len(added):,} were on "
            "it already."
        )


def _import_summary(contacts: ContactList) -> None:
    valid, rejected, merged = st.columns(3)
    valid.metric("Numbers", f"{len(contacts.recipients):,}")
    rejected.metric("Rejected", f"{len(contacts.rejected):,}")
    merged.metric("Merged", f"{contacts.duplicates:,}")
    for note in contacts.notes:
        st.caption(md(note))
    if contacts.phone_column:
        st.caption(f"Phone numbers from the column **{md(contacts.phone_column)}**.")
    rejected_rows(contacts.rejected, key="dnt.rejected_open")


def remove_form(journal: Journal, identity: Identity) -> None:
    """Takes a number off the list, with a reason (admins)."""
    if not identity.may(Permission.ADMINISTER):
        st.caption("Removing a number from the list needs the admin role.")
        return
    given = _number_form(
        "remove", "Remove a number", "opted in again", "Remove from the list", ":material/remove:"
    )
    if given is None:
        return
    number, region, reason = given
    try:
        digits = normalize_phone(number, region)
        removed = remove_numbers(journal, [digits], reason, identity)
    except (InvalidPhoneNumber, SuppressionError, PermissionDenied) as exc:
        st.error(md(exc), icon=":material/error:")
        return
    if not removed:
        st.warning(f"+{digits} is not on the list: nothing changed.", icon=":material/info:")
        return
    _done(f"+{digits} is off the do-not-text list.")


# -- Status --------------------------------------------------------------------------------------


def opted_out_offer(journal: Journal, table: pd.DataFrame, identity: Identity) -> None:
    """The contacts whose failure says they opted out, listed in one click (senders and up)."""
    if not identity.may(Permission.SEND):
        return
    numbers, reason = opted_out_contacts(table)
    new = sorted(not_listed(journal, numbers))
    if not new:
        if numbers:
            st.caption("The contacts that opted out are on the do-not-text list.")
        return
    st.header("Opted out")
    reason = st.text_input("Reason", value=reason, key="status.dnt_reason")
    if st.button(
        f"Add the {len(new):,} opted-out contact(s) to the do-not-text list",
        icon=":material/do_not_disturb_on:",
        key="status.dnt_add",
    ):
        try:
            add_numbers(journal, new, reason, identity, "status")
        except (SuppressionError, PermissionDenied) as exc:
            st.error(md(exc), icon=":material/error:")
            return
        st.success(
            f"{len(new):,} contact(s) added to the do-not-text list: no send reaches them.",
            icon=":material/check_circle:",
        )
