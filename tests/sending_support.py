"""What the sending tests share: the one fast retry rule, a client for the sandbox, batches of
made-up contacts, and a send journaled and started from a plan of those batches.

`plan_of` builds a SendPlan directly from request bodies, without the planner: the worker's
checks must hold whatever the plan says, so its tests give it plans the planner would not make.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time

import pytest

from components.acoustic import AcousticClient, RetryPolicy
from components.core.states import HoursChoice, SendKind
from components.guardrails.quiet_hours_settings import QuietHours
from components.journal import Journal
from components.message.draft import Draft
from components.sending.plan import (
    Destination,
    HoursQuestion,
    PlannedBatch,
    SendChoices,
    SendPlan,
)
from components.sending.schedules import Schedule
from components.sending.submit import submit_send
from components.sending.worker import SendWorker
from components.team.auth import Identity, Role

# The tests that count requests in flight at once run in one xdist worker, one after the other:
# two of them at the same time would share the machine's cores, not each other's requests.
IN_FLIGHT_TIMING = pytest.mark.xdist_group("in-flight timing")

# Retries in milliseconds: a test never waits for the production back-off.
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, concurrency_attempts=40)
# Allowed hours all day long (but the last second): a worker test that is not about the hours
# does not depend on the hour it runs at. The hours' own tests set theirs.
ALL_DAY = QuietHours(time(0), time(23, 59, 59))


def worker_on(journal: Journal, **options: object) -> SendWorker:
    """A worker on `journal` whose allowed hours are all day unless `quiet_hours` says."""
    options.setdefault("quiet_hours", ALL_DAY)
    return SendWorker(journal, **options)  # type: ignore[arg-type]


def client_for(server: object, **options: object) -> AcousticClient:
    return AcousticClient(
        server.url,  # type: ignore[attr-defined]
        "sandbox-client",
        "sandbox-secret",
        "sandbox-refresh",
        retry=options.pop("retry", FAST_RETRY),  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def batches(count: int, size: int = 3, tag: str = "") -> list[dict]:
    return [
        {
            "channelQualifier": "12345",
            "content": f"Batch {index} {tag}",
            "contacts": [{"phoneNumber": f"1949500{index % 100:02d}{c:02d}"} for c in range(size)],
        }
        for index in range(count)
    ]


def sender(email: str | None) -> Identity:
    return Identity(email=email or "tester@example.com", roles=frozenset({Role.SENDER}))


def plan_of(
    payloads: Sequence[dict],
    who: str | Identity | None,
    *,
    mode: str = "sandbox",
    kind: SendKind = SendKind.BULK,
    base_url: str = "http://127.0.0.1:1",
    schedule: Schedule | None = None,
    hours: HoursChoice | None = None,
    reason: str = "",
    outside: int = 1,
    repeat_of: int | None = None,
    estimated_cost: float = 0.0,
) -> SendPlan:
    """A plan of exactly these request bodies; `schedule` gives their times, `hours` the
    choice made for recipients outside their hours (as if `outside` of them were)."""
    times = schedule.not_before if schedule is not None else (None,) * len(payloads)
    question = None
    if hours is not None:
        total = sum(len(p.get("contacts", [])) for p in payloads)
        question = HoursQuestion(outside, total, time(8), time(21), datetime.now(UTC), None, 0)
    return SendPlan(
        kind=kind,
        destination=Destination(mode=mode, label=mode, base_url=base_url),
        actor=who if isinstance(who, Identity) else sender(who),
        draft=Draft(content=payloads[0].get("content", ""), program="12345"),
        batches=tuple(PlannedBatch(p, t) for p, t in zip(payloads, times, strict=True)),
        choices=SendChoices(
            hours=hours or HoursChoice.EACH_WHEN_OPEN, hours_reason=reason, repeat_of=repeat_of
        ),
        hours=question,
        estimated_cost=estimated_cost,
        first_number=str(payloads[0]["contacts"][0]["phoneNumber"]),
    )


def submit(
    worker: SendWorker,
    client: AcousticClient,
    payloads: Sequence[dict],
    who: str | Identity | None,
    **options: object,
) -> int:
    """A send of `payloads` journaled and started (or asked for approval), as a page does."""
    replaces = options.pop("replaces", None)
    plan = plan_of(payloads, who, base_url=client.base_url, **options)  # type: ignore[arg-type]
    return submit_send(worker, client, plan, replaces=replaces)  # type: ignore[arg-type]


def received(server: object) -> list[str]:
    """Each accepted payload's identity, as the server saw it."""
    return [json.dumps(p, sort_keys=True) for p in server.sent_payloads()]  # type: ignore[attr-defined]
