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
from readq.models import Status
from readq.store import PaperState, UnknownPaperError
from readq.textclean import clean_line, strip_unsafe

if TYPE_CHECKING:  # imported by the jobs themselves: start-up cost
    from readq.arxiv_api import AddReport
    from readq.export import ExportResult
    from readq.ingest import FileReport


UNDO_KEY = "u"
REDO_KEY = "ctrl+r"
"""The keys named in feedback ("— u undoes"): the TUI's bindings of undo and redo."""

SHORT_TITLE_WORDS = 5
SHORT_TITLE_CHARS = 28
"""A toast names a paper by the first words of its title, at most this long: enough to
recognise it, short enough that "Moved to trash: <title> — u undoes" fits on one line of
Textual's 60-column toast (40 wrapped to two lines in tmux at 120x40)."""


def short_title(title: str) -> str:
    """The first words of a title, cleaned for a terminal (untrusted text: no control or
    escape characters, one line), with "…" when cut. Still text, never markup: render it
    with markup off."""
    words = clean_line(strip_unsafe(title, keep_newlines=False)).split()
    kept: list[str] = []
    for word in words[:SHORT_TITLE_WORDS]:
        if kept and len(" ".join([*kept, word])) > SHORT_TITLE_CHARS:
            break
        kept.append(word[:SHORT_TITLE_CHARS])
    text = " ".join(kept)
    if len(kept) < len(words) or (kept and kept[-1] != words[len(kept) - 1]):
        text += "…"
    return text or "(untitled)"


def subject(titles: Sequence[str]) -> str:
    """What a change was done to: the paper's first words, or how many papers."""
    if len(titles) == 1:
        return short_title(titles[0])
    return f"{len(titles)} papers"


def mark_description(status: Status) -> str:
    """What a mark did, in the past tense of its toast."""
    return {
        Status.READ: "Marked read",
        Status.TO_READ: "Marked to read",
        Status.NEW: "Back to new",
    }[status]


def star_description(starred: bool) -> str:
    """What a star key did."""
    return "Starred" if starred else "Unstarred"


def tag_description(add: Sequence[str], remove: Sequence[str]) -> str:
    """What a tag change did, for its toast and the CLI ("Tagged #a #b, untagged #c")."""
    parts: list[str] = []
    if add:
        parts.append("Tagged " + " ".join("#" + n for n in add))
    if remove:
        parts.append(("untagged " if parts else "Untagged ") + " ".join("#" + n for n in remove))
    return ", ".join(parts) or "Tags unchanged"


def change_message(description: str, what: str, *, undo_key: str | None = UNDO_KEY) -> str:
    """One toast line: what was done to which paper(s), and the key that undoes it."""
    text = f"{description}: {what}" if what else description
    return f"{text} — {undo_key} undoes" if undo_key else text


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
    subject: str = ""
    """The paper's first words, or "N papers" (see :func:`subject`)."""

    @property
    def ok(self) -> bool:
        """Whether the change is made (or queued to be)."""
        return self.error is None

    @property
    def ids(self) -> list[int]:
        """The papers changed."""
        return [s.id for s in self.after]

    def message(self, undo_key: str = UNDO_KEY) -> str:
        """The toast: "Marked read: Gradient Lanterns… — u undoes"."""
        return change_message(self.description, self.subject, undo_key=undo_key)


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    """What a rename, a delete or a restore did: the papers changed, named for the toast,
    and the undo step (None when nothing changed, e.g. all already in the trash)."""

    description: str
    ids: tuple[int, ...]
    subject: str
    change: Change | None
    skipped: tuple[int, ...] = ()
    """Papers asked for that needed nothing (already in, or already out of, the trash)."""

    def message(self, undo_key: str = UNDO_KEY) -> str:
        """The toast or the CLI's line."""
        if not self.ids:
            return f"{self.description}: nothing to do"
        return change_message(self.description, self.subject, undo_key=undo_key)


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

    def message(self) -> str:
        """The toast: "Undid Marked read: Gradient Lanterns… — ctrl+r redoes"."""
        if isinstance(self.error, UnknownPaperError):
            return f"Cannot {self.verb} that step: {self.error}, deleted for good."
        if self.change is None:
            return f"Nothing to {self.verb}."
        done = "Undid" if self.verb == "undo" else "Redid"
        again = REDO_KEY if self.verb == "undo" else UNDO_KEY
        what = change_message(self.change.description, self.change.subject, undo_key=None)
        return f"{done} {what} — {again} {'redoes' if self.verb == 'undo' else 'undoes'}"


def write_failure(what: str, exc: Exception) -> str:
    """One line for a write the library refused (locked past the timeout, read-only, disk
    full): what was not saved and why."""
    reason = describe_sqlite_error(exc) if isinstance(exc, sqlite3.Error) else str(exc)
    return f"{what}: not saved, the library could not be written ({reason}). Try again."


def trash_note(in_trash: int) -> str:
    """What an ingest says of repeats of papers in the trash: they stay there, and how to get
    them back (a re-ingest never restores a deleted paper silently)."""
    if not in_trash:
        return ""
    return f", {in_trash} in the trash (not restored: readq trash restore ID brings one back)"


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
            line = f"{report.name}: {r.papers} papers, {r.new} new, {r.merged} merged"
            lines.append(line + trash_note(r.in_trash))
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
