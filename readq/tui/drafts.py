"""The app's keeper of note drafts: autosave timers, flushes, signals, ``$EDITOR``.

The drafts live here, in app state, not in a widget: a draft must outlive the editor screen
(a failed save keeps retrying after the screen is closed) and must be reachable from the
SIGTERM/SIGHUP handlers, which run when the widget tree may already be gone. The decisions
(when to write, conflicts, retries, recovery files) are made by :class:`readq.notes.NoteSession`;
this module only adds Textual timers, notifications and the signal wiring.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from typing import TYPE_CHECKING, Any

from textual.timer import Timer

from readq.notes import SAVE_ERRORS, NoteSession, RetryPolicy, SaveOutcome, SaveStatus
from readq.store import Store

if TYPE_CHECKING:
    from textual.app import App

HANDLED_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGHUP)
"""Signals that flush every draft, restore the terminal and exit with 128 + the signal."""

AUTOSAVE_BUSY_MS = 250
"""How long an autosave waits for another writer's lock before failing (and retrying)."""

CLOSE_BUSY_MS = 500
"""How long closing the editor waits for another writer's lock (the UI waits with it). A draft
not written by then stays here and is retried like an autosave, after the screen is gone."""

SIGNAL_BUSY_MS = 3000
"""On SIGTERM/SIGHUP, how long the final write waits for another writer's lock (the draft is
already in its recovery file by then)."""


class NoteKeeper:
    """Every open note draft of one app, keyed by paper id, and their autosave timer."""

    def __init__(
        self,
        app: App[Any],
        store: Store,
        data_dir: os.PathLike[str] | str | None,
        *,
        on_saved: Callable[[int], None] | None = None,
        on_session_saved: Callable[[int, str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from pathlib import Path

        self.app = app
        self.store = store
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.on_saved = on_saved
        self.on_session_saved = on_session_saved
        """Called with (paper id, the text before the session) once an editing session that
        changed the note is closed and in the library: one undo step per session."""
        self.clock = clock
        self._closed: set[int] = set()
        self.sessions: dict[int, NoteSession] = {}
        self.signalled: int | None = None
        self.retry = RetryPolicy()
        """The retry policy given to new sessions (tests shorten it)."""
        self._timer: Timer | None = None
        self._installed: list[tuple[signal.Signals, Any]] = []

    # ---------------------------------------------------------------- sessions
    def open(self, paper_id: int) -> NoteSession:
        """The draft of ``paper_id`` (an unsaved one still in memory, else a fresh session).

        Other drafts are flushed first: switching paper never leaves text unwritten.
        """
        for other in list(self.sessions):
            if other != paper_id:
                with self._busy_timeout(CLOSE_BUSY_MS):  # one still waiting keeps retrying
                    self.flush(other)
        self._closed.discard(paper_id)  # being edited again: the session goes on
        session = self.sessions.get(paper_id)
        if session is None:
            session = NoteSession.open(
                self.store, paper_id, data_dir=self.data_dir, retry=self.retry
            )
            self.sessions[paper_id] = session
            if session.recovered is not None:
                stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(session.recovered.mtime))
                self.app.notify(
                    f"Recovered a draft of this note that was not saved ({stamp}, from "
                    f"{session.recovered.path}): readq stopped before saving it, or the "
                    "library could not be written. It is the text now; the saved text stays "
                    "in the history (ctrl+r).",
                    title="Unsaved draft recovered",
                    severity="warning",
                    timeout=12,
                    markup=False,
                )
                self._schedule()
        return session

    def edited(self, paper_id: int, text: str) -> None:
        """The user changed the draft of ``paper_id``; (re)arm the autosave."""
        session = self.sessions.get(paper_id)
        if session is None:
            session = self.open(paper_id)
        session.edit(text, self.clock())
        session.keep_draft()  # on disk now: the database save waits for a pause in typing
        self._schedule()

    def close(self, paper_id: int) -> SaveOutcome:
        """The editor of ``paper_id`` is closing: write it now. A draft that could not be
        written stays here (and keeps retrying); a saved one is forgotten."""
        with self._busy_timeout(CLOSE_BUSY_MS):
            outcome = self.flush(paper_id)
        session = self.sessions.get(paper_id)
        if session is not None:
            self._closed.add(paper_id)
            self._end_if_saved(paper_id)
        return outcome

    def _end_if_saved(self, paper_id: int) -> None:
        """A closed session whose draft is in the library ends here: forgotten, and if it
        changed the note, reported once to ``on_session_saved`` (for undo). A closed session
        still waiting to be written ends when a retry writes it."""
        session = self.sessions.get(paper_id)
        if session is None or paper_id not in self._closed or session.unsaved:
            return
        del self.sessions[paper_id]
        self._closed.discard(paper_id)
        if session.saved_text != session.opened_text and self.on_session_saved is not None:
            self.on_session_saved(paper_id, session.opened_text)

    @property
    def unsaved(self) -> bool:
        """Whether any draft holds text the library does not have."""
        return any(s.unsaved for s in self.sessions.values())

    # ------------------------------------------------------------------ saving
    def flush(self, paper_id: int, *, force: bool = True) -> SaveOutcome:
        """Write the draft of ``paper_id`` now (synchronously) and report the outcome."""
        session = self.sessions.get(paper_id)
        if session is None:
            return SaveOutcome(SaveStatus.CLEAN)
        if self.signalled is not None:  # shutting down: the draft is in its recovery file
            with self._busy_timeout(SIGNAL_BUSY_MS):
                outcome = session.flush(self.store, self.clock(), force=force)
        else:
            outcome = session.flush(self.store, self.clock(), force=force)
        self._report(paper_id, outcome)
        self._schedule()
        return outcome

    def flush_all(self) -> bool:
        """Write every draft now; True if all of them are in the library."""
        ok = True
        for paper_id in list(self.sessions):
            try:
                outcome = self.flush(paper_id)
            except Exception:  # one bad draft must not stop the others being written
                ok = False
                continue
            ok = ok and outcome.status is not SaveStatus.FAILED
        return ok

    def _tick(self) -> None:
        self._timer = None
        now = self.clock()
        for paper_id, session in list(self.sessions.items()):
            if session.due(now):
                with self._busy_timeout(AUTOSAVE_BUSY_MS):
                    outcome = session.flush(self.store, now)
                self._report(paper_id, outcome)
                self._end_if_saved(paper_id)
        self._schedule()

    def _busy_timeout(self, milliseconds: int) -> AbstractContextManager[None]:
        """Wait at most ``milliseconds`` for another writer's lock inside the block.

        Autosaves run on the UI thread: while another writer holds the library (a long
        ingest), they wait ``AUTOSAVE_BUSY_MS`` rather than the full busy timeout, so typing
        never freezes; the save is retried with backoff. Explicit flushes keep the full one.
        The store owns the timeout (and its PRAGMA)."""
        return self.store.busy_timeout(milliseconds)

    def _schedule(self) -> None:
        deadlines = [d for s in self.sessions.values() if (d := s.next_deadline()) is not None]
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not deadlines or self.signalled is not None:
            return
        wait = max(0.01, min(deadlines) - self.clock())  # a 0 s Textual timer never fires
        try:
            self._timer = self.app.set_timer(wait, self._tick, name="note-autosave")
        except Exception:  # no running app (shutting down): the exit flush writes it
            self._timer = None

    def _report(self, paper_id: int, outcome: SaveOutcome) -> None:
        message = outcome.message
        if outcome.status in (SaveStatus.SAVED, SaveStatus.CONFLICT) and self.on_saved:
            self.on_saved(paper_id)
        if message is None:
            return
        if outcome.status is SaveStatus.CONFLICT:
            self._notify(message, "Note conflict", "warning", 12)
        elif outcome.status is SaveStatus.SAVED:  # after failed attempts: say it is in now
            self._notify(message, "Note saved", "information", 3)
        elif outcome.busy:
            # Another writer (an ingest) holds the library: say so once, not at every retry.
            if outcome.failures == 1:
                self._notify(message, "Note waiting", "warning", 8)
        else:
            self._notify(message, "Note not saved", "error", 8)

    def _notify(self, message: str, title: str, severity: str, timeout: float) -> None:
        try:
            self.app.notify(
                message,
                title=title,
                severity=severity,  # type: ignore[arg-type]
                timeout=timeout,
                markup=False,
            )
        except Exception:  # the app may be gone (signal, exit): the outcome still stands
            return

    # ---------------------------------------------------------------- restore
    def restore(self, paper_id: int, revision_id: int) -> SaveOutcome:
        """Make an old revision current (a new ``restore`` revision); the draft follows it.

        The draft is written first, so what was being typed is in the history too.
        """
        outcome = self.flush(paper_id)
        if outcome.status is SaveStatus.FAILED:
            return outcome
        try:
            result = self.store.restore_note_revision(revision_id)
        except SAVE_ERRORS as exc:
            failed = SaveOutcome(SaveStatus.FAILED, error=str(exc) or type(exc).__name__)
            self._notify(f"Could not restore the revision: {failed.error}", "Note", "error", 8)
            return failed
        session = self.sessions.get(paper_id)
        if session is not None:
            session.reload(self.store)
        if self.on_saved:
            self.on_saved(paper_id)
        return SaveOutcome(SaveStatus.SAVED, revision_id=result.revision_id)

    # ---------------------------------------------------------------- $EDITOR
    def edit_external(
        self,
        paper_id: int,
        suspend: Callable[[], AbstractContextManager[object]],
        edit: Callable[[str], str] | None = None,
    ) -> str | None:
        """Open the draft in ``$VISUAL`` / ``$EDITOR`` with the app suspended; save what the
        editor wrote. Returns the new text, or None if nothing was changed (told to the user).
        """
        from readq.editor import EditorError, edit_text

        run = edit if edit is not None else edit_text
        session = self.open(paper_id)
        self.flush(paper_id)
        try:
            with suspend():
                new_text = run(session.text)
        except EditorError as exc:
            self._notify(str(exc), "Editor", "error", 8)
            return None
        except Exception as exc:  # SuspendNotSupported and friends
            self._notify(f"Cannot open an external editor here: {exc}", "Editor", "error", 8)
            return None
        session.edit(new_text, self.clock())
        self.flush(paper_id)
        return new_text

    # ----------------------------------------------------------------- signals
    def install_signal_handlers(self, on_signal: Callable[[int], None] | None = None) -> None:
        """Flush drafts on SIGTERM and SIGHUP, restore the terminal, exit 128 + signal.

        Call from ``on_mount``, on the main thread. The handlers are plain ``signal.signal``
        ones, not the event loop's: they run on the main thread even while the event loop is
        blocked (the loop's own handlers then never ran, and nothing ended the process). They
        call ``on_signal(signum)`` at once (the app arms its bounded exit there; it must be
        safe in a signal handler) and queue :meth:`handle_signal` on the loop, where the store
        lives. Does nothing where that is not supported.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if threading.current_thread() is not threading.main_thread():
            return

        def handler(signum: int, _frame: object) -> None:
            if on_signal is not None:
                on_signal(signum)
            try:
                loop.call_soon_threadsafe(self.handle_signal, signum)
            except RuntimeError:  # the app's loop is gone: act as if never installed
                self.remove_signal_handlers()
                signal.raise_signal(signum)

        for sig in HANDLED_SIGNALS:
            try:
                previous = signal.signal(sig, handler)
            except (OSError, RuntimeError, ValueError):
                continue
            self._installed.append((sig, previous))

    def remove_signal_handlers(self) -> None:
        """Undo :meth:`install_signal_handlers`."""
        for sig, previous in self._installed:
            with suppress(OSError, RuntimeError, ValueError, TypeError):
                signal.signal(sig, previous)
        self._installed.clear()

    def handle_signal(self, signum: int) -> None:
        """Write every draft synchronously, then exit the app with status 128 + ``signum``.

        A draft the library refuses is already in its recovery file. Runs on the UI thread;
        what bounds the exit when it cannot run or finish is the app's (``ExitGuard``).
        """
        if self.signalled is not None:
            return
        self.signalled = signum
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        code = 128 + signum
        for session in self.sessions.values():
            if session.unsaved:  # first a local copy: the sender may not wait for the library
                session.keep_copy()
        with suppress(*SAVE_ERRORS):
            self.flush_all()
        self.app.exit(return_code=code)
