"""Outcomes followed in the background: the console asks Acoustic about each accepted batch's
transaction until every contact is processed, whether or not a browser is open, with a backoff,
and gives up after a while (saying so in the journal). The follow-ups are in the journal, so a
restart resumes them, and each is claimed by one replica at a time.

Look-ups share the organisation's 10 places with sends, but a send never waits for a look-up:
the follower asks only while at least KEEP_FREE of the organisation's places are free (across
every replica when they share the places in PostgreSQL), and one transaction at a time."""

from __future__ import annotations

import logging
import time

from components.acoustic import AcousticClient
from components.core.settings import DEFAULT_FOLLOW_HOURS
from components.core.states import Verdict
from components.journal import Journal, destination_of
from components.status.lookups import look_up

logger = logging.getLogger(__name__)

# After each answer that leaves contacts pending: 15 s, then 1 min, 5 min, then every hour.
BACKOFF = (15.0, 60.0, 300.0, 3600.0)
GIVE_UP_AFTER = DEFAULT_FOLLOW_HOURS * 3600.0  # seconds after acceptance (SMS_CONSOLE_FOLLOW_HOURS)
KEEP_FREE = 5  # places left to sends: a look-up waits while fewer are free
SENDS_QUIET = 2.0  # seconds after a send request of this process before a look-up
AT_ONCE = 3  # transactions claimed per round; asked one after the other


def room_for_a_look_up(client: AcousticClient) -> bool:
    """No send of this process took a place in the last SENDS_QUIET seconds (a send's batches
    come in a burst: look-ups wait for its end rather than take a place it is about to want),
    and at least KEEP_FREE of the organisation's places are free: with replicas, across all of
    them (the shared gate counts every replica's places in PostgreSQL)."""
    gate = client.gate
    return gate.quiet_for() >= SENDS_QUIET and gate.free_places() >= KEEP_FREE


def follow_due(
    journal: Journal,
    client: AcousticClient,
    *,
    mode: str,
    owner: str,
    now: float | None = None,
    give_up_after: float = GIVE_UP_AFTER,
) -> int:
    """One round: the transactions due now, claimed for `owner` and asked about through
    `client` (the console's connection, in `mode`); a transaction made through another
    connection waits for it. Returns how many were asked about."""
    if not room_for_a_look_up(client):
        return 0
    asked = 0
    for follow in journal.claim_due_follows(owner, now=now, limit=AT_ONCE):
        if not room_for_a_look_up(client):
            break  # a send needs the places: the claim runs out and another round asks
        at = time.time() if now is None else now
        record = journal.get_send(follow.send_id)
        if record is None or destination_of(record.mode, record.base_url) != destination_of(
            mode, client.base_url
        ):
            journal.reschedule_follow(follow.transaction_id, next_at=at + BACKOFF[-1], now=at)
            continue
        lookup = look_up(client, journal, follow.transaction_id, now=at)
        asked += 1
        if lookup.verdict is Verdict.COMPLETE:
            journal.reschedule_follow(follow.transaction_id, next_at=None, finished=True, now=at)
        elif at - follow.started_at >= give_up_after:
            journal.reschedule_follow(follow.transaction_id, next_at=None, gave_up=True, now=at)
            logger.info(
                "gave up following transaction %s after %.0f h: its contacts stay pending",
                follow.transaction_id,
                give_up_after / 3600,
            )
        else:
            wait = BACKOFF[min(follow.attempts, len(BACKOFF) - 1)]
            journal.reschedule_follow(follow.transaction_id, next_at=at + wait, now=at)
    return asked
