"""Sending: the plan of a send, its submission, the background worker, batches, stored request
bodies, schedules and the scheduler, leases."""

from components.sending.batches import BatchResult, send_payloads
from components.sending.worker import SendWorker

__all__ = ["BatchResult", "SendWorker", "send_payloads"]
