"""Templates and their versions: who may save, approve and archive them, what a version holds,
and when a draft is still the version it came from. The journal only stores them
(components/journal/templates.py); every change here is checked and audited."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from components.journal import AuditAction, Journal, TemplateVersionRecord
from components.message.draft import Draft
from components.message.mapping import tag_key, tags
from components.message.payloads import ttl_problem
from components.message.rendering import MAX_CONTENT_CHARACTERS
from components.team.auth import Identity, Permission, is_author, require

DEFAULT_LANGUAGE = "en"
MAX_NAME = 100
MAX_DESCRIPTION = 500
# A language as a contact file or a person writes it: "en", "de", "pt-br", "zh-Hant".
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


class TemplateError(ValueError):
    """A template that cannot be saved, approved or archived; the message says why and what to
    do, for the marketer."""


@dataclass(frozen=True)
class TemplateVersion:
    """One saved version. `draft` holds the default language's message and what a send needs
    besides its recipients; `variants` the other languages' messages (same tags)."""

    name: str
    version: int
    draft: Draft
    description: str
    default_language: str
    variants: Mapping[str, str]
    saved_by: str
    saved_at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None
    archived: bool = False
    template_id: int = 0
    saved_subject: str | None = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        """How pages, History and the audit name it: "Gate change v3"."""
        return f"{self.name} v{self.version}"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None

    @property
    def tags(self) -> list[str]:
        """The message's tags: the columns a contact file must have (or a default fills)."""
        return tags(self.draft.content)

    @property
    def languages(self) -> list[str]:
        """The default language first, then the variants' in alphabetical order."""
        return [
            self.default_language,
            *sorted(k for k in self.variants if k != self.default_language),
        ]

    def message_for(self, language: str) -> str:
        """The message in `language`, the default language's when it has none."""
        if language == self.default_language:
            return self.draft.content
        return self.variants.get(language, self.draft.content)


def language_code(text: str) -> str | None:
    """A language code as the console keeps it ("pt-BR" -> "pt-br"); None when it is not one."""
    code = str(text).strip().replace("_", "-").lower()
    return code if _LANGUAGE.match(code) else None


def _version(record: TemplateVersionRecord) -> TemplateVersion:
    return TemplateVersion(
        name=record.name,
        version=record.version,
        draft=Draft(
            content=record.content,
            program=record.program,
            source=record.source,
            defaults=dict(record.defaults),
            ttl_minutes=record.ttl_minutes,
            campaign_name=record.campaign_name,
        ),
        description=record.description,
        default_language=record.default_language,
        variants=dict(record.variants),
        saved_by=record.saved_by,
        saved_at=datetime.fromtimestamp(record.saved_at, UTC),
        approved_by=record.approved_by,
        approved_at=(
            None if record.approved_at is None else datetime.fromtimestamp(record.approved_at, UTC)
        ),
        archived=record.archived_at is not None,
        template_id=record.template_id,
        saved_subject=record.saved_subject,
    )


def _actor(actor: Identity | str, permission: Permission) -> tuple[str, str | None]:
    """Who acts, checked here where the change happens. A plain string is a person acting through
    code (a script, an import run by hand): recorded as given, with no roles to check."""
    if isinstance(actor, Identity):
        require(actor, permission)
        return actor.actor, actor.subject or None
    if not str(actor).strip():
        raise TemplateError("Who saves a template must be known.")
    return str(actor).strip(), None


def _checked_variants(
    content: str, variants: Mapping[str, str] | None, default_language: str
) -> dict[str, str]:
    default = language_code(default_language)
    if default is None:
        raise TemplateError(
            f"{default_language!r} is not a language code. Use a code such as en, de or pt-br."
        )
    wanted = {tag_key(t) for t in tags(content)}
    checked: dict[str, str] = {}
    for given, message in (variants or {}).items():
        code = language_code(given)
        if code is None:
            raise TemplateError(
                f"{given!r} is not a language code. Use a code such as en, de or pt-br."
            )
        message = str(message or "")
        if not message.strip():
            raise TemplateError(f"The {code} message is empty: write it, or remove the language.")
        if code == default:
            if message != content:
                raise TemplateError(
                    f"{code} is the template's default language: its message is the template's "
                    "own message. Change that one, or choose another default language."
                )
            continue
        if len(message) > MAX_CONTENT_CHARACTERS:
            raise TemplateError(
                f"The {code} message has {len(message):,} characters; an SMS message may have "
                f"{MAX_CONTENT_CHARACTERS}. Shorten it."
            )
        own = {tag_key(t) for t in tags(message)}
        if own != wanted:
            missing = sorted(wanted - own)
            extra = sorted(own - wanted)
            said = []
            if missing:
                said.append("lacks " + ", ".join(f"%%{t.upper()}%%" for t in missing))
            if extra:
                said.append("has " + ", ".join(f"%%{t.upper()}%%" for t in extra) + " besides")
            raise TemplateError(
                f"The {code} message {' and '.join(said)}: every language must have the same "
                "fields as the template's message, so that one contact file fills them all."
            )
        checked[code] = message
    return checked


def checked_template(
    name: str,
    draft: Draft,
    description: str = "",
    variants: Mapping[str, str] | None = None,
    default_language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """What a version of this template would store; TemplateError saying what to fix when it
    cannot be saved (an import checks every version with it before saving any)."""
    shown = " ".join(str(name).split())
    if not shown:
        raise TemplateError("A template needs a name, such as “One-time code”.")
    if len(shown) > MAX_NAME:
        raise TemplateError(f"A template's name may have {MAX_NAME} characters; shorten it.")
    content = draft.content or ""
    if not content.strip():
        raise TemplateError("The template's message is empty: write the message first.")
    if len(content) > MAX_CONTENT_CHARACTERS:
        raise TemplateError(
            f"The message has {len(content):,} characters; an SMS message may have "
            f"{MAX_CONTENT_CHARACTERS}. Shorten it."
        )
    problem = ttl_problem(draft.ttl_minutes)
    if problem:
        raise TemplateError(problem)
    if len(description) > MAX_DESCRIPTION:
        raise TemplateError(f"The description may have {MAX_DESCRIPTION} characters; shorten it.")
    checked = _checked_variants(content, variants, default_language)
    used = {tag_key(t) for t in tags(content)}
    defaults = {
        tag: str(value)
        for tag, value in (draft.defaults or {}).items()
        if tag_key(tag) in used and str(value).strip()
    }
    return {
        "name": shown,
        "description": description.strip(),
        "content": content,
        "program": (draft.program or "").strip(),
        "source": (draft.source or "").strip(),
        "campaign_name": (draft.campaign_name or "").strip(),
        "ttl_minutes": draft.ttl_minutes,
        "defaults": defaults,
        "default_language": language_code(default_language) or DEFAULT_LANGUAGE,
        "variants": checked,
    }


def save_template(
    journal: Journal,
    name: str,
    draft: Draft,
    *,
    actor: Identity | str,
    description: str = "",
    variants: Mapping[str, str] | None = None,
    default_language: str = DEFAULT_LANGUAGE,
    expected_version: int | None = None,
) -> TemplateVersion:
    """Saves `draft` as the next version of the template `name` (its first when the name is
    new). `variants` maps other language codes to their messages, with the same tags.
    `expected_version`: the version the editor started from, refused when another is newer."""
    by, subject = _actor(actor, Permission.SEND)
    fields = checked_template(name, draft, description, variants, default_language)
    record = journal.add_template_version(
        **fields, saved_by=by, saved_subject=subject, expected_version=expected_version
    )
    journal.record_audit(
        by,
        AuditAction.TEMPLATE_SAVED,
        details={"template": record.name, "version": record.version},
    )
    return _version(record)


def template_versions(journal: Journal, name: str) -> list[TemplateVersion]:
    """Every version of the template `name` (any case), oldest first; empty when none."""
    return [_version(record) for record in journal.template_version_records(name)]


def template_version(journal: Journal, name: str, version: int | None = None) -> TemplateVersion:
    """One version (the newest when `version` is None); TemplateError when there is none."""
    versions = template_versions(journal, name)
    if not versions:
        raise TemplateError(f"There is no template called {name!r}.")
    if version is None:
        return versions[-1]
    for found in versions:
        if found.version == version:
            return found
    raise TemplateError(
        f"{versions[-1].name} has no version {version} (it has 1 to {versions[-1].version})."
    )


def draft_from(version: TemplateVersion) -> Draft:
    """The draft a send from this version starts with (its default language's message)."""
    return version.draft


def unchanged(version: TemplateVersion, draft: Draft) -> bool:
    """Whether `draft` still sends what `version` says: the same message, program, expiry and
    defaults of its tags (source and campaign name do not change what a recipient gets). The one
    rule for "a send from this version" and for its pre-approval."""
    ours = version.draft
    if draft.content != ours.content or (draft.program or "").strip() != ours.program:
        return False
    if draft.ttl_minutes != ours.ttl_minutes:
        return False
    used = {tag_key(t) for t in tags(ours.content)}

    def given(defaults: Mapping[str, str]) -> dict[str, str]:
        return {
            tag_key(tag): str(value)
            for tag, value in (defaults or {}).items()
            if tag_key(tag) in used and str(value).strip()
        }

    return given(draft.defaults) == given(ours.defaults)


def approve_template(journal: Journal, name: str, version: int, *, by: Identity) -> TemplateVersion:
    """An approver approves one version; nobody their own (by the rule sends follow)."""
    require(by, Permission.APPROVE)
    found = template_version(journal, name, version)
    if is_author(by, found.saved_by, found.saved_subject):
        raise TemplateError(
            f"You saved {found.label} yourself, and nobody may approve their own template: "
            "ask another approver."
        )
    if found.archived:
        raise TemplateError(f"{found.name} is archived: bring it back before approving it.")
    if not journal.approve_template_version(found.template_id, version, by=by.actor):
        raise TemplateError(f"{found.label} is approved already.")
    journal.record_audit(
        by.actor,
        AuditAction.TEMPLATE_APPROVED,
        details={"template": found.name, "version": version},
    )
    return template_version(journal, name, version)


def archive_template(journal: Journal, name: str, *, by: Identity, archived: bool = True) -> None:
    """An admin archives a template (it leaves Compose's list, its versions stay readable), or
    brings it back."""
    require(by, Permission.ADMINISTER)
    found = template_version(journal, name)
    if not journal.set_template_archived(found.template_id, archived=archived, by=by.actor):
        state = "archived" if archived else "not archived"
        raise TemplateError(f"{found.name} is {state} already.")
    journal.record_audit(
        by.actor,
        AuditAction.TEMPLATE_ARCHIVED if archived else AuditAction.TEMPLATE_RESTORED,
        details={"template": found.name},
    )


def newest_versions(journal: Journal, *, archived: bool | None = False) -> list[TemplateVersion]:
    """Each template's newest version, by name (see TemplateStore.newest_template_versions)."""
    return [_version(record) for record in journal.newest_template_versions(archived=archived)]
