"""Sending: the plan of a send, its submission, the background worker, batches, stored request
bodies, schedules and the scheduler, leases."""

from components.sending.batches import BatchResult, send_payloads
from components.sending.plan import Destination, Guardrails, SendChoices, SendPlan, plan_send
from components.sending.worker import SendWorker

__all__ = [
    "BatchResult",
    "Destination",
    "Guardrails",
    "SendChoices",
    "SendPlan",
    "SendWorker",
    "plan_send",
    "send_payloads",
]
