"""Note drafts that are never lost: the pure logic behind the TUI's note editor.

A :class:`NoteSession` holds the draft of one paper's note while it is edited. It knows when
the draft must be written (``AUTOSAVE_DELAY`` after the last keystroke, or at once on leaving,
switching paper, quitting or a signal), writes it through :meth:`readq.store.Store.save_note`
with the revision it started from, and handles what can go wrong:

* **Conflicts.** If another process saved the note since (a second TUI, ``readq note --set``),
  the store keeps their text as a ``conflict`` revision and ours current; the session reports
  it and continues from the new revision.
* **Faults.** A failed write (disk full, read-only file, database locked beyond the busy
  timeout) keeps the draft in memory, writes it to a recovery file
  (``<data dir>/drafts/<paper id>.md``) and retries with backoff (:class:`RetryPolicy`). The
  recovery file is offered back the next time the note is opened and removed once the draft
  is safely in the library.
* **kill -9.** Every change is also written at once to the same draft file (without fsync),
  before the debounced save: text typed just before the process is killed is offered back
  the next time the note is opened, like a draft whose save failed.
* **Bounded history.** Every save is a revision, but autosaves of one session coalesce: while
  the session's own latest revision is younger than ``COALESCE_SECONDS`` (one minute) it is
  updated in place; after that a new revision starts. So continuous typing keeps about one
  revision a minute, and a revision made by someone else is never overwritten in place.

Time is passed in explicitly (``now``, seconds on a monotonic clock) so all of this is tested
without sleeping. This module never imports Textual.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from readq.dberrors import is_busy
from readq.note_values import AUTOSAVE_DELAY as AUTOSAVE_DELAY
from readq.note_values import RetryPolicy as RetryPolicy
from readq.note_values import SaveOutcome as SaveOutcome
from readq.note_values import SaveStatus as SaveStatus
from readq.store import NOTE_COALESCE_SECONDS, Store, StoreError, UnknownPaperError

COALESCE_SECONDS = NOTE_COALESCE_SECONDS
"""Autosaves of one session within this many seconds share one revision."""

SAVE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, StoreError, OSError)
"""What a failed write may raise; anything here keeps the draft and schedules a retry."""


@dataclass(frozen=True, slots=True)
class RecoveredDraft:
    """A draft found in the recovery directory: it was not in the library when written."""

    path: Path
    text: str
    mtime: float


def recovery_dir(data_dir: Path) -> Path:
    """Where unsaved drafts are written when the library cannot be."""
    return data_dir / "drafts"


def recovery_path(data_dir: Path, paper_id: int) -> Path:
    """The recovery file of one paper's note."""
    return recovery_dir(data_dir) / f"{paper_id}.md"


def write_recovery(data_dir: Path, paper_id: int, text: str, *, durable: bool = True) -> Path:
    """Write ``text`` atomically to the paper's recovery file (temp file, fsync, rename).

    ``durable=False`` skips the fsync: the file then survives the process being killed (the
    kernel has it) but not a power cut. The keystroke drafts use that: an fsync cost 5-7 ms
    here, a write without it ~0.2 ms, and the database save that follows is durable."""
    target = recovery_path(data_dir, paper_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{paper_id}-", suffix=".md", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_recovery(data_dir: Path, paper_id: int) -> RecoveredDraft | None:
    """The paper's recovery file, if there is a readable regular one."""
    path = recovery_path(data_dir, paper_id)
    try:
        info = path.stat()
        if not path.is_file():
            return None
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return RecoveredDraft(path=path, text=text, mtime=info.st_mtime)


def remove_recovery(data_dir: Path, paper_id: int) -> None:
    """Delete the paper's recovery file (best effort: a leftover copy is harmless)."""
    try:
        recovery_path(data_dir, paper_id).unlink(missing_ok=True)
    except OSError:
        return


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip()
    return text or type(exc).__name__


@dataclass(slots=True)
class NoteSession:
    """The draft of one paper's note while it is being edited.

    ``text`` is the draft; ``base_revision`` the library revision it was started from (or last
    written as). Call :meth:`edit` on every change, :meth:`due` / :meth:`next_deadline` to know
    when to write, and :meth:`flush` to write. Nothing here waits or sleeps.
    """

    paper_id: int
    text: str
    base_revision: int | None
    data_dir: Path | None = None
    delay: float = AUTOSAVE_DELAY
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    coalesce_seconds: float = COALESCE_SECONDS
    saved_text: str = ""
    dirty: bool = False
    last_edit: float | None = None
    failures: int = 0
    retry_at: float | None = None
    last_error: str | None = None
    last_busy: bool = False
    recovery_written: bool = False
    draft_written: bool = False
    """The draft file holds the text typed since the last save (see :meth:`keep_draft`)."""
    recovered: RecoveredDraft | None = None
    opened_text: str = ""
    """The library's text when the session opened: what undoing the session puts back."""
    _own_revision: int | None = None
    _own_started: float = 0.0

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        store: Store,
        paper_id: int,
        *,
        data_dir: Path | None = None,
        delay: float = AUTOSAVE_DELAY,
        retry: RetryPolicy | None = None,
        coalesce_seconds: float = COALESCE_SECONDS,
    ) -> NoteSession:
        """Start editing the note of ``paper_id`` from its current revision.

        If a recovery file from an earlier failed save holds text the library lacks, it becomes
        the draft (marked unsaved, so the next autosave writes it; the library's text stays in
        the history) and ``recovered`` describes it. A recovery file matching the library is
        simply removed.
        """
        text, revision = store.note_state(paper_id)
        session = cls(
            paper_id=paper_id,
            text=text,
            base_revision=revision,
            data_dir=data_dir,
            delay=delay,
            retry=retry if retry is not None else RetryPolicy(),
            coalesce_seconds=coalesce_seconds,
            saved_text=text,
            opened_text=text,
        )
        if data_dir is not None:
            found = read_recovery(data_dir, paper_id)
            if found is not None:
                if found.text == text:
                    remove_recovery(data_dir, paper_id)
                else:
                    session.recovered = found
                    session.text = found.text
                    session.dirty = True
                    session.recovery_written = True
        return session

    # ---------------------------------------------------------------- editing
    def edit(self, text: str, now: float) -> None:
        """The user changed the draft to ``text`` at time ``now``."""
        if text == self.text:
            return
        self.text = text
        self.dirty = text != self.saved_text or self.recovery_written
        self.last_edit = now

    @property
    def unsaved(self) -> bool:
        """Whether the draft holds text the library does not have."""
        return self.dirty

    def due(self, now: float) -> bool:
        """Whether the autosave should write now."""
        deadline = self.next_deadline()
        return deadline is not None and now >= deadline

    def next_deadline(self) -> float | None:
        """When the next write is due (monotonic seconds), or None if nothing is pending."""
        if not self.dirty:
            return None
        debounce = (self.last_edit + self.delay) if self.last_edit is not None else 0.0
        if self.retry_at is not None:
            return max(debounce, self.retry_at)
        return debounce

    # ----------------------------------------------------------------- saving
    def flush(self, store: Store, now: float, *, force: bool = False) -> SaveOutcome:
        """Write the draft if it is unsaved (``force``: even while a retry is pending).

        Never raises for a failed write: the draft is kept, a recovery copy is written when a
        data dir is known, and a retry is scheduled (see :class:`RetryPolicy`).
        """
        if not self.dirty:
            return SaveOutcome(SaveStatus.CLEAN, revision_id=self.base_revision)
        if not force and self.retry_at is not None and now < self.retry_at:
            return SaveOutcome(
                SaveStatus.FAILED,
                error=self.last_error,
                retry_in=self.retry_at - now,
                recovery_file=self._recovery_file(),
                busy=self.last_busy,
                failures=self.failures,
            )
        text = self.text
        coalesce = (
            self.coalesce_seconds
            if self._own_revision is not None
            and self.base_revision == self._own_revision
            and now - self._own_started < self.coalesce_seconds
            else 0.0
        )
        try:
            result = store.save_note(
                self.paper_id,
                text,
                base_revision=self.base_revision,
                kind="save",
                coalesce_seconds=coalesce,
            )
        except UnknownPaperError:
            self.keep_copy()
            raise
        except SAVE_ERRORS as exc:
            return self._failed(exc, now)
        failed_before = self.failures
        self.failures = 0
        self.retry_at = None
        self.last_error = None
        self.saved_text = text
        self.dirty = self.text != text
        if (
            result.changed
            and result.revision_id is not None
            and result.revision_id != self._own_revision
        ):
            self._own_revision = result.revision_id
            self._own_started = now
        self.base_revision = result.revision_id
        if (self.recovery_written or self.draft_written) and self.data_dir is not None:
            remove_recovery(self.data_dir, self.paper_id)
        self.recovery_written = False
        self.draft_written = False
        self.recovered = None
        if result.conflict:
            return SaveOutcome(
                SaveStatus.CONFLICT,
                revision_id=result.revision_id,
                conflict_revision_id=result.conflict_revision_id,
            )
        return SaveOutcome(SaveStatus.SAVED, revision_id=result.revision_id, failures=failed_before)

    def _failed(self, exc: BaseException, now: float) -> SaveOutcome:
        where = self.keep_copy()  # first: nothing below may stand between the text and disk
        self.failures += 1
        busy = self.last_busy = is_busy(exc)
        wait = self.retry.delay(self.failures, busy=busy)
        self.retry_at = now + wait
        self.last_error = _describe(exc)
        return SaveOutcome(
            SaveStatus.FAILED,
            error=self.last_error,
            recovery_file=where,
            retry_in=wait,
            busy=busy,
            failures=self.failures,
        )

    def keep_copy(self) -> Path | None:
        """Write the draft to its recovery file (removed again by the next successful save);
        None if there is no data dir or that fails."""
        if self.data_dir is None:
            return None
        try:
            where = write_recovery(self.data_dir, self.paper_id, self.text)
        except OSError:
            return None
        self.recovery_written = True
        return where

    def keep_draft(self) -> None:
        """Put what was just typed in the draft file at once, before the debounced save: a
        ``kill -9`` between a keystroke and that save then loses nothing (the file is offered
        back when the note is opened next). Called on every change (a write costs ~0.2 ms,
        no fsync); a draft back to the saved text removes the file. Never raises."""
        if self.data_dir is None:
            return
        if not self.dirty:
            if self.draft_written and not self.recovery_written:
                remove_recovery(self.data_dir, self.paper_id)
                self.draft_written = False
            return
        try:
            write_recovery(self.data_dir, self.paper_id, self.text, durable=False)
        except OSError:
            return  # the save itself still comes, and a failed save writes a durable copy
        self.draft_written = True

    def _recovery_file(self) -> Path | None:
        if self.recovery_written and self.data_dir is not None:
            return recovery_path(self.data_dir, self.paper_id)
        return None

    def reload(self, store: Store) -> None:
        """Take the library's current text and revision as the (saved) draft, e.g. after a
        restore from history. Call only when the draft is not unsaved."""
        text, revision = store.note_state(self.paper_id)
        self.text = text
        self.saved_text = text
        self.base_revision = revision
        self.dirty = False
        self.last_edit = None
        self.retry_at = None
        self.failures = 0
