"""The note drafts' value types: the autosave delay, the retry policy and a save's outcome.

They live apart from :mod:`readq.notes` (which writes notes and recovery files) so that a
front end can show an outcome or set a policy without importing the module that does the work:
the TUI imports only the library and value types (an import-linter contract in
``pyproject.toml``). ``readq.notes`` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

AUTOSAVE_DELAY = 0.3
"""Seconds of quiet after the last keystroke before the draft is written."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to wait before retrying a failed save: ``initial`` seconds, multiplied by
    ``factor`` after each further failure, never more than ``maximum``."""

    initial: float = 2.0
    factor: float = 2.0
    maximum: float = 30.0
    busy_maximum: float = 3.0
    """The longest wait when the write only met another writer's lock (an ingest in another
    terminal): the note is saved within this long of that writer finishing."""

    def delay(self, failures: int, *, busy: bool = False) -> float:
        """The wait after ``failures`` consecutive failures (1 for the first)."""
        if failures <= 0:
            return 0.0
        # The exponent is capped: a lock held for an hour means over a thousand retries.
        wait = min(self.maximum, self.initial * self.factor ** min(failures - 1, 60))
        return min(wait, self.busy_maximum) if busy else wait


class SaveStatus(Enum):
    """What one attempt to write the draft did."""

    CLEAN = "clean"  # nothing to write
    SAVED = "saved"  # written (possibly unchanged text)
    CONFLICT = "conflict"  # written; another writer's text was kept as a conflict revision
    FAILED = "failed"  # not written: the draft is kept and will be retried


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    """The result of :meth:`NoteSession.flush`, with a plain-text message for the user."""

    status: SaveStatus
    revision_id: int | None = None
    conflict_revision_id: int | None = None
    error: str | None = None
    recovery_file: Path | None = None
    retry_in: float | None = None
    busy: bool = False
    """FAILED only because another process held the library's write lock (nothing is wrong)."""
    failures: int = 0
    """FAILED: how many attempts in a row have failed, this one included. SAVED: how many
    failed before this one succeeded."""

    @property
    def message(self) -> str | None:
        """What to tell the user (plain text, never markup), or None when nothing needs saying."""
        if self.status is SaveStatus.CONFLICT:
            return (
                "This note was changed elsewhere while you edited it. Your text is current; "
                f"the other text was kept as revision {self.conflict_revision_id} (see history)."
            )
        if self.status is SaveStatus.FAILED and self.busy:
            where = f" (a copy is in {self.recovery_file})" if self.recovery_file else ""
            return (
                "Another readq is writing the library (an ingest?): this note is saved as soon "
                f"as it is done. Your text is kept{where}."
            )
        if self.status is SaveStatus.SAVED and self.failures:
            return "Note saved."
        if self.status is SaveStatus.FAILED:
            where = f" A copy is in {self.recovery_file}." if self.recovery_file else ""
            retry = f" Retrying in {self.retry_in:g} s." if self.retry_in is not None else ""
            return f"Note not saved: {self.error}. Your text is kept.{where}{retry}"
        return None
