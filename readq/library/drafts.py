"""The note-draft policy of a front end: which drafts are open, when each is written, how long
a write may wait for another writer's lock, and what the user is told.

A draft outlives its editor (a failed save keeps retrying after the editor is closed) and must
be writable from a signal handler when the widget tree is gone, so it lives here, in plain
state, not in a widget. Nothing here waits, sleeps or runs a timer: the front end calls
:meth:`Drafts.edit` on every change and :meth:`Drafts.tick` when :meth:`Drafts.next_deadline`
comes (the TUI with one Textual timer), and renders the :class:`DraftOutcome` values it gets
back. The decisions for one draft (debounce, conflicts, retries, recovery files) are
:class:`readq.notes.NoteSession`'s; this module holds every session of one app together.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from readq.library.outcomes import Level
from readq.notes import SAVE_ERRORS, RetryPolicy, SaveOutcome, SaveStatus
from readq.notes import NoteSession as NoteSession
from readq.store import Store

AUTOSAVE_BUSY_MS = 250
"""How long an autosave waits for another writer's lock before failing (and retrying): it
runs on the UI thread, so typing never freezes behind a long ingest."""

CLOSE_BUSY_MS = 500
"""How long closing the editor waits for another writer's lock (the UI waits with it). A draft
not written by then stays open here and is retried like an autosave, after the editor is gone."""

SIGNAL_BUSY_MS = 3000
"""On SIGTERM/SIGHUP, how long the final write waits for another writer's lock (the draft is
already in its recovery file by then)."""


@dataclass(frozen=True, slots=True)
class DraftNotice:
    """Something the user should be told about a draft (plain text, never markup)."""

    title: str
    text: str
    level: Level
    seconds: float
    """How long a toast showing it should stay."""


@dataclass(frozen=True, slots=True)
class DraftOutcome:
    """What one write of one draft did, and what to tell the user about it."""

    paper_id: int
    save: SaveOutcome
    notice: DraftNotice | None = None

    @property
    def stored(self) -> bool:
        """Whether the library's note changed (a front end refreshes what shows it)."""
        return self.save.status in (SaveStatus.SAVED, SaveStatus.CONFLICT)


@dataclass(frozen=True, slots=True)
class OpenedDraft:
    """A draft opened for editing: its session, the writes of the other drafts that opening
    it made, and a notice when an unsaved draft from an earlier run was recovered."""

    session: NoteSession
    flushed: tuple[DraftOutcome, ...] = ()
    notice: DraftNotice | None = None


def notice_for(save: SaveOutcome) -> DraftNotice | None:
    """What to tell the user about one write, or None. A write that met another writer's lock
    is said once per wait (at the first failure), not at every retry."""
    message = save.message
    if message is None:
        return None
    if save.status is SaveStatus.CONFLICT:
        return DraftNotice("Note conflict", message, Level.WARNING, 12)
    if save.status is SaveStatus.SAVED:  # after failed attempts: say it is in now
        return DraftNotice("Note saved", message, Level.OK, 3)
    if save.busy:
        if save.failures == 1:
            return DraftNotice("Note waiting", message, Level.WARNING, 8)
        return None
    return DraftNotice("Note not saved", message, Level.ERROR, 8)


def recovered_notice(session: NoteSession) -> DraftNotice | None:
    """The notice for a draft recovered from an earlier run's recovery file, or None."""
    found = session.recovered
    if found is None:
        return None
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(found.mtime))
    return DraftNotice(
        "Unsaved draft recovered",
        f"Recovered a draft of this note that was not saved ({stamp}, from {found.path}): "
        "readq stopped before saving it, or the library could not be written. It is the text "
        "now; the saved text stays in the history (ctrl+r).",
        Level.WARNING,
        12,
    )


class Drafts:
    """Every open note draft of one front end, keyed by paper id.

    ``on_session_saved(paper_id, before)`` is called once an editing session that changed the
    note is closed and in the library (the library records one undo step per session).
    """

    def __init__(
        self,
        store: Store,
        data_dir: Path | None,
        *,
        on_session_saved: Callable[[int, str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.data_dir = data_dir
        self.on_session_saved = on_session_saved
        self.clock = clock
        self.sessions: dict[int, NoteSession] = {}
        self.retry = RetryPolicy()
        """The retry policy given to new sessions (tests shorten it)."""
        self.signalled: int | None = None
        """The signal that is ending the app, once one is: no more autosaves, longer waits."""
        self._closed: set[int] = set()

    # ---------------------------------------------------------------- sessions
    def open(self, paper_id: int) -> OpenedDraft:
        """The draft of ``paper_id`` (an unsaved one still here, else a fresh session).

        Other drafts are written first: switching paper never leaves text unwritten. One
        still waiting for the library stays open and keeps retrying.
        """
        flushed = tuple(
            self._flush(other, CLOSE_BUSY_MS) for other in list(self.sessions) if other != paper_id
        )
        self._closed.discard(paper_id)  # being edited again: the session goes on
        session = self.sessions.get(paper_id)
        notice = None
        if session is None:
            session = NoteSession.open(
                self.store, paper_id, data_dir=self.data_dir, retry=self.retry
            )
            self.sessions[paper_id] = session
            notice = recovered_notice(session)
        return OpenedDraft(session, flushed, notice)

    def edit(self, paper_id: int, text: str) -> OpenedDraft | None:
        """The user changed the draft of ``paper_id`` to ``text``. The draft file follows at
        once; the library write waits for :meth:`tick` after a pause in typing. Returns the
        opening when the draft was not open yet."""
        opened = None
        session = self.sessions.get(paper_id)
        if session is None:
            opened = self.open(paper_id)
            session = opened.session
        session.edit(text, self.clock())
        session.keep_draft()
        return opened

    def replace(self, paper_id: int, text: str) -> DraftOutcome:
        """The draft becomes ``text`` (an external editor wrote it) and is written now."""
        session = self.sessions.get(paper_id) or self.open(paper_id).session
        session.edit(text, self.clock())
        return self.flush(paper_id)

    def close(self, paper_id: int) -> DraftOutcome:
        """The editor of ``paper_id`` is closing: write the draft now. One that could not be
        written stays open (and keeps retrying); a written one ends here."""
        outcome = self._flush(paper_id, CLOSE_BUSY_MS)
        if paper_id in self.sessions:
            self._closed.add(paper_id)
            self._end_if_saved(paper_id)
        return outcome

    @property
    def unsaved(self) -> bool:
        """Whether any draft holds text the library does not have."""
        return any(s.unsaved for s in self.sessions.values())

    def next_deadline(self) -> float | None:
        """When :meth:`tick` should next run (the clock's seconds), or None: nothing pending,
        or the app is ending (its exit writes every draft)."""
        if self.signalled is not None:
            return None
        deadlines = [d for s in self.sessions.values() if (d := s.next_deadline()) is not None]
        return min(deadlines) if deadlines else None

    # ------------------------------------------------------------------ saving
    def tick(self, now: float | None = None) -> list[DraftOutcome]:
        """Write every draft that is due at ``now`` (default: the clock), waiting at most
        ``AUTOSAVE_BUSY_MS`` for another writer's lock each."""
        when = self.clock() if now is None else now
        outcomes = []
        for paper_id, session in list(self.sessions.items()):
            if session.due(when):
                with self.store.busy_timeout(AUTOSAVE_BUSY_MS):
                    save = session.flush(self.store, when)
                outcomes.append(DraftOutcome(paper_id, save, notice_for(save)))
                self._end_if_saved(paper_id)
        return outcomes

    def flush(self, paper_id: int, *, force: bool = True) -> DraftOutcome:
        """Write the draft of ``paper_id`` now, with the store's full busy timeout."""
        return self._flush(paper_id, None, force=force)

    def flush_all(self) -> tuple[bool, list[DraftOutcome]]:
        """Write every draft now; whether all are in the library, and each write's outcome."""
        ok = True
        outcomes = []
        for paper_id in list(self.sessions):
            try:
                outcome = self.flush(paper_id)
            except Exception:  # one bad draft must not stop the others being written
                ok = False
                continue
            outcomes.append(outcome)
            ok = ok and outcome.save.status is not SaveStatus.FAILED
        return ok, outcomes

    def shutdown(self, signum: int) -> list[DraftOutcome] | None:
        """A signal is ending the app: first a recovery copy of every unsaved draft (the
        sender may not wait for the library), then write them all. None if already done."""
        if self.signalled is not None:
            return None
        self.signalled = signum
        for session in self.sessions.values():
            if session.unsaved:
                session.keep_copy()
        outcomes: list[DraftOutcome] = []
        with suppress(*SAVE_ERRORS):
            outcomes = self.flush_all()[1]
        return outcomes

    def restore(self, paper_id: int, revision_id: int) -> list[DraftOutcome]:
        """Make an old revision current (a new ``restore`` revision); the draft follows it.

        The draft is written first, so what was being typed is in the history too. Returns
        that write's outcome, then the restore's (last; absent when the first write failed).
        """
        first = self.flush(paper_id)
        if first.save.status is SaveStatus.FAILED:
            return [first]
        try:
            result = self.store.restore_note_revision(revision_id)
        except SAVE_ERRORS as exc:
            failed = SaveOutcome(SaveStatus.FAILED, error=str(exc) or type(exc).__name__)
            text = f"Could not restore the revision: {failed.error}"
            return [
                first,
                DraftOutcome(paper_id, failed, DraftNotice("Note", text, Level.ERROR, 8)),
            ]
        session = self.sessions.get(paper_id)
        if session is not None:
            session.reload(self.store)
        restored = SaveOutcome(SaveStatus.SAVED, revision_id=result.revision_id)
        return [first, DraftOutcome(paper_id, restored)]

    # --------------------------------------------------------------- internals
    def _flush(self, paper_id: int, busy_ms: int | None, *, force: bool = True) -> DraftOutcome:
        session = self.sessions.get(paper_id)
        if session is None:
            return DraftOutcome(paper_id, SaveOutcome(SaveStatus.CLEAN))
        if self.signalled is not None:  # ending: the draft is in its recovery file already
            busy_ms = SIGNAL_BUSY_MS
        with self._waiting(busy_ms):
            save = session.flush(self.store, self.clock(), force=force)
        return DraftOutcome(paper_id, save, notice_for(save))

    @contextmanager
    def _waiting(self, busy_ms: int | None) -> Iterator[None]:
        """Inside the block a write waits ``busy_ms`` for another writer's lock (the store
        owns the timeout and its PRAGMA); None keeps the store's own."""
        if busy_ms is None:
            yield
            return
        with self.store.busy_timeout(busy_ms):
            yield

    def _end_if_saved(self, paper_id: int) -> None:
        """A closed session whose draft is in the library ends: forgotten, and if it changed
        the note, reported once to ``on_session_saved``. A closed session still waiting to
        be written ends when a retry writes it."""
        session = self.sessions.get(paper_id)
        if session is None or paper_id not in self._closed or session.unsaved:
            return
        del self.sessions[paper_id]
        self._closed.discard(paper_id)
        if session.saved_text != session.opened_text and self.on_session_saved is not None:
            self.on_session_saved(paper_id, session.opened_text)
