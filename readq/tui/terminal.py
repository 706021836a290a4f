"""readq ends, with its data saved, when its terminal goes away (issue 20).

Closing the terminal (a window, ``tmux kill-session``, a dropped ssh link) hangs up the pty:
the kernel sends SIGHUP and SIGCONT, reads return EIO and then EOF, writes fail with EIO, and
``poll`` reports POLLHUP. Textual 8.2.8's ``LinuxDriver`` copes with none of it:

- its output thread dies on the first EIO, so once 30 writes are queued every later write,
  ``stop_application_mode`` and ``close`` block the event loop forever (``Queue.put``);
- its input thread treats EOF as "no data" and loops on ``select``/``read`` at 100% CPU; it is
  not a daemon thread, so the interpreter's exit waits for it for ever;
- its SIGCONT handler restarts application mode on the dead terminal (a second output thread
  that dies the same way, a second input thread that spins).

:class:`HangupSafeDriver` works around that from the outside (site-packages untouched): output
to a dead terminal is dropped, EOF/EIO/POLLHUP on input end the input thread, SIGCONT on a
hung-up terminal is ignored, and ``close`` never waits for a dead terminal. Each of them tells
the app (``terminal_lost``), as does :class:`HangupWatch`, a thread that waits for POLLHUP on
the terminal whatever the app is doing. The app then saves and exits through its SIGHUP path;
:class:`ExitGuard` bounds that: if the process is still there ``ORDERLY_EXIT_SECONDS`` later (a
blocked event loop, a worker thread that cannot be stopped), it runs the app's last-resort save
and ends the process with ``os._exit``.
"""

from __future__ import annotations

import errno
import os
import select
import selectors
import threading
from codecs import getincrementaldecoder
from collections.abc import Callable
from typing import IO, Any

from textual.drivers.linux_driver import LinuxDriver

ORDERLY_EXIT_SECONDS = 1.5
"""After the terminal went away (or SIGTERM/SIGHUP), how long the orderly exit (drafts written
to the library, driver stopped, interpreter shutdown) may take before :class:`ExitGuard` saves
what it can itself and ends the process."""

HANGUP_EVENTS = select.POLLHUP | select.POLLERR | select.POLLNVAL
"""What ``poll`` reports on a terminal that went away (always reported, never requested)."""

GONE_ERRNOS = frozenset({errno.EIO, errno.EBADF, errno.ENXIO, errno.EPIPE, errno.ENOTTY})
"""Read/write errors that mean the terminal is gone rather than busy."""


def hung_up(fd: int) -> bool:
    """Whether the terminal (or pipe) on ``fd`` has gone away; never blocks."""
    poller = select.poll()
    poller.register(fd, 0)  # no events asked: only hang-up and errors are reported
    try:
        return any(mask & HANGUP_EVENTS for _fd, mask in poller.poll(0))
    except OSError:
        return True


class HangupWatch:
    """A daemon thread that waits (at no CPU cost) for the terminal on ``fd`` to hang up."""

    def __init__(self, fd: int, on_hangup: Callable[[], None]) -> None:
        self.fd = fd
        self.on_hangup = on_hangup
        self._thread = threading.Thread(target=self._run, name="readq-hangup-watch", daemon=True)

    def start(self) -> None:
        """Start watching (does nothing when ``fd`` is not a terminal)."""
        if os.isatty(self.fd):
            self._thread.start()

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self.fd, 0)
        while True:
            try:
                events = poller.poll()
            except InterruptedError:
                continue
            except OSError:
                break
            if any(mask & HANGUP_EVENTS for _fd, mask in events):
                break
        self.on_hangup()


class ExitGuard:
    """Ends the process a bounded time after a hang-up or signal, whatever the app is doing.

    Once :meth:`arm` is called, if the process still runs ``grace`` seconds later,
    ``last_resort()`` (which must save unsaved data without the event loop) runs on the
    guard's daemon thread and the process ends with ``os._exit(code)``. Nothing disarms it: the
    orderly exit simply ends the process first. Used only in a real run (``run_app``), never in
    tests that drive the app in-process.
    """

    def __init__(
        self,
        last_resort: Callable[[], None],
        *,
        grace: float = ORDERLY_EXIT_SECONDS,
        exit: Callable[[int], Any] = os._exit,
    ) -> None:
        self.last_resort = last_resort
        self.grace = grace
        self._exit = exit
        self.code: int | None = None
        self._armed = threading.Event()
        self.fired = threading.Event()
        """Set once the grace ran out and the last resort ran."""
        # Started now, not in arm(): arm() runs in signal handlers, where starting a thread
        # could deadlock on a lock of the threading module held by the interrupted code.
        self._thread = threading.Thread(target=self._run, name="readq-exit-guard", daemon=True)
        self._thread.start()

    def arm(self, code: int) -> bool:
        """Start the countdown (the first call only); True if this call started it. Safe in a
        signal handler and from any thread."""
        if self.code is not None:
            return False
        self.code = code
        self._armed.set()
        return True

    @property
    def armed(self) -> bool:
        """Whether the countdown has started."""
        return self._armed.is_set()

    def _run(self) -> None:
        self._armed.wait()
        threading.Event().wait(self.grace)
        try:
            self.last_resort()
        except Exception:  # nothing can be shown (no terminal): still end
            pass
        finally:
            self.fired.set()
            self._exit(self.code if self.code is not None else 1)


class _TerminalOutput:
    """The driver's output file: writes to a terminal that went away are dropped (and reported
    once) instead of killing Textual's output thread, which would then block every writer."""

    def __init__(self, file: IO[str], on_gone: Callable[[], None]) -> None:
        self._file = file
        self._on_gone = on_gone
        self.gone = False

    def write(self, text: str) -> int:
        """Write ``text``; nothing once the terminal is gone."""
        if self.gone:
            return len(text)
        try:
            return self._file.write(text)
        except (OSError, ValueError) as exc:
            self._lost(exc)
            return len(text)

    def flush(self) -> None:
        """Flush; nothing once the terminal is gone."""
        if self.gone:
            return
        try:
            self._file.flush()
        except (OSError, ValueError) as exc:
            self._lost(exc)

    def _lost(self, exc: BaseException) -> None:
        if isinstance(exc, OSError) and exc.errno not in GONE_ERRNOS:
            raise exc  # not a lost terminal (a full disk behind a redirect?): Textual's call
        self.gone = True
        self._on_gone()

    def fileno(self) -> int:
        """The terminal's file descriptor."""
        return self._file.fileno()

    def isatty(self) -> bool:
        """Whether the output is a terminal."""
        return self._file.isatty()


class HangupSafeDriver(LinuxDriver):
    """Textual's Linux driver, made safe for a terminal that goes away (see the module doc).

    The app is told through its ``terminal_lost()`` method (called from any thread), if it has
    one; a driver of another app behaves as Textual's, minus the hangs."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._gone = threading.Event()
        original = self._file
        if original is None:  # no stderr at all: nothing to wrap (Textual fails on it anyway)
            raise RuntimeError("readq needs a terminal on stderr")
        self._output = _TerminalOutput(original, self._lost)
        self._file = self._output  # type: ignore[assignment]  # Textual's output thread uses it

    @property
    def terminal_gone(self) -> bool:
        """Whether the terminal has gone away."""
        return self._gone.is_set()

    def _lost(self) -> None:
        if self._gone.is_set():
            return
        self._gone.set()
        self._output.gone = True
        notify = getattr(self._app, "terminal_lost", None)
        if callable(notify):
            notify()

    def write(self, data: str) -> None:
        """Queue ``data`` for the terminal (dropped once it is gone: nothing would read it, and
        a full queue would block the event loop)."""
        if self._gone.is_set():
            return
        super().write(data)

    def _sigcont_application(self, *args: Any) -> None:
        """SIGCONT: resume after ctrl+z, but not on a hung-up terminal (the kernel sends SIGCONT
        with SIGHUP; restarting application mode there started threads that hung the exit)."""
        if self._gone.is_set() or hung_up(self.fileno):
            self._lost()
            return
        super()._sigcont_application(*args)

    def close(self) -> None:
        """Stop the output thread; on a gone terminal without waiting for it."""
        if not self._gone.is_set():
            super().close()
            return
        closer = threading.Thread(target=super().close, name="readq-driver-close", daemon=True)
        closer.start()
        closer.join(timeout=0.5)

    def run_input_thread(self) -> None:
        """Textual's input loop, except that EOF, a read error and POLLHUP end it (and tell
        the app) instead of spinning at 100% CPU for ever."""
        from textual._parser import ParseError
        from textual._xterm_parser import XTermParser

        fileno = self.fileno
        selector = selectors.SelectSelector()
        selector.register(fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def feed_events() -> bool:
            """Read what is there; False when the terminal is gone."""
            for _key, mask in selector.select(0.1):
                if not mask & selectors.EVENT_READ:
                    continue
                try:
                    data = os.read(fileno, 1024 * 4)
                except InterruptedError:
                    continue
                except OSError:
                    return False
                if not data:  # EOF: a hung-up terminal reads as empty for ever
                    return False
                for event in parser.feed(decode(data)):
                    self.process_message(event)
            for event in parser.tick():
                self.process_message(event)
            return True

        try:
            while not self.exit_event.is_set():
                if not feed_events():
                    self._lost()
                    return
            for event in parser.tick():  # a lone escape still pending
                self.process_message(event)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass


__all__ = ["ExitGuard", "HangupSafeDriver", "HangupWatch", "hung_up"]
