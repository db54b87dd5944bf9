"""Who may do what: roles from configuration, the signed-in identity, and the one permission check
that pages and the send worker both call (a hidden button is not a permission check).

Roles are nested on purpose: every approver also sends and every admin also approves, so a
configuration names each person once, at the highest role they hold. `[console.roles]` (in the
secrets, or a TOML file of the same keys named by `roles_file`) maps a role to entries:
`"ops@example.com"` (that address), `"@example.com"` (every address of that domain) or
`"group:sms-approvers"` (the OIDC `groups` claim holds that group). An address listed by name
gets exactly the roles it is listed under, so one person of a domain can be given less than the
domain; otherwise the domain and group entries that match add up.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from components.core.states import SendKind


class Role(StrEnum):
    VIEWER = "viewer"
    SENDER = "sender"
    APPROVER = "approver"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class Permission(StrEnum):
    VIEW = "view"
    SEND_TEST = "send_test"
    SEND = "send"
    APPROVE = "approve"
    ADMINISTER = "administer"


NEEDED_ROLE: dict[Permission, Role] = {
    Permission.VIEW: Role.VIEWER,
    Permission.SEND_TEST: Role.SENDER,
    Permission.SEND: Role.SENDER,
    Permission.APPROVE: Role.APPROVER,
    Permission.ADMINISTER: Role.ADMIN,
}

ACTIONS: dict[Permission, str] = {
    Permission.VIEW: "Seeing sends and their status",
    Permission.SEND_TEST: "Sending a test SMS",
    Permission.SEND: "Sending SMS",
    Permission.APPROVE: "Approving or rejecting other people's sends",
    Permission.ADMINISTER: "Changing the console's settings",
}

# What each page needs: the menu lists only the pages a role may use, and each page checks it
# again at its top (an address typed by hand still answers, and says why not).
PAGE_PERMISSIONS: dict[str, Permission] = {
    "Compose": Permission.SEND_TEST,
    "Overview": Permission.VIEW,  # the default page of viewers
    "Status": Permission.VIEW,
    "History": Permission.VIEW,
    "Templates": Permission.VIEW,  # everyone reads them; a save or an approval is checked
    "Approvals": Permission.APPROVE,
    "Audit": Permission.APPROVE,  # approvers and admins
    "Do not text": Permission.VIEW,  # everyone sees the list; changing it is checked per action
    "Settings": Permission.ADMINISTER,
}

LOCAL_ACTOR = "local user"
DEFAULT_CONTACT = "the person who runs this console"


@dataclass(frozen=True)
class Identity:
    """The person acting. `email` is empty only in local mode (one person on their machine),
    where `account` is the operating-system account, a label and never an address."""

    email: str
    name: str = ""
    roles: frozenset[Role] = frozenset()
    local: bool = False
    account: str = ""
    contact: str = DEFAULT_CONTACT  # whom to ask for a role
    notice: str = ""  # why no role was given, when the sign-in itself explains it
    subject: str = ""  # the sign-in provider's subject claim (`sub`): one per account

    @property
    def actor(self) -> str:
        """Who did it, as History, exports and the audit log record it."""
        return LOCAL_ACTOR if self.local else self.email

    @property
    def highest(self) -> Role | None:
        return max(self.roles, key=lambda role: role.rank, default=None)

    def may(self, permission: Permission) -> bool:
        highest = self.highest
        return highest is not None and highest.rank >= NEEDED_ROLE[permission].rank


# Providers known to deliver mail for a.b@ to ab@: their addresses are compared without dots.
DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def mailbox(email: str) -> str:
    """The mailbox an address reaches, as far as the console can know: case and surrounding
    spaces ignored, plus-addressing (sam+x@) cut, and dots ignored where the provider is known to
    ignore them. Other providers that ignore dots, or aliases of one mailbox, cannot be told
    apart from the address alone; the subject claim tells them apart when the provider sends
    one (see `same_person`)."""
    address = " ".join(str(email).split()).casefold()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def same_person(
    email: str, other_email: str, *, subject: str | None = None, other_subject: str | None = None
) -> bool:
    """The one rule for "is this the same person" (nobody approves, rejects or counts their
    own): the same mailbox, or the same subject claim from the sign-in provider."""
    if subject and other_subject and subject == other_subject:
        return True
    return mailbox(email) == mailbox(other_email)


def is_author(identity: Identity, author: str | None, author_subject: str | None = None) -> bool:
    """`identity` is the person recorded as `author` (by address and, when known, subject)."""
    if not author:
        return False
    return same_person(
        identity.actor, author, subject=identity.subject, other_subject=author_subject
    )


def permission_to_send(kind: str) -> Permission:
    """A test send needs less than a send."""
    return Permission.SEND_TEST if kind == SendKind.TEST else Permission.SEND


def menu(identity: Identity) -> list[str]:
    """The pages the identity's role may use, in the menu's order."""
    return [page for page, permission in PAGE_PERMISSIONS.items() if identity.may(permission)]


def local_identity(account: str = "") -> Identity:
    """Local mode: the one person at this machine holds every role."""
    return Identity(email="", name="Local user", roles=frozenset(Role), local=True, account=account)


class PermissionDenied(Exception):
    """An action the acting identity's roles do not allow."""

    def __init__(self, identity: Identity, permission: Permission) -> None:
        self.identity = identity
        self.permission = permission
        self.needed = NEEDED_ROLE[permission]
        held = identity.highest
        having = f"the {held} role" if held else "no role in this console"
        super().__init__(
            f"{ACTIONS[permission]} needs the {self.needed} role, and "
            f"{identity.actor or 'this account'} has {having}. Ask {identity.contact} for it."
        )


def require(identity: Identity, permission: Permission) -> None:
    """Raises PermissionDenied unless `identity` may do it."""
    if not identity.may(permission):
        raise PermissionDenied(identity, permission)


# -- the configuration ---------------------------------------------------------------------------

GROUP_PREFIX = "group:"
ROLES_FILE_KEY = "roles_file"


@dataclass(frozen=True)
class RoleRules:
    """`[console.roles]` parsed. `problems` are for the page: each names the entry and what to
    write instead; a bad entry is left out, the others still count."""

    emails: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    domains: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    groups: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    source: str = "[console.roles] in secrets.toml"

    @property
    def contact(self) -> str:
        """Whom a person without the role they need should ask: the admins named by address."""
        admins = sorted(email for email, roles in self.emails.items() if Role.ADMIN in roles)
        return " or ".join(admins) if admins else DEFAULT_CONTACT

    def roles_for(
        self, email: str, groups: Iterable[str] = (), *, email_verified: bool = True
    ) -> frozenset[Role]:
        """The roles of a signed-in person. An address the provider says is not verified is not
        matched (anyone could type it); their groups still count."""
        address = email.strip().lower()
        if email_verified and address in self.emails:
            return self.emails[address]
        roles: set[Role] = set()
        domain = address.rpartition("@")[2]
        if email_verified and "@" in address and domain in self.domains:
            roles |= self.domains[domain]
        for group in groups:
            roles |= self.groups.get(group, frozenset())
        return frozenset(roles)

    def identity(
        self,
        email: str,
        name: str = "",
        groups: Iterable[str] = (),
        *,
        email_verified: bool = True,
        subject: str = "",
    ) -> Identity:
        notice = ""
        if not email.strip():
            notice = (
                "Your sign-in gave the console no email address. Ask whoever set up the sign-in "
                "to include the `email` scope."
            )
        elif not email_verified:
            notice = (
                "Your sign-in provider says this email address is not verified, so roles given "
                "to the address or its domain do not apply."
            )
        return Identity(
            email=email.strip(),
            name=name.strip(),
            roles=self.roles_for(email, groups, email_verified=email_verified),
            contact=self.contact,
            notice=notice,
            subject=str(subject or "").strip(),
        )

    def overview(self) -> list[dict[str, str]]:
        """Rows for the admins' role overview: each entry and the roles it gives."""
        rows = []
        for kind, entries, shown in (
            ("address", self.emails, lambda key: key),
            ("domain", self.domains, lambda key: "@" + key),
            ("group", self.groups, lambda key: GROUP_PREFIX + key),
        ):
            for key, roles in sorted(entries.items()):
                listed = ", ".join(str(role) for role in sorted(roles, key=lambda r: r.rank))
                rows.append({"Entry": shown(key), "Kind": kind, "Roles": listed})
        return rows


def parse_role_rules(section: object, *, base: Path | None = None) -> RoleRules:
    """`[console.roles]` (or the file its `roles_file` names, relative to `base`) -> RoleRules.
    Never raises: what cannot be used becomes a problem that says so."""
    source = "[console.roles] in secrets.toml"
    if section is None:
        return RoleRules(source=source)
    if not isinstance(section, Mapping):
        return RoleRules(
            problems=(
                "`console.roles` must be a table: `[console.roles]` followed by lines "
                'such as `admin = ["ops@example.com"]`.',
            ),
            source=source,
        )
    problems: list[str] = []
    table: Mapping[str, object] = section
    if ROLES_FILE_KEY in section:
        path = Path(str(section[ROLES_FILE_KEY])).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        source = str(path)
        table, problem = _read_roles_file(path)
        if problem:
            return RoleRules(problems=(problem,), source=source)
        extra = [key for key in section if key != ROLES_FILE_KEY]
        if extra:
            problems.append(
                f"`[console.roles]` names a roles file, so its other keys "
                f"({', '.join(sorted(extra))}) are ignored: put them in {path}."
            )
    emails: dict[str, set[Role]] = {}
    domains: dict[str, set[Role]] = {}
    groups: dict[str, set[Role]] = {}
    names = ", ".join(str(role) for role in Role)
    for key, value in table.items():
        try:
            role = Role(str(key).strip().lower())
        except ValueError:
            problems.append(f"`{key}` in {source} is not a role: use {names}.")
            continue
        entries: Sequence[object] = [value] if isinstance(value, str) else value  # type: ignore[assignment]
        if not isinstance(entries, list):
            problems.append(
                f'`{key}` in {source} must be a list of entries, e.g. {key} = ["ops@example.com"].'
            )
            continue
        for entry in entries:
            problem = _add_entry(entry, role, emails, domains, groups)
            if problem:
                problems.append(f"`{key}` in {source}: {problem}")
    return RoleRules(
        emails={k: frozenset(v) for k, v in emails.items()},
        domains={k: frozenset(v) for k, v in domains.items()},
        groups={k: frozenset(v) for k, v in groups.items()},
        problems=tuple(problems),
        source=source,
    )


def _read_roles_file(path: Path) -> tuple[Mapping[str, object], str | None]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), None
    except FileNotFoundError:
        return {}, f"The roles file {path} does not exist."
    except (OSError, UnicodeDecodeError) as exc:
        return {}, f"The roles file {path} cannot be read: {exc}"
    except tomllib.TOMLDecodeError as exc:
        return {}, f"The roles file {path} is not valid TOML: {exc}."


def _add_entry(
    entry: object,
    role: Role,
    emails: dict[str, set[Role]],
    domains: dict[str, set[Role]],
    groups: dict[str, set[Role]],
) -> str | None:
    """Files one entry under its kind; returns what is wrong with it, if anything."""
    if not isinstance(entry, str):
        return f"{entry!r} is not text; write an address, @domain or group:name in quotes."
    text = entry.strip()
    if text.lower().startswith(GROUP_PREFIX):
        group = text[len(GROUP_PREFIX) :].strip()
        if not group:
            return f'"{entry}" names no group; write group:the-group-name.'
        groups.setdefault(group, set()).add(role)
        return None
    lowered = text.lower()
    local, at, domain = lowered.rpartition("@")
    if not at or not domain or "." not in domain or any(ch.isspace() for ch in lowered):
        return (
            f'"{entry}" is neither an email address (ops@example.com), a domain (@example.com) '
            "nor a group (group:sms-approvers)."
        )
    if local:
        emails.setdefault(lowered, set()).add(role)
    else:
        domains.setdefault(domain, set()).add(role)
    return None
