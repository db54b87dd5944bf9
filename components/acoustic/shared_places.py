"""The organisation's in-flight places held in PostgreSQL, shared by every process that sends.

Place n of an organisation is the session-level advisory lock (organisation key, n): a request goes
out only while its process holds one, so all replicas together never have more than `limit`
requests in flight. A process that dies, or whose connection breaks, loses its locks with its
session: the server gives its places back, so a crashed replica never keeps one.

One connection per process and organisation holds that process's places (advisory locks are per
session and a session may hold several). One thread at a time asks the database for a free place;
while none is free it asks again after a short, growing pause, and the others wait in the process.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import psycopg
from psycopg.conninfo import conninfo_to_dict

from .errors import NetworkError
from .limits import ACOUSTIC_MAX_IN_FLIGHT, CountingGate
from .redaction import PROCESS_REDACTOR, Secret

logger = logging.getLogger(__name__)

# Takes the first place of the list that no session holds; LIMIT 1 stops at the first lock taken
# (no ORDER BY: that would evaluate, and lock, every row first).
_TAKE_A_PLACE = "SELECT n FROM unnest(%s::int[]) AS n WHERE pg_try_advisory_lock(%s, n) LIMIT 1"
_GIVE_BACK = "SELECT pg_advisory_unlock(%s, %s)"
# The organisation's places held now by any session (any replica): two-key advisory locks.
_HELD = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND granted "
    "AND classid = (%s::int4)::oid AND objid < %s"
)


class PlacesUnavailableError(NetworkError):
    """The database that holds the organisation's places could not be reached: nothing was sent
    (without a place the console cannot know that Acoustic's limit has room)."""


def organisation_key(organisation: str) -> int:
    """A signed 32-bit key for the organisation's locks (the first half of their two-int key)."""
    digest = hashlib.sha256(organisation.encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


class SharedPlaces(CountingGate):
    """A gate like InFlightGate whose places are advisory locks in PostgreSQL."""

    def __init__(
        self,
        conninfo: str,
        organisation: str,
        limit: int = ACOUSTIC_MAX_IN_FLIGHT,
        *,
        first_pause: float = 0.002,
        longest_pause: float = 0.05,
        unreachable_after: float = 10.0,
    ) -> None:
        super().__init__(limit)
        self.key = organisation_key(organisation)
        self._conninfo = conninfo
        password = conninfo_to_dict(conninfo).get("password")
        if password:
            PROCESS_REDACTOR.add(Secret(str(password)))
        self.first_pause = first_pause
        self.longest_pause = longest_pause
        self.unreachable_after = unreachable_after
        self._asking = threading.Lock()  # one thread of the process asks the database at a time
        self._db = threading.Lock()  # guards the connection
        self._connection: psycopg.Connection | None = None
        self._held: set[int] = set()  # guarded by _free, like the count

    @contextmanager
    def slot(self) -> Iterator[None]:
        place = self._take()
        try:
            yield
        finally:
            self._give_back(place)

    @property
    def where(self) -> str:
        """The database, as a message may name it (never the password)."""
        parts = conninfo_to_dict(self._conninfo)
        return (
            f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"
        )

    def free_places(self) -> int:
        """Places no replica holds now; none when the database cannot say."""
        local = super().free_places()
        if not local:
            return 0
        try:
            with self._db:
                held = self._connect().execute(_HELD, (self.key, self.width.limit)).fetchone()
        except psycopg.Error:
            with self._db:
                self._drop_connection()
            return 0
        return max(min(local, self.width.limit - int(held[0] if held else 0)), 0)

    def close(self) -> None:
        """Gives every place of this process back (its session ends)."""
        with self._db:
            self._drop_connection()

    # -- the places --------------------------------------------------------------------------

    def _take(self) -> int:
        with self._asking:
            with self._free:
                self._wait_for_room()
            pause, unreachable_since = self.first_pause, None
            while True:
                try:
                    place = self._try_to_take()
                except psycopg.Error as exc:
                    now = time.monotonic()
                    unreachable_since = unreachable_since or now
                    if now - unreachable_since >= self.unreachable_after:
                        raise self._unavailable(exc) from None
                    pause = max(pause, 0.2)
                else:
                    if place is not None:
                        return place
                time.sleep(random.uniform(pause / 2, pause))
                pause = min(pause * 2, max(self.longest_pause, pause))

    def _try_to_take(self) -> int | None:
        with self._db:
            connection = self._connect()
            with self._free:
                free = [n for n in range(self.width.limit) if n not in self._held]
            random.shuffle(free)  # replicas asking at once mostly ask for different places
            try:
                row = connection.execute(_TAKE_A_PLACE, (free, self.key)).fetchone()
            except psycopg.Error:
                self._drop_connection()
                raise
            if row is None:
                return None
            with self._free:
                self._held.add(row[0])
                self._count_in()
            return int(row[0])

    def _give_back(self, place: int) -> None:
        with self._db:
            if self._connection is not None and place in self._held:
                try:
                    self._connection.execute(_GIVE_BACK, (self.key, place))
                except psycopg.Error:  # the session is gone, and its locks with it
                    logger.warning("the in-flight places' connection broke; it is opened again")
                    self._drop_connection()
            with self._free:
                self._held.discard(place)
                self.in_flight -= 1
                self._free.notify_all()

    def _connect(self) -> psycopg.Connection:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(
                self._conninfo,
                autocommit=True,
                connect_timeout=5,
                application_name="sms-console in-flight places",
                keepalives=1,
                keepalives_idle=10,
                keepalives_interval=5,
                keepalives_count=3,
            )
        return self._connection

    def _drop_connection(self) -> None:
        """Its session's locks are gone with it: the places it held are free for everyone (the
        requests still on the wire finish without one)."""
        connection, self._connection = self._connection, None
        with self._free:
            self._held.clear()
        if connection is not None:
            with suppress(psycopg.Error):
                connection.close()

    def _unavailable(self, exc: psycopg.Error) -> PlacesUnavailableError:
        reason = PROCESS_REDACTOR.redact(str(exc).strip().splitlines()[0] if str(exc) else "")
        return PlacesUnavailableError(
            f"The console could not take one of the organisation's in-flight places from its "
            f"database ({self.where}){': ' + reason if reason else ''}. Nothing was sent. Check "
            "that the database is running and reachable, then resend or resume."
        )
