"""Templates: the messages a team sends again and again, versioned, in several languages, and
approved ahead of the sends that use them unchanged.

By concern: versions.py (saving, approving, archiving, what a version holds and when a draft is
still it), differences.py (what changed between two versions), transfer.py (export and import
between consoles), languages.py (each recipient's language). The journal stores them
(components/journal/templates.py)."""

from __future__ import annotations

from components.templates.differences import Change, differences
from components.templates.languages import LanguageChoice, recipient_languages
from components.templates.transfer import ImportResult, export_templates, import_templates
from components.templates.versions import (
    DEFAULT_LANGUAGE,
    TemplateError,
    TemplateVersion,
    approve_template,
    archive_template,
    draft_from,
    language_code,
    newest_versions,
    save_template,
    template_version,
    template_versions,
    unchanged,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "Change",
    "ImportResult",
    "LanguageChoice",
    "TemplateError",
    "TemplateVersion",
    "approve_template",
    "archive_template",
    "differences",
    "draft_from",
    "export_templates",
    "import_templates",
    "language_code",
    "newest_versions",
    "recipient_languages",
    "save_template",
    "template_version",
    "template_versions",
    "unchanged",
]
