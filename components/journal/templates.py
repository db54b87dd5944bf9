"""Templates in the journal: one row per name and one per saved version, never changed once
written (but for the approval a version receives and a name's archiving). The rules (who may
save, approve or archive, the audit, what a version holds) are components/templates'."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa

from components.journal.base import JournalBase
from components.journal.tables import template_versions, templates


@dataclass(frozen=True)
class TemplateVersionRecord:
    """One saved version of a template, with its template's name and state."""

    template_id: int
    name: str
    version: int
    description: str
    content: str
    program: str
    source: str
    campaign_name: str
    ttl_minutes: int | None
    defaults: dict[str, str]
    default_language: str
    variants: dict[str, str]  # language code -> message (the default language's is `content`)
    saved_by: str
    saved_at: float
    approved_by: str | None = None
    approved_at: float | None = None
    archived_at: float | None = None
    archived_by: str | None = None
    created_by: str = field(default="", compare=False)
    saved_subject: str | None = field(default=None, compare=False)


class TemplateConflict(RuntimeError):
    """A version was approved or saved by someone else in between (a stale page)."""


def name_key(name: str) -> str:
    """Two names that differ only in case or surrounding spaces are one template."""
    return " ".join(name.split()).casefold()


_COLUMNS = (
    template_versions.c.template_id,
    templates.c.name,
    templates.c.created_by,
    templates.c.archived_at,
    templates.c.archived_by,
    template_versions.c.version,
    template_versions.c.description,
    template_versions.c.content,
    template_versions.c.program,
    template_versions.c.source,
    template_versions.c.campaign_name,
    template_versions.c.ttl_minutes,
    template_versions.c.defaults_json,
    template_versions.c.default_language,
    template_versions.c.variants_json,
    template_versions.c.saved_by,
    template_versions.c.saved_subject,
    template_versions.c.saved_at,
    template_versions.c.approved_by,
    template_versions.c.approved_at,
)
_JOINED = template_versions.join(templates, templates.c.id == template_versions.c.template_id)


def _record(row: sa.RowMapping) -> TemplateVersionRecord:
    return TemplateVersionRecord(
        template_id=row["template_id"],
        name=row["name"],
        version=row["version"],
        description=row["description"],
        content=row["content"],
        program=row["program"],
        source=row["source"],
        campaign_name=row["campaign_name"],
        ttl_minutes=row["ttl_minutes"],
        defaults=json.loads(row["defaults_json"]),
        default_language=row["default_language"],
        variants=json.loads(row["variants_json"]),
        saved_by=row["saved_by"],
        saved_at=row["saved_at"],
        approved_by=row["approved_by"],
        approved_at=row["approved_at"],
        archived_at=row["archived_at"],
        archived_by=row["archived_by"],
        created_by=row["created_by"],
        saved_subject=row["saved_subject"],
    )


class TemplateStore(JournalBase):
    def add_template_version(
        self,
        *,
        name: str,
        description: str,
        content: str,
        program: str,
        source: str,
        campaign_name: str,
        ttl_minutes: int | None,
        defaults: Mapping[str, str],
        default_language: str,
        variants: Mapping[str, str],
        saved_by: str,
        saved_subject: str | None = None,
        expected_version: int | None = None,
    ) -> TemplateVersionRecord:
        """The next version of `name` (its first: the template is created). `expected_version`
        (the newest version the editor showed) refuses a save over someone else's newer one."""
        now = time.time()
        with self._write() as conn:
            template_id = conn.execute(
                sa.select(templates.c.id).where(templates.c.name_key == name_key(name))
            ).scalar()
            if template_id is None:
                template_id = conn.execute(
                    sa.insert(templates)
                    .values(
                        name=" ".join(name.split()),
                        name_key=name_key(name),
                        created_by=saved_by,
                        created_at=now,
                    )
                    .returning(templates.c.id)
                ).scalar_one()
            newest = conn.execute(
                sa.select(sa.func.max(template_versions.c.version)).where(
                    template_versions.c.template_id == template_id
                )
            ).scalar()
            if expected_version is not None and (newest or 0) != expected_version:
                raise TemplateConflict(
                    f"{name} has a newer version (v{newest}) than the one you edited "
                    f"(v{expected_version}): open it again and make your change there."
                )
            version = (newest or 0) + 1
            conn.execute(
                sa.insert(template_versions).values(
                    template_id=template_id,
                    version=version,
                    description=description,
                    content=content,
                    program=program,
                    source=source,
                    campaign_name=campaign_name,
                    ttl_minutes=ttl_minutes,
                    defaults_json=json.dumps(dict(defaults), ensure_ascii=False, sort_keys=True),
                    default_language=default_language,
                    variants_json=json.dumps(dict(variants), ensure_ascii=False, sort_keys=True),
                    saved_by=saved_by,
                    saved_subject=saved_subject or None,
                    saved_at=now,
                )
            )
            row = (
                conn.execute(
                    sa.select(*_COLUMNS)
                    .select_from(_JOINED)
                    .where(template_versions.c.template_id == template_id)
                    .where(template_versions.c.version == version)
                )
                .mappings()
                .one()
            )
        return _record(row)

    def template_version_records(self, name: str) -> list[TemplateVersionRecord]:
        """Every version of the template called `name` (any case), oldest first."""
        query = (
            sa.select(*_COLUMNS)
            .select_from(_JOINED)
            .where(templates.c.name_key == name_key(name))
            .order_by(template_versions.c.version)
        )
        with self._connection() as conn:
            return [_record(row) for row in conn.execute(query).mappings()]

    def template_version_record(
        self, template_id: int, version: int
    ) -> TemplateVersionRecord | None:
        query = (
            sa.select(*_COLUMNS)
            .select_from(_JOINED)
            .where(template_versions.c.template_id == template_id)
            .where(template_versions.c.version == version)
        )
        with self._connection() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _record(row)

    def newest_template_versions(
        self, *, archived: bool | None = False
    ) -> list[TemplateVersionRecord]:
        """Each template's newest version, by name; `archived`: only those (True), only the
        others (False), or all (None)."""
        newest = (
            sa.select(
                template_versions.c.template_id,
                sa.func.max(template_versions.c.version).label("version"),
            )
            .group_by(template_versions.c.template_id)
            .subquery()
        )
        query = (
            sa.select(*_COLUMNS)
            .select_from(
                _JOINED.join(
                    newest,
                    (newest.c.template_id == template_versions.c.template_id)
                    & (newest.c.version == template_versions.c.version),
                )
            )
            .order_by(templates.c.name_key)
        )
        if archived is True:
            query = query.where(templates.c.archived_at.is_not(None))
        elif archived is False:
            query = query.where(templates.c.archived_at.is_(None))
        with self._connection() as conn:
            return [_record(row) for row in conn.execute(query).mappings()]

    def approve_template_version(self, template_id: int, version: int, *, by: str) -> bool:
        """Marks the version approved; False when it was approved already (by anyone)."""
        with self._write() as conn:
            done = conn.execute(
                sa.update(template_versions)
                .where(template_versions.c.template_id == template_id)
                .where(template_versions.c.version == version)
                .where(template_versions.c.approved_at.is_(None))
                .values(approved_by=by, approved_at=time.time())
            )
            return done.rowcount == 1

    def set_template_archived(self, template_id: int, *, archived: bool, by: str) -> bool:
        """Archives (or brings back) a template; False when it already was so."""
        now = time.time()
        state = (
            templates.c.archived_at.is_(None) if archived else templates.c.archived_at.is_not(None)
        )
        values = (
            {"archived_at": now, "archived_by": by}
            if archived
            else {
                "archived_at": None,
                "archived_by": None,
            }
        )
        with self._write() as conn:
            done = conn.execute(
                sa.update(templates)
                .where(templates.c.id == template_id)
                .where(state)
                .values(**values)
            )
            return done.rowcount == 1
