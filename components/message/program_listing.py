"""What Compose knows of the organisation's SMS programs: Acoustic's list, or why there is none,
in words for a marketer (the picker then falls back to a typed id)."""

from __future__ import annotations

from dataclasses import dataclass

from components.acoustic import AcousticClient, AcousticError, ForbiddenError, Program

TYPE_THE_ID = "type the program id"
PENDING = (
    f"Acoustic has not listed the SMS programs yet — {TYPE_THE_ID}, or look again in a moment."
)


@dataclass(frozen=True)
class ProgramListing:
    """`programs` is None when the list is not known (refused, unreachable, not yet answered);
    `problem` then says why. An empty list is known: Acoustic lists nothing."""

    programs: tuple[Program, ...] | None
    problem: str = ""

    @property
    def active(self) -> tuple[Program, ...]:
        return tuple(p for p in self.programs or () if p.active)

    @property
    def note(self) -> str:
        """What the marketer should read next to the picker, or "" when the list is usable."""
        if self.programs is None:
            return self.problem
        if not self.active:
            return f"Acoustic lists no active SMS program for this organisation — {TYPE_THE_ID}."
        return ""


def fetch_listing(client: AcousticClient) -> ProgramListing:
    """Asks Acoustic once; every failure becomes a listing that says why (never raised)."""
    try:
        return ProgramListing(tuple(client.list_programs()))
    except ForbiddenError as exc:
        return ProgramListing(
            None,
            f"Acoustic refused to list the programs ({exc.status_code}: SMS is not enabled for "
            f"this organisation, database or API user) — {TYPE_THE_ID}.",
        )
    except AcousticError as exc:
        if exc.status_code is not None:
            said = exc.api_message or exc.message
            why = f"Acoustic refused to list the programs ({exc.status_code}: {said})"
        else:
            why = f"The SMS programs could not be listed ({exc.message})"
        return ProgramListing(None, f"{why} — {TYPE_THE_ID}.")


def program_label(program: Program) -> str:
    """name · id · status, as the picker shows a program."""
    status = program.status.lower() or ("active" if program.active else "")
    return " · ".join(part for part in (program.name or "(no name)", program.id, status) if part)
