"""The TUI's side of note drafts: the autosave timer, toasts, ``$EDITOR`` and the signals.

The policy (which drafts are open, when each is written, how long a write waits for another
writer, what to say) belongs to :class:`readq.library.drafts.Drafts`; this module only runs its
:meth:`~readq.library.drafts.Drafts.tick` on a Textual timer, shows its outcomes as toasts,
suspends the app for an external editor, and wires SIGTERM/SIGHUP to a flush of every draft
(the handlers run when the widget tree may already be gone, so the drafts live in app state).
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, suppress
from typing import TYPE_CHECKING, Any

from textual.timer import Timer

from readq.library.drafts import DraftNotice, DraftOutcome, Drafts, NoteSession, OpenedDraft
from readq.library.outcomes import Level
from readq.note_values import RetryPolicy, SaveOutcome

if TYPE_CHECKING:
    from textual.app import App

HANDLED_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGHUP)
"""Signals that flush every draft, restore the terminal and exit with 128 + the signal."""


class NoteKeeper:
    """Every open note draft of one app (kept by :class:`Drafts`) and their autosave timer."""

    def __init__(
        self,
        app: App[Any],
        drafts: Drafts,
        *,
        on_saved: Callable[[int], None] | None = None,
    ) -> None:
        self.app = app
        self.drafts = drafts
        self.on_saved = on_saved
        """Called with the paper id whenever its note in the library changed."""
        self._timer: Timer | None = None
        self._installed: list[tuple[signal.Signals, Any]] = []

    @property
    def sessions(self) -> dict[int, NoteSession]:
        """The open drafts, by paper id."""
        return self.drafts.sessions

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy given to new drafts."""
        return self.drafts.retry

    @retry.setter
    def retry(self, policy: RetryPolicy) -> None:
        self.drafts.retry = policy

    @property
    def signalled(self) -> int | None:
        """The signal ending the app, once one is."""
        return self.drafts.signalled

    @property
    def unsaved(self) -> bool:
        """Whether any draft holds text the library does not have."""
        return self.drafts.unsaved

    # ---------------------------------------------------------------- sessions
    def open(self, paper_id: int) -> NoteSession:
        """The draft of ``paper_id``; other drafts are written first."""
        return self._opened(self.drafts.open(paper_id))

    def edited(self, paper_id: int, text: str) -> None:
        """The user changed the draft of ``paper_id``; (re)arm the autosave."""
        opened = self.drafts.edit(paper_id, text)
        if opened is not None:
            self._opened(opened)
        self._schedule()

    def close(self, paper_id: int) -> SaveOutcome:
        """The editor of ``paper_id`` is closing: write it now (see :meth:`Drafts.close`)."""
        return self._one(self.drafts.close(paper_id))

    def flush(self, paper_id: int, *, force: bool = True) -> SaveOutcome:
        """Write the draft of ``paper_id`` now (synchronously) and report the outcome."""
        return self._one(self.drafts.flush(paper_id, force=force))

    def flush_all(self) -> bool:
        """Write every draft now; True if all of them are in the library."""
        ok, outcomes = self.drafts.flush_all()
        self._show(outcomes)
        return ok

    def restore(self, paper_id: int, revision_id: int) -> SaveOutcome:
        """Make an old revision current; the draft follows it (see :meth:`Drafts.restore`)."""
        outcomes = self.drafts.restore(paper_id, revision_id)
        self._show(outcomes)
        self._schedule()
        return outcomes[-1].save

    # ------------------------------------------------------------------ timer
    def _tick(self) -> None:
        self._timer = None
        self._show(self.drafts.tick())
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        deadline = self.drafts.next_deadline()
        if deadline is None:
            return
        wait = max(0.01, deadline - self.drafts.clock())  # a 0 s Textual timer never fires
        try:
            self._timer = self.app.set_timer(wait, self._tick, name="note-autosave")
        except Exception:  # no running app (shutting down): the exit flush writes it
            self._timer = None

    # ---------------------------------------------------------------- showing
    def _opened(self, opened: OpenedDraft) -> NoteSession:
        self._show(opened.flushed)
        if opened.notice is not None:
            self._notify(opened.notice)
            self._schedule()  # a recovered draft is unsaved: the autosave writes it
        return opened.session

    def _one(self, outcome: DraftOutcome) -> SaveOutcome:
        self._show([outcome])
        self._schedule()
        return outcome.save

    def _show(self, outcomes: Iterable[DraftOutcome]) -> None:
        for outcome in outcomes:
            if outcome.stored and self.on_saved is not None:
                self.on_saved(outcome.paper_id)
            if outcome.notice is not None:
                self._notify(outcome.notice)

    def _notify(self, notice: DraftNotice) -> None:
        try:
            self.app.notify(
                notice.text,
                title=notice.title,
                severity=notice.level.value,  # type: ignore[arg-type]
                timeout=notice.seconds,
                markup=False,
            )
        except Exception:  # the app may be gone (signal, exit): the outcome still stands
            return

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
            self._notify(DraftNotice("Editor", str(exc), Level.ERROR, 8))
            return None
        except Exception as exc:  # SuspendNotSupported and friends
            text = f"Cannot open an external editor here: {exc}"
            self._notify(DraftNotice("Editor", text, Level.ERROR, 8))
            return None
        self._one(self.drafts.replace(paper_id, new_text))
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
        outcomes = self.drafts.shutdown(signum)
        if outcomes is None:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._show(outcomes)
        self.app.exit(return_code=128 + signum)
