"""The ``Library``: what the CLI and the TUI both do to a library, and its write policy.

Every change goes through here: one transaction per write (``Store``), the busy -> queued
policy (a front end that must never block passes ``queue_when_busy``: the write waits
``FAST_BUSY_TIMEOUT_MS`` for another process's lock, then is shown at once and saved by the
background writer), undo/redo and their failure paths, and the ingest and export jobs. Each
action returns a plain outcome (:mod:`readq.library.outcomes`) for the front end to render.
No Textual, Rich or click here: it is unit-tested without a terminal.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from readq.dberrors import is_busy
from readq.library.drafts import Drafts
from readq.library.organise import QueueActions
from readq.library.outcomes import (
    ChangeOutcome,
    Level,
    Report,
    StateOutcome,
    UndoOutcome,
    add_report,
    short_title,
    subject,
    tag_description,
)
from readq.library.undo import (
    Change,
    DismissChange,
    NoteChange,
    QueueChange,
    RenameChange,
    StateChange,
    TagChange,
    TrashChange,
    UndoStack,
)
from readq.library.writer import FAST_BUSY_TIMEOUT_MS, BackgroundWriter
from readq.models import NoteRevision, Paper, Stats, Status
from readq.store import (
    NoteSaveResult,
    PaperState,
    Store,
    StoreError,
    UnknownPaperError,
)
from readq.tags import TagCount, clean_tag

if TYPE_CHECKING:  # the jobs' modules are imported when first used: start-up cost
    from readq.export import ExportResult
    from readq.importers import ImportReport
    from readq.ingest import FileReport, ProgressCallback
    from readq.library.discovery import DiscoverService, RecommendedOutcome, RelatedOutcome
    from readq.paths import Paths
    from readq.recovery import LibraryCheck
    from readq.rules import Rule
    from readq.search.engine import SearchEngine
    from readq.sync import SyncResult, SyncStatus

Deliver = Callable[[Callable[[], None]], None]
"""Runs a callback on the front end's own thread (the TUI's ``call_from_thread``)."""

SETTLE_SECONDS = 0.3
"""Undo and redo wait this long for queued writes before saying the library is busy."""


def _run_now(callback: Callable[[], None]) -> None:
    callback()


def _sync_on(
    store: Store, folder: str | None, backup_dir: Path | None, device_name: str | None
) -> SyncResult:
    """One sync of ``store``; the backup before joining goes to ``backup_dir``."""
    from datetime import UTC, datetime

    from readq.sync import sync

    def backup() -> Path:
        assert backup_dir is not None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = backup_dir / f"readq-before-sync-{stamp}.db"
        n = 1
        while target.exists():
            n += 1
            target = backup_dir / f"readq-before-sync-{stamp}-{n}.db"
        return store.backup(target)

    return sync(
        store,
        folder,
        device_name=device_name,
        backup=backup if backup_dir is not None else None,
    )


def _rules_with_counts(store: Store) -> list[tuple[Rule, int]]:
    from readq import rules
    from readq.search.query import parse_query

    found: list[tuple[Rule, int]] = []
    for rule in rules.rules(store.conn):
        try:
            count, _ids = rules.matching(store, parse_query(rule.query), rule.tag)
        except ValueError:
            count = 0  # a rule from a newer readq's query language
        found.append((rule, count))
    return found


class Library(QueueActions):
    """One open library and the session's undo history and queued writes (the queue and
    saved-view actions are :class:`readq.library.organise.QueueActions`)."""

    def __init__(self, store: Store, *, deliver: Deliver = _run_now, undo_limit: int = 500) -> None:
        self.store = store
        self.undo_stack = UndoStack(undo_limit)
        self.writer = BackgroundWriter(store.path, deliver=deliver)
        self._discover: DiscoverService | None = None
        self._check: LibraryCheck | None = None

    @classmethod
    def open(cls, db: Path, *, backup_dir: Path | None = None) -> Library:
        """Open the library file ``db`` (a front end never opens a connection itself: only
        ``Store`` does, here)."""
        return cls(Store.open(db, backup_dir=backup_dir))

    @classmethod
    def open_checked(cls, paths: Paths) -> Library:
        """Open the library at ``paths`` as :func:`readq.recovery.open_library` does: a
        damaged file is moved aside and ``LibraryDamagedError`` (a ``StoreError``) raised."""
        from readq.recovery import open_library

        return cls(open_library(paths))

    def start_check(
        self, on_damage: Callable[[str], None], after: threading.Event | None = None
    ) -> None:
        """``quick_check`` the file in a background thread once ``after`` is set (a front end's
        first paint goes first); ``on_damage(detail)`` is called from that thread if it is
        damaged. :meth:`check_result` says what it found."""
        from readq.recovery import LibraryCheck

        self._check = LibraryCheck(self.path, on_damage=on_damage, after=after)
        self._check.start()

    def check_result(self) -> str | None:
        """What the background check found so far: the damage, or None (fine, not finished,
        or never started). The thread is not waited for."""
        return self._check.stop() if self._check is not None else None

    @staticmethod
    def report_damage(paths: Paths, detail: str) -> str:
        """Move a damaged library aside and say, in one line, where it went and what next."""
        from readq.recovery import report_damage

        return str(report_damage(paths, detail))

    def bind(self, deliver: Deliver) -> None:
        """Deliver the queued writes' callbacks through ``deliver`` from now on: a front end
        made after its library (the TUI's app) passes its own thread's runner here."""
        self.writer.deliver = deliver

    @property
    def path(self) -> Path:
        """The library file."""
        return self.store.path

    def reader(self) -> Store:
        """A read-only connection of its own, for one worker thread (sqlite connections are
        per thread); the caller closes it."""
        return self.store.open_reader()

    def data_version(self) -> int:
        """Changes whenever another connection commits (the TUI polls it to reload)."""
        return self.store.data_version()

    def total_changes(self) -> int:
        """How many rows this connection has changed since it opened (the TUI syncs after
        its own writes pause)."""
        return self.store.conn.total_changes

    @staticmethod
    def text_problem(text: str) -> str | None:
        """Why a pasted ``text`` would ingest no papers (one line), or None when it holds at
        least one: a paste dialog asks before closing, so that such a paste is not lost."""
        from readq.ingest import text_problem

        return text_problem(text)

    def close(self, timeout: float = 30.0) -> int:
        """Save the queued writes (up to ``timeout`` seconds), then close the store.

        Returns how many queued writes could not be saved (the library stayed locked)."""
        self.writer.close(timeout)
        left = self.writer.pending
        if self._discover is not None:
            self._discover.close()
        self.store.close()
        return left

    def close_connection(self) -> None:
        """Close the library's connection only; the queued writes are the caller's call (a
        damaged library must not get them: the TUI closes its writer first, or not at all)."""
        self.store.close()

    # ------------------------------------------------------------------ reads
    def stats(self) -> Stats:
        """Counts by status, starred and with notes."""
        return self.store.stats()

    def paper(self, paper_id: int) -> Paper | None:
        """A paper with its sources, or None if it is gone."""
        try:
            return self.store.get(paper_id)
        except UnknownPaperError:
            return None

    def list_rows(self, ids: Sequence[int]) -> list[Paper]:
        """The papers with these ids in this order, without their sources (a list's rows)."""
        return self.store.get_many(ids, with_sources=False)

    def states(self, ids: Sequence[int]) -> list[PaperState]:
        """The papers' current status and star."""
        return self.store.states(ids)

    def star_value(self, ids: Sequence[int]) -> bool:
        """What the star key does to these papers: star them unless all already are."""
        return not all(s.starred for s in self.store.states(ids))

    # ----------------------------------------------------------------- writes
    def mark(
        self,
        ids: Sequence[int],
        status: Status,
        description: str = "Mark",
        *,
        queue_when_busy: bool = False,
        on_queued_failure: Callable[[StateOutcome, Exception], None] | None = None,
    ) -> StateOutcome:
        """Set the status of papers (one transaction), recorded for undo."""
        return self._change_state(
            ids, description, status, None, queue_when_busy, on_queued_failure
        )

    def star(
        self,
        ids: Sequence[int],
        starred: bool,
        description: str = "Star",
        *,
        queue_when_busy: bool = False,
        on_queued_failure: Callable[[StateOutcome, Exception], None] | None = None,
    ) -> StateOutcome:
        """Star or unstar papers (one transaction), recorded for undo."""
        return self._change_state(
            ids, description, None, starred, queue_when_busy, on_queued_failure
        )

    def _change_state(
        self,
        ids: Sequence[int],
        description: str,
        status: Status | None,
        starred: bool | None,
        queue_when_busy: bool,
        on_queued_failure: Callable[[StateOutcome, Exception], None] | None,
    ) -> StateOutcome:
        """Write now; when ``queue_when_busy`` and another process holds the lock, queue.

        Without ``queue_when_busy`` (the CLI) an error is raised to the caller, as a store
        write would; with it (the TUI) it comes back in the outcome and nothing changed."""
        ids = list(dict.fromkeys(ids))

        def write(target: Store) -> list[PaperState]:
            if status is not None:
                return target.set_status(ids, status)
            return target.set_starred(ids, bool(starred))

        what = self.subject(ids)
        if not queue_when_busy:
            before = write(self.store)
            return self._recorded(description, before, status, starred, what)
        try:
            with self.store.busy_timeout(FAST_BUSY_TIMEOUT_MS):
                before = write(self.store)
        except (sqlite3.Error, StoreError) as exc:
            if not is_busy(exc):
                return StateOutcome(description, error=exc, subject=what)
            # Another process holds the write lock (a long ingest): the change is shown now
            # and the background writer saves it when the lock is free.
            before = self.store.states(ids)
            first = self.writer.pending == 0
            outcome = self._recorded(description, before, status, starred, what, queued=first)
            self.writer.submit(write, partial(self._queued_failed, outcome, on_queued_failure))
            return outcome
        return self._recorded(description, before, status, starred, what)

    def subject(self, ids: Sequence[int]) -> str:
        """What a change to these papers is called in its toast: the first words of the
        title of one paper, the count of several."""
        if len(ids) != 1:
            return subject([""] * len(ids))
        paper = self.paper(ids[0])
        return short_title(paper.title) if paper is not None else f"#{ids[0]}"

    def _recorded(
        self,
        description: str,
        before: Sequence[PaperState],
        status: Status | None,
        starred: bool | None,
        what: str,
        *,
        queued: bool | None = None,
    ) -> StateOutcome:
        """Record the change for undo; ``queued``: None when written, else whether this
        change started a wait for the library."""
        change = StateChange(description, tuple(before), what)
        self.undo_stack.record(change)
        after = tuple(
            PaperState(
                b.id,
                status if status is not None else b.status,
                b.starred if starred is None else starred,
            )
            for b in before
        )
        return StateOutcome(
            description,
            tuple(before),
            after,
            change,
            queued=queued is not None,
            first_in_queue=bool(queued),
            subject=what,
        )

    def _queued_failed(
        self,
        outcome: StateOutcome,
        then: Callable[[StateOutcome, Exception], None] | None,
        exc: Exception,
    ) -> None:
        """A queued change could not be saved after all: it leaves the undo history (it
        never reached the library), and the front end is told to show the truth again."""
        if outcome.change is not None:
            self.undo_stack.discard(outcome.change)
        if then is not None:
            then(outcome, exc)

    def rename(self, paper_id: int, title: str) -> ChangeOutcome:
        """Give a paper a title of the user's choosing (one transaction), recorded for undo.
        ``ValueError`` for an empty title, ``UnknownPaperError`` for an unknown id."""
        old = self.store.get(paper_id, with_sources=False)
        self.store.rename(paper_id, title)
        new = self.store.get(paper_id, with_sources=False)
        if new.title == old.title and new.title_derived == old.title_derived:
            return ChangeOutcome("Renamed", (), short_title(new.title), None, (paper_id,))
        what = short_title(new.title)
        change = RenameChange("Renamed", paper_id, old.title, old.title_derived, what)
        self.undo_stack.record(change)
        return ChangeOutcome("Renamed", (paper_id,), what, change)

    # ------------------------------------------------------------------- tags
    def tag(
        self,
        ids: Sequence[int],
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        description: str | None = None,
    ) -> ChangeOutcome:
        """Add and remove tags on papers (one transaction, one undo step, however many
        papers and tags). ``TagNameError`` (a ``ValueError``) for a bad name and
        ``UnknownPaperError`` for an unknown id: nothing changed. A tag removed by hand is
        remembered: no rule puts it back on these papers."""
        ids = list(dict.fromkeys(ids))
        add = list(dict.fromkeys(clean_tag(n) for n in add))
        remove = list(dict.fromkeys(clean_tag(n) for n in remove))
        what = self.subject(ids)
        before = self.store.change_tags(ids, add, remove)
        after = {s.id: s for s in self.store.tag_snapshot(ids)}
        changed = tuple(s for s in before if after.get(s.id) != s)
        text = description or tag_description(add, remove)
        if not changed:
            return ChangeOutcome(text, (), what, None, tuple(ids))
        change = TagChange(text, changed, what)
        self.undo_stack.record(change)
        skipped = tuple(i for i in ids if i not in {s.id for s in changed})
        return ChangeOutcome(text, tuple(s.id for s in changed), what, change, skipped)

    def tag_counts(self) -> list[TagCount]:
        """Every tag with its number of papers (the trash not counted), by name."""
        return self.store.tag_counts()

    def tags_of(self, ids: Sequence[int]) -> dict[str, int]:
        """How many of these papers carry each tag (the picker's state for a selection)."""
        found: dict[str, int] = {}
        for state in self.store.tag_snapshot(list(ids)):
            for name in state.tags:
                found[name] = found.get(name, 0) + 1
        return found

    def rename_tag(self, old: str, new: str) -> tuple[int, bool]:
        """Rename tag ``old`` (merging it into ``new`` when that tag exists); rules and
        remembered removals follow. Returns (papers tagged, merged). Not undoable: it is a
        library-wide edit, like a rule. ``ValueError`` for an unknown or bad name."""
        return self.store.rename_tag(old, new)

    # ------------------------------------------------------------------ rules
    def rules(self) -> list[tuple[Rule, int]]:
        """Every rule with how many papers it selects now (those the user removed its tag
        from left out), in the order they apply."""
        return _rules_with_counts(self.store)

    def rules_job(self) -> list[tuple[Rule, int]]:
        """:meth:`rules` on a reader connection of its own (safe in a worker thread: each
        count is a scan of the library)."""
        reader = self.store.open_reader()
        try:
            return _rules_with_counts(reader)
        finally:
            reader.close()

    def add_rule(self, tag: str, query: str) -> tuple[Rule, int]:
        """Store a rule and tag every paper it selects now (one transaction). Returns the
        rule and how many papers it tagged. ``ValueError`` (nothing stored) for a bad tag
        name or query."""
        from readq import rules

        return rules.add(self.store, tag, query)

    def add_rule_job(self, tag: str, query: str) -> tuple[Rule, int]:
        """:meth:`add_rule` on a connection of its own (safe in a worker thread: a rule over
        a million papers takes seconds, which the TUI must not wait for)."""
        from readq import rules

        rules.check(tag, query)  # a bad rule fails before the library is opened
        with Store.open(self.store.path, migrate=False) as writer:
            return rules.add(writer, tag, query)

    def remove_rule(self, number: int) -> Rule | None:
        """Delete rule ``number``; the tags it gave stay. None: there is no such rule."""
        from readq import rules

        return rules.remove(self.store, number)

    def preview_rule(self, tag: str, query: str) -> tuple[int, list[Paper]]:
        """What a rule would tag if saved now: the count and the first papers (newest
        first). ``ValueError`` for a bad tag name or query."""
        from readq import rules

        name, parsed = rules.check(tag, query)
        count, ids = rules.matching(self.store, parsed, name)
        return count, self.store.get_many(ids, with_sources=False)

    def preview_rule_job(self, tag: str, query: str) -> tuple[int, list[Paper]]:
        """:meth:`preview_rule` on a reader connection of its own (safe in a worker thread:
        the rules screen previews as the user types)."""
        from readq import rules

        name, parsed = rules.check(tag, query)
        reader = self.store.open_reader()
        try:
            count, ids = rules.matching(reader, parsed, name)
            return count, reader.get_many(ids, with_sources=False)
        finally:
            reader.close()

    # ------------------------------------------------------------------ trash
    def delete(self, ids: Sequence[int]) -> ChangeOutcome:
        """Move papers to the trash (one transaction), recorded for undo (undo restores).
        Their state, note and history are kept until the trash is emptied. Raises
        ``UnknownPaperError`` (nothing changed) if an id is not in the library."""
        ids = list(dict.fromkeys(ids))
        what = self.subject(ids)
        moved = self.store.trash(ids)
        return self._trash_outcome("Moved to trash", ids, moved, trashed=True, fallback=what)

    def restore(self, ids: Sequence[int]) -> ChangeOutcome:
        """Bring papers back from the trash (one transaction), recorded for undo."""
        ids = list(dict.fromkeys(ids))
        what = self.subject(ids)
        back = self.store.restore_trashed(ids)
        return self._trash_outcome("Restored from trash", ids, back, trashed=False, fallback=what)

    def _trash_outcome(
        self, description: str, asked: list[int], moved: list[int], *, trashed: bool, fallback: str
    ) -> ChangeOutcome:
        skipped = tuple(i for i in asked if i not in set(moved))
        if not moved:
            return ChangeOutcome(description, (), fallback, None, skipped)
        what = fallback if len(moved) == len(asked) else self.subject(moved)
        change: Change = TrashChange(description, tuple(moved), trashed, what)
        self.undo_stack.record(change)
        return ChangeOutcome(description, tuple(moved), what, change, skipped)

    def trash(self) -> list[Paper]:
        """The papers in the trash, most recently deleted first."""
        return self.store.get_many(self.store.trashed_ids())

    def deleted_at(self, paper_id: int) -> str | None:
        """When the paper went to the trash (None: it is not in it)."""
        return self.store.deleted_at(paper_id)

    def empty_trash(self, ids: Sequence[int] | None = None) -> int:
        """Delete the papers in the trash for good (``ids``: only those), notes and history
        with them. Not undoable, so the front ends ask first. Undo steps that would bring
        them back are dropped."""
        gone = set(self.store.trashed_ids(ids))
        count = self.store.empty_trash(ids)
        if gone:
            self.undo_stack.forget(gone)
        return count

    # ------------------------------------------------------------------ notes
    def note(self, paper_id: int) -> tuple[str, int | None]:
        """A paper's note and the id of its current revision (the base of the next save)."""
        return self.store.note_state(paper_id)

    def note_history(self, paper_id: int) -> list[NoteRevision]:
        """Every kept revision of a paper's note, newest first."""
        return self.store.note_revisions(paper_id)

    def save_note(
        self, paper_id: int, text: str, *, base_revision: int | None, kind: str = "external"
    ) -> NoteSaveResult:
        """Save a note written outside a TUI editing session (``readq note``), in one
        transaction; a save since ``base_revision`` is kept as a conflict revision."""
        return self.store.save_note(paper_id, text, base_revision=base_revision, kind=kind)

    def append_note(self, paper_id: int, text: str) -> NoteSaveResult:
        """Add ``text`` to a paper's note as a new paragraph."""
        current, revision = self.store.note_state(paper_id)
        joined = f"{current.rstrip()}\n\n{text}" if current.strip() else text
        return self.save_note(paper_id, joined, base_revision=revision)

    def record_note_edit(self, paper_id: int, before: str) -> None:
        """An editing session changed a note: one undo step puts ``before`` back."""
        self.undo_stack.record(
            NoteChange("Edited the note", paper_id, before, self.subject([paper_id]))
        )

    def drafts(self, data_dir: Path | None) -> Drafts:
        """The note drafts of a front end that saves notes as they are typed (the TUI's
        editor): autosave, conflicts, retries and recovery files (:class:`Drafts`). Each
        editing session that changed a note becomes one undo step here."""
        return Drafts(self.store, data_dir, on_session_saved=self.record_note_edit)

    # -------------------------------------------------------------- undo/redo
    def writes_settled(self, timeout: float = SETTLE_SECONDS) -> bool:
        """Whether the queued writes are all saved (waiting up to ``timeout`` seconds)."""
        return self.writer.wait_idle(timeout)

    def undo(self) -> UndoOutcome:
        """Reverse the last change (after the queued writes, which it may reverse)."""
        return self._reverse("undo", self.undo_stack.undo)

    def redo(self) -> UndoOutcome:
        """Apply again the last undone change."""
        return self._reverse("redo", self.undo_stack.redo)

    def _reverse(self, verb: str, step: Callable[[Store], object]) -> UndoOutcome:
        if not self.writes_settled():
            return UndoOutcome(verb, waiting=True)
        try:
            change = step(self.store)
        except UnknownPaperError as exc:
            # The paper is gone for good (another process emptied the trash): this step can
            # never apply again, so it leaves the history instead of failing at every press.
            stack = self.undo_stack.undo_stack if verb == "undo" else self.undo_stack.redo_stack
            if stack:
                stack.pop()
            return UndoOutcome(verb, error=exc)
        except (sqlite3.Error, StoreError) as exc:
            return UndoOutcome(verb, error=exc)  # the change stays where it was
        assert change is None or isinstance(
            change,
            StateChange
            | NoteChange
            | TrashChange
            | RenameChange
            | QueueChange
            | TagChange
            | DismissChange,
        )
        return UndoOutcome(verb, change)

    # ------------------------------------------------------------------- jobs
    def ingest(
        self,
        paths: Sequence[str],
        *,
        listing_year: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[FileReport]:
        """Ingest listing files (one transaction each); a failing file does not stop the
        others. Re-ingest never touches the user's state."""
        from readq.ingest import ingest_paths

        return ingest_paths(self.store, paths, listing_year=listing_year, progress=progress)

    # --------------------------------------------------------------- discover
    @property
    def discover(self) -> DiscoverService:
        """Related papers and the recommended order (built the first time they are asked)."""
        if self._discover is None:
            from readq.library.discovery import DiscoverService

            self._discover = DiscoverService(self.store)
        return self._discover

    def related(
        self, paper_id: int, limit: int = 10, engine: SearchEngine | None = None
    ) -> RelatedOutcome:
        """The papers most like ``paper_id``, each with ``because``."""
        return self.discover.related(paper_id, limit, engine)

    def recommended(
        self,
        *,
        status: Status | None = None,
        starred: bool | None = None,
        query: str | None = None,
        limit: int | None = None,
        engine: SearchEngine | None = None,
    ) -> RecommendedOutcome:
        """Papers ranked by the user's stars (date order until enough are starred)."""
        return self.discover.recommended(
            status=status, starred=starred, query=query, limit=limit, engine=engine
        )

    def _ranked_queue(self, queue: list[int], engine: SearchEngine | None) -> list[int]:
        """The queue in the recommended order (the "for you" sort over the to-read papers):
        ranked papers first, the rest keeping their queue order (date added order until
        enough papers are starred)."""
        outcome = self.recommended(status=Status.TO_READ, engine=engine)
        queued = set(queue)
        ranked = [s.paper.id for s in outcome.papers if s.paper.id in queued]
        seen = set(ranked)
        return ranked + [pid for pid in queue if pid not in seen]

    def dismiss(
        self,
        ids: Sequence[int],
        dismissed: bool = True,
        *,
        queue_when_busy: bool = False,
        on_queued_failure: Callable[[Exception], None] | None = None,
    ) -> ChangeOutcome:
        """Say "not interested" in papers (a negative label for the recommended order), or
        take it back (``dismissed=False``); one transaction. Status and star are untouched.
        ``queue_when_busy`` (the TUI): if another process holds the lock, the background
        writer saves it when it can (``on_queued_failure`` if it cannot)."""
        ids = list(dict.fromkeys(ids))
        what = self.subject(ids)
        description = "Not interested" if dismissed else "Interested again"

        def write(target: Store) -> list[int]:
            return target.set_dismissed(ids, dismissed)

        if not queue_when_busy:
            changed = write(self.store)
        else:
            try:
                with self.store.busy_timeout(FAST_BUSY_TIMEOUT_MS):
                    changed = write(self.store)
            except (sqlite3.Error, StoreError) as exc:
                if not is_busy(exc):
                    raise
                self.writer.submit(write, on_queued_failure or (lambda _exc: None))
                return ChangeOutcome(description, tuple(ids), what, None)
        skipped = tuple(i for i in ids if i not in set(changed))
        if not changed:
            return ChangeOutcome(description, (), what, None, skipped)
        if len(changed) != len(ids):
            what = self.subject(changed)
        change = DismissChange(description, tuple(changed), dismissed, what)
        self.undo_stack.record(change)
        return ChangeOutcome(description, tuple(changed), what, change, skipped)

    def dismissed(self, ids: Sequence[int] | None = None) -> set[int]:
        """The papers marked "not interested" (of ``ids``, or all)."""
        return self.store.dismissed_ids(ids)

    def prepare_index(self) -> None:
        """Before a command commits papers: an empty library gets a saved (empty) search
        index, so that a crash after the commit leaves one the next start catches up from."""
        from readq.search import upkeep

        upkeep.prepare(self.store)

    def update_index(self) -> None:
        """After a command committed papers: bring the saved search index up to date in the
        same command, so that the next ``readq`` or ``readq list --query`` loads it instead of
        building it (see :mod:`readq.search.upkeep`). A failed save never fails the command."""
        from readq.search import upkeep

        upkeep.update(self.store)

    def import_file(self, path: str, fmt: str | None = None) -> ImportReport:
        """Import a readq JSON export, a BibTeX file or an Atom feed (one transaction)."""
        from readq.importers import import_path

        return import_path(self.store, path, fmt)

    def export(
        self,
        ids: Sequence[int] | None,
        fmt: str,
        target: str | os.PathLike[str] | TextIO | None,
    ) -> ExportResult:
        """Write these papers (None: all) in a format (``target``: a path, a directory or a
        stream; None: standard output)."""
        from readq.export import export_papers

        return export_papers(self.store, ids, fmt, target)

    def backup(self, target: Path) -> tuple[Path, int]:
        """Write a verified copy of the library; returns where and how many papers."""
        written = self.store.backup(target)
        return written, self.store.count()

    # ------------------------------------------------------------------ sync
    def sync(
        self,
        folder: str | None = None,
        *,
        backup_dir: Path | None = None,
        device_name: str | None = None,
    ) -> SyncResult:
        """Sync with ``folder`` (remembered the first time) or the remembered folder.

        Before the first sync joins a folder other devices already use, the library is
        backed up to ``backup_dir``. Raises ``SyncError``/``SyncFolderError`` with one line
        for the user; corrupt entries in the folder are listed in the result, not raised."""
        return _sync_on(self.store, folder, backup_dir, device_name)

    def sync_job(self, backup_dir: Path | None = None) -> SyncResult:
        """Sync with the remembered folder on a connection of its own (safe in a worker
        thread: the TUI's start-up, debounced and periodic syncs). The failure, if any, is
        remembered for ``sync_status`` and raised."""
        from readq.sync import SyncError
        from readq.sync.engine import record_problem
        from readq.sync.folder import SyncFolderError

        with Store.open(self.store.path, migrate=False) as writer:
            try:
                return _sync_on(writer, None, backup_dir, None)
            except (SyncError, SyncFolderError, OSError) as exc:
                message = str(exc) if not isinstance(exc, OSError) else f"sync: {exc}"
                with contextlib.suppress(sqlite3.Error):
                    record_problem(writer, message)
                raise

    def sync_status(self) -> SyncStatus:
        """The folder, this device, the other devices seen and the changes not yet sent."""
        from readq.sync import sync_status

        return sync_status(self.store)

    def sync_folder(self) -> str | None:
        """The folder this library syncs through (None: sync is not set up)."""
        from readq.sync.engine import remembered_folder

        return remembered_folder(self.store)

    def ingest_job(self, path: str | None, text: str | None) -> list[FileReport]:
        """Ingest a file (or pasted text) on a connection of its own: safe in a worker
        thread (a store is single-threaded). Raises what the ingest raises."""
        from readq.ingest import ingest_paths, ingest_text

        with Store.open(self.store.path, migrate=False) as writer:
            if path is not None:
                return ingest_paths(writer, [path])
            return [ingest_text(writer, text or "")]

    def add_job(self, refs: Sequence[str]) -> Report:
        """Fetch papers by arXiv id or link from the arXiv API and store them, on a connection
        of its own (safe in a worker thread); a failure is the report, never an exception."""
        from readq.arxiv_api import ArxivApiError, add_papers

        try:
            with Store.open(self.store.path, migrate=False) as writer:
                report = add_papers(writer, refs)
        except (ArxivApiError, ValueError) as exc:
            return Report(f"Nothing added: {exc}", Level.ERROR)
        return add_report(report)

    def export_job(
        self, select: Callable[[Store], Sequence[int]], fmt: str, target: str
    ) -> ExportResult:
        """Export the ids ``select(reader)`` gives, on a reader connection of its own (safe in
        a worker thread)."""
        from readq.export import export_papers

        reader = self.store.open_reader()
        try:
            return export_papers(reader, list(select(reader)), fmt, target)
        finally:
            reader.close()
