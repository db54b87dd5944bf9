"""Whether a journaled send is what an approved template version says, checked by the worker
where the send happens (the rule of what that allows is the approval rule's,
components/team/approval_rules.py): each batch's request must carry one of the version's
messages, its program, its expiry and its defaults, as the journal holds them."""

from __future__ import annotations

from components.journal import Journal, SendRecord
from components.message.draft import Draft
from components.templates import TemplateError, TemplateVersion, template_version


def template_of(journal: Journal, record: SendRecord) -> TemplateVersion | None:
    """The template version the send records, as the journal holds it now."""
    if record.template_name is None or record.template_version is None:
        return None
    try:
        return template_version(journal, record.template_name, record.template_version)
    except TemplateError:
        return None


def sends_approved_template(journal: Journal, record: SendRecord) -> bool:
    """The send is an approved, not archived template version, unchanged, batch by batch."""
    version = template_of(journal, record)
    if version is None or not version.approved or version.archived:
        return False
    expected = {
        message: Draft(content=message, defaults=version.draft.defaults).used_defaults()
        for message in {version.draft.content, *version.variants.values()}
    }
    for batch in journal.batches(record.id):
        payload = journal.batch_payload(batch.id)
        content = payload.get("content")
        if content not in expected:
            return False
        if str(payload.get("channelQualifier", "")).strip() != version.draft.program:
            return False
        if payload.get("ttlInMinutes") != version.draft.ttl_minutes:
            return False
        if dict(payload.get("personalizationDefaults") or {}) != expected[content]:
            return False
    return True


def template_words(template: TemplateVersion | None, changed_from: TemplateVersion | None) -> str:
    """The confirmation's Template fact."""
    if template is not None:
        return template.label + (" (approved)" if template.approved else "")
    if changed_from is not None:
        return f"changed from {changed_from.label}: sent as written, no template version"
    return ""


def preapproval_words(template: TemplateVersion | None) -> str:
    """The confirmation's Approval fact, for a send the approved-template rule lets through."""
    if template is None:
        return ""
    return (
        f"no second person: {template.label} is approved and unchanged, and the rule lets an "
        "approved template go out at once to this many recipients"
    )
