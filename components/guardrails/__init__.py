"""What no send may cross: the do-not-text list and each recipient's quiet hours."""

from components.guardrails.quiet_hours import LocalWindow, window_for

__all__ = ["LocalWindow", "window_for"]
