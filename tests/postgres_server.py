"""A throwaway PostgreSQL server for the tests, in a temporary folder, started once per session.

pytest-postgresql's executor runs it (through tests/support/pg_ctl_unprivileged, since PostgreSQL
refuses to run as root) and its janitor gives each test a database of its own. The binaries are
PostgreSQL 15's from Debian (`make test` installs the `postgresql` package when it can); PG_CTL
names another pg_ctl.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.ports import free_port
from tests.required_tools import missing_tool

WRAPPER = Path(__file__).parent / "support" / "pg_ctl_unprivileged"
UNPRIVILEGED_USER = os.environ.get("PG_TEST_USER", "postgres")


def find_pg_ctl() -> str | None:
    if os.environ.get("PG_CTL"):
        return os.environ["PG_CTL"]
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_major, reverse=True)
    return found[0] if found else shutil.which("pg_ctl")


def _major(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    version: str
    _templates: set[str] = field(default_factory=set)

    def url(self, dbname: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    @contextmanager
    def database(self, template: str | None = None) -> Iterator[str]:
        """A fresh database for one test (empty, or a copy of `template`), dropped afterwards;
        yields its URL."""
        from pytest_postgresql.janitor import DatabaseJanitor

        name = f"t_{uuid.uuid4().hex[:12]}"
        janitor = DatabaseJanitor(
            user=self.user,
            host=self.host,
            port=self.port,
            dbname=name,
            password=None,
            template_dbname=template,
        )
        with janitor:
            yield self.url(name)

    def template(self, name: str, prepare: Callable[[str], None]) -> str:
        """A database prepared once by `prepare(url)` that tests copy (CREATE DATABASE ...
        TEMPLATE is much faster than preparing each one again)."""
        from pytest_postgresql.janitor import DatabaseJanitor

        if name not in self._templates:
            janitor = DatabaseJanitor(
                user=self.user,
                host=self.host,
                port=self.port,
                dbname=name,
                password=None,
                as_template=True,
            )
            janitor.init()
            prepare(self.url(name))
            self._templates.add(name)
        return name


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Starts a server on a free loopback port; skips (or fails under CI) without binaries."""
    pg_ctl = find_pg_ctl()
    if pg_ctl is None or not os.path.exists(pg_ctl):
        missing_tool(
            "PostgreSQL's pg_ctl was not found",
            "install Debian's 'postgresql' package (make test does it when it can) or set PG_CTL.",
        )
    from pytest_postgresql.executors.proc import PostgreSQLExecutor

    base = Path(tempfile.mkdtemp(prefix="sms-console-pg-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(UNPRIVILEGED_USER)
        except KeyError:
            missing_tool(
                f"PostgreSQL cannot run as root and there is no '{UNPRIVILEGED_USER}' user",
                "run the tests as an ordinary user, or set PG_TEST_USER to one.",
            )
        os.chown(base, owner.pw_uid, owner.pw_gid)
    os.environ["PG_CTL_REAL"] = pg_ctl
    port = free_port()
    executor = PostgreSQLExecutor(
        executable=str(WRAPPER),
        host="127.0.0.1",
        port=port,
        datadir=str(base / "data"),
        unixsocketdir=str(base),
        logfile=str(base / "server.log"),
        startparams="-w",
        dbname="postgres",
        user="postgres",
        password=None,
        # A test server: durability is not what is tested, speed is wanted.
        postgres_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        "-c max_connections=300",
    )
    executor.start()
    try:
        yield PostgresServer("127.0.0.1", port, "postgres", str(executor.version))
    finally:
        executor.stop()
        shutil.rmtree(base, ignore_errors=True)
