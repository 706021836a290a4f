"""What the library's actions return: plain values that each front end renders its own way.

The CLI prints them, the TUI turns them into toasts and redraws. Nothing here writes to a
terminal, so the same outcome can be shown by both and checked by a unit test.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from readq.dberrors import describe_sqlite_error
from readq.library.undo import Change, StateChange
from readq.store import PaperState

if TYPE_CHECKING:  # imported by the jobs themselves: start-up cost
    from readq.arxiv_api import AddReport
    from readq.export import ExportResult
    from readq.ingest import FileReport


class Level(Enum):
    """How a report is shown: as news, as a warning (done, but not all of it), as an error."""

    OK = "information"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Report:
    """A finished job's summary in plain text (not yet made safe for a terminal)."""

    text: str
    level: Level

    @property
    def ok(self) -> bool:
        """Whether the job did all it was asked."""
        return self.level is Level.OK


@dataclass(frozen=True, slots=True)
class StateOutcome:
    """What a mark or a star did to the library.

    ``queued``: the library was busy (another process writing), so the change is shown now
    and saved by the background writer; ``first_in_queue`` says whether it started a wait
    (a front end says "busy" once per wait, not once per key). ``error``: the write was
    refused and nothing changed.
    """

    description: str
    before: tuple[PaperState, ...] = ()
    after: tuple[PaperState, ...] = ()
    change: StateChange | None = None
    queued: bool = False
    first_in_queue: bool = False
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        """Whether the change is made (or queued to be)."""
        return self.error is None

    @property
    def ids(self) -> list[int]:
        """The papers changed."""
        return [s.id for s in self.after]


@dataclass(frozen=True, slots=True)
class UndoOutcome:
    """What an undo or redo did.

    ``change``: what was reversed (None with nothing to reverse, or on failure);
    ``waiting``: queued writes were still waiting for the library, so nothing was done;
    ``error``: the library refused the write.
    """

    verb: str
    change: Change | None = None
    waiting: bool = False
    error: Exception | None = None


def write_failure(what: str, exc: Exception) -> str:
    """One line for a write the library refused (locked past the timeout, read-only, disk
    full): what was not saved and why."""
    reason = describe_sqlite_error(exc) if isinstance(exc, sqlite3.Error) else str(exc)
    return f"{what}: not saved, the library could not be written ({reason}). Try again."


def export_report(done: ExportResult) -> Report:
    """The summary of an export: what was written where, or that nothing was, and the vault
    files left alone because the user edited readq's part of them."""
    if done.papers == 0 and not done.kept:
        return Report("Nothing exported: no papers to export, nothing written.", Level.WARNING)
    noun = "paper" if done.papers == 1 else "papers"
    target = os.path.abspath(done.target)
    text = f"Exported {done.papers} {noun} to {target}"
    if done.removed:
        text += f"; removed {len(done.removed)} old file(s) of renamed papers"
    if done.copies:
        text += (
            f". Left alone {len(done.copies)} copied file(s) with the same readq_id that hold "
            "your text: " + ", ".join(done.copies[:5]) + (", …" if len(done.copies) > 5 else "")
        )
    if not done.kept:
        return Report(text, Level.OK)
    names = ", ".join(done.kept[:5]) + (", …" if len(done.kept) > 5 else "")
    text += (
        f". {len(done.kept)} file(s) not updated because you changed readq's part of them "
        f"(between the readq:begin and readq:end lines): {names}"
    )
    return Report(text, Level.WARNING)


def ingest_report(reports: Sequence[FileReport]) -> Report:
    """The short summary of an ingest from inside the app: one line per file, its first
    warnings, an error if any file failed."""
    lines: list[str] = []
    ok = True
    for report in reports:
        if report.result is not None:
            r = report.result
            lines.append(f"{report.name}: {r.papers} papers, {r.new} new, {r.merged} merged")
        else:
            ok = False
            lines.append(report.error or f"{report.name}: failed")
        lines.extend(report.warnings[:3])
    return Report("\n".join(lines), Level.OK if ok else Level.ERROR)


def add_report(report: AddReport) -> Report:
    """The short summary of an add-by-id from inside the app: what was fetched, and which
    ids were already in the library."""
    lines = [
        f"{arxiv_id}: already in the library (#{paper_id})"
        for arxiv_id, paper_id in report.known.items()
        if arxiv_id not in report.fetched
    ]
    if report.result is not None:
        r = report.result
        lines.insert(0, f"arXiv: {r.papers} papers, {r.new} new, {r.merged} merged")
    return Report("\n".join(lines), Level.OK)
