"""Templates moved between consoles (a sandbox console's to the production one) as JSON: every
version and language. An import never overwrites: each version that says something new is saved
as a new version here, by whoever imports it; approvals stay with the console that gave them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from components.journal import AuditAction, Journal
from components.message.draft import Draft
from components.team.auth import Identity, Permission, require
from components.templates.versions import (
    DEFAULT_LANGUAGE,
    TemplateError,
    TemplateVersion,
    checked_template,
    save_template,
    template_versions,
)

FORMAT = "sms-console-templates"
FORMAT_VERSION = 1


def export_templates(versions_by_name: Iterable[list[TemplateVersion]]) -> str:
    """The JSON of these templates (each with all its versions, oldest first)."""
    templates = []
    for versions in versions_by_name:
        if not versions:
            continue
        templates.append(
            {
                "name": versions[-1].name,
                "archived": versions[-1].archived,
                "versions": [_version_json(v) for v in versions],
            }
        )
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "templates": templates}
    return json.dumps(document, ensure_ascii=False, indent=2)


def _version_json(version: TemplateVersion) -> dict[str, object]:
    draft = version.draft
    return {
        "version": version.version,
        "description": version.description,
        "message": draft.content,
        "program": draft.program,
        "source": draft.source,
        "campaign_name": draft.campaign_name,
        "ttl_minutes": draft.ttl_minutes,
        "defaults": dict(draft.defaults),
        "default_language": version.default_language,
        "variants": dict(version.variants),
        "saved_by": version.saved_by,
        "saved_at": version.saved_at.isoformat(),
        "approved_by": version.approved_by,
    }


@dataclass(frozen=True)
class ImportResult:
    added: list[str]  # "Gate change v4", one per version saved here
    unchanged: int  # versions that said nothing new


def _same(version: TemplateVersion, item: dict[str, object]) -> bool:
    draft = version.draft
    return (
        draft.content == item["message"]
        and draft.program == item["program"]
        and draft.source == item["source"]
        and draft.campaign_name == item["campaign_name"]
        and draft.ttl_minutes == item["ttl_minutes"]
        and dict(draft.defaults) == item["defaults"]
        and version.default_language == item["default_language"]
        and dict(version.variants) == item["variants"]
        and version.description == item["description"]
    )


def _read(text: str) -> list[dict[str, object]]:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(
            f"This file is not a templates export (it is not JSON: {exc.msg}, line {exc.lineno}). "
            "Export the templates again from the other console's Templates page."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TemplateError(
            "This file is not a templates export of an SMS console. Export the templates from "
            "the other console's Templates page and import that file."
        )
    if document.get("format_version") != FORMAT_VERSION:
        raise TemplateError(
            "This export was written by another version of the console: update this console, "
            "or export again from one of the same version."
        )
    templates = document.get("templates")
    if not isinstance(templates, list):
        raise TemplateError("The export lists no templates.")
    return templates


def _item(raw: object, name: str) -> dict[str, object]:
    if not isinstance(raw, dict):
        raise TemplateError(f"A version of {name} in the file is not readable.")
    ttl = raw.get("ttl_minutes")
    return {
        "message": str(raw.get("message") or ""),
        "program": str(raw.get("program") or ""),
        "source": str(raw.get("source") or ""),
        "campaign_name": str(raw.get("campaign_name") or ""),
        "ttl_minutes": ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else None,
        "defaults": {str(k): str(v) for k, v in dict(raw.get("defaults") or {}).items()},
        "default_language": str(raw.get("default_language") or DEFAULT_LANGUAGE),
        "variants": {str(k): str(v) for k, v in dict(raw.get("variants") or {}).items()},
        "description": str(raw.get("description") or ""),
        "origin": f"v{raw.get('version')} by {raw.get('saved_by') or 'someone'}",
    }


def import_templates(journal: Journal, text: str, *, by: Identity) -> ImportResult:
    """Adds each version of the file that says something no version here says yet, in the
    file's order, as a new version saved by `by`. Nothing is saved when the file has an error."""
    require(by, Permission.SEND)
    plan: list[tuple[str, dict[str, object]]] = []
    for template in _read(text):
        name = str(template.get("name") or "").strip() if isinstance(template, dict) else ""
        if not name:
            raise TemplateError("A template in the file has no name.")
        for raw in template.get("versions") or []:
            plan.append((name, _item(raw, name)))
    # Checked before anything is saved: a version the console would refuse stops the import.
    for name, item in plan:
        try:
            checked_template(
                name,
                _draft_of(item),
                str(item["description"]),
                item["variants"],  # type: ignore[arg-type]
                str(item["default_language"]),
            )
        except TemplateError as exc:
            raise TemplateError(f"{name} ({item['origin']}) cannot be imported: {exc}") from None
    added: list[str] = []
    unchanged = 0
    for name, item in plan:
        if any(_same(v, item) for v in template_versions(journal, name)):
            unchanged += 1
            continue
        saved = save_template(
            journal,
            name,
            _draft_of(item),
            actor=by,
            description=str(item["description"]),
            variants=item["variants"],  # type: ignore[arg-type]
            default_language=str(item["default_language"]),
        )
        added.append(saved.label)
    journal.record_audit(
        by.actor,
        AuditAction.TEMPLATE_IMPORTED,
        details={"versions_added": len(added), "versions_unchanged": unchanged},
    )
    return ImportResult(added, unchanged)


def _draft_of(item: dict[str, object]) -> Draft:
    return Draft(
        content=str(item["message"]),
        program=str(item["program"]),
        source=str(item["source"]),
        defaults=dict(item["defaults"]),  # type: ignore[arg-type]
        ttl_minutes=item["ttl_minutes"],  # type: ignore[arg-type]
        campaign_name=str(item["campaign_name"]),
    )
