"""The sandbox's knobs. Defaults behave like a healthy pod with a short processing delay."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class SandboxConfig:
    client_id: str = "sandbox-client"
    client_secret: str = "sandbox-secret"
    refresh_token: str = "sandbox-refresh"
    token_lifetime: float = 14400.0
    """Seconds an access token lives (Acoustic: 4 hours)."""
    latency: float = 0.0
    """Seconds from a request's arrival to its answer (at least the processing time), holding
    a concurrency slot meanwhile."""
    status_delay: float = 2.0
    """Seconds during which the status of a new send answers "not found"."""
    delivery_seconds: float = 5.0
    """Seconds over which the contacts of a send are processed, after status_delay."""
    sms_enabled: bool = True
    max_concurrent: int = 10
    active_programs: tuple[str, ...] = ("12345", "129856")
    inactive_programs: tuple[str, ...] = ("55555",)
    fields: tuple[str, ...] = ("FIRST NAME", "LAST NAME", "PIN", "Tracking")
    page_size: int = 0
    """Contacts per status page (0: all in one answer)."""
    bare_accepted: bool = False
    """Answer a send with the bare {"location", "id"} instead of the {"meta", "data"} envelope
    (Acoustic's documentation shows both)."""
    error_rate: float = 0.0
    """Share of send/status requests answered with a 500 (after processing)."""
    drop_rate: float = 0.0
    """Share of send/status requests whose connection is dropped (after processing)."""
    slow_rate: float = 0.0
    """Share of send/status requests answered only after slow_seconds."""
    slow_seconds: float = 30.0
    seed: int | None = None

    def update(self, **knobs: object) -> None:
        """Sets knobs by name, converting JSON values to the field's type."""
        known = {f.name: f for f in fields(self)}
        for name, value in knobs.items():
            if name not in known:
                raise ValueError(f"Unknown sandbox knob {name!r}.")
            current = getattr(self, name)
            if isinstance(current, tuple) and isinstance(value, list | tuple):
                value = tuple(str(v) for v in value)
            elif isinstance(current, bool):
                value = bool(value)
            elif isinstance(current, float) and isinstance(value, int | float):
                value = float(value)
            setattr(self, name, value)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
