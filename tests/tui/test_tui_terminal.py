"""readq.tui.terminal: the pieces that end readq when its terminal goes.

The end-to-end tries (a real readq on a pty that is hung up, in every state) are in
``tests/reliability/test_hangup.py``; these check each piece on its own, on real ptys.
"""

from __future__ import annotations

import asyncio
import errno
import os
import pty
import signal
import sys
import threading
import time
from typing import Any

import pytest

from readq.tui.terminal import ExitGuard, HangupSafeDriver, HangupWatch, _TerminalOutput, hung_up

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a Unix pty")


class _DeadFile:
    """A terminal output whose writes fail as a hung-up tty's do."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        raise OSError(errno.EIO, "Input/output error")

    def flush(self) -> None:
        raise OSError(errno.EIO, "Input/output error")

    def fileno(self) -> int:
        return 2

    def isatty(self) -> bool:
        return True


def test_output_to_a_dead_terminal_is_dropped_and_reported_once() -> None:
    lost: list[int] = []
    dead = _DeadFile()
    output = _TerminalOutput(dead, lambda: lost.append(1))  # type: ignore[arg-type]
    for _ in range(100):  # Textual's output thread died on the first of these
        assert output.write("\x1b[?1049l") == len("\x1b[?1049l")
        output.flush()
    assert lost == [1]
    assert dead.writes == 1


def test_other_write_errors_are_not_taken_for_a_lost_terminal() -> None:
    class Full(_DeadFile):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    output = _TerminalOutput(Full(), lambda: None)  # type: ignore[arg-type]
    with pytest.raises(OSError):
        output.write("x")


def test_hung_up_sees_a_closed_terminal_at_once() -> None:
    master, slave = pty.openpty()
    try:
        assert not hung_up(slave)
        os.close(master)
        assert hung_up(slave)
    finally:
        os.close(slave)


def test_the_watch_calls_back_when_the_terminal_hangs_up() -> None:
    master, slave = pty.openpty()
    called = threading.Event()
    try:
        HangupWatch(slave, called.set).start()
        assert not called.wait(0.3)  # a live terminal: the watch waits (no CPU, no callback)
        os.close(master)
        assert called.wait(5.0)
    finally:
        os.close(slave)


def test_the_exit_guard_saves_then_exits_after_the_grace() -> None:
    events: list[object] = []
    exited = threading.Event()

    def fake_exit(code: int) -> None:
        events.append(("exit", code))
        exited.set()

    guard = ExitGuard(lambda: events.append("saved"), grace=0.2, exit=fake_exit)
    assert not exited.wait(0.4)  # not armed: never fires
    started = time.monotonic()
    assert guard.arm(129)
    assert not guard.arm(143)  # the first code stands
    assert exited.wait(5.0)
    assert time.monotonic() - started >= 0.2
    assert events == ["saved", ("exit", 129)]


def test_the_exit_guard_exits_even_if_the_last_resort_fails() -> None:
    codes: list[int] = []
    done = threading.Event()

    def failing() -> None:
        raise OSError("disk gone")

    def fake_exit(code: int) -> None:
        codes.append(code)
        done.set()

    guard = ExitGuard(failing, grace=0.0, exit=fake_exit)
    guard.arm(129)
    assert done.wait(5.0)
    assert codes == [129]


class _App:
    """Just what the driver needs from an app, and a record of ``terminal_lost``."""

    def __init__(self) -> None:
        self.lost = threading.Event()
        self.messages: list[object] = []

    def terminal_lost(self) -> None:
        self.lost.set()

    def post_message(self, message: object) -> None:
        self.messages.append(message)


@pytest.fixture
def driver() -> Any:
    """A ``HangupSafeDriver`` of a stand-in app (Textual's signal handlers put back after)."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTSTP, signal.SIGCONT)}

    async def build() -> HangupSafeDriver:
        return HangupSafeDriver(_App())  # a driver takes the running loop

    made = asyncio.run(build())
    yield made
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.parametrize("how", ["eio", "eof"])
def test_the_input_thread_ends_when_the_terminal_goes(driver: Any, how: str) -> None:
    """Textual's loop spins at 100% CPU for ever on EOF; this one ends and tells the app."""
    master, slave = pty.openpty()
    driver.fileno = slave
    if how == "eof":  # reads return EOF (a hung-up terminal) rather than EIO
        os.close(master)
        with open(os.devnull, "rb") as null:
            os.dup2(null.fileno(), slave)
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    if how == "eio":
        time.sleep(0.2)
        assert thread.is_alive()  # a live terminal keeps it
        os.close(master)
    thread.join(5.0)
    os.close(slave)
    assert not thread.is_alive()
    assert driver._app.lost.is_set()
    assert driver.terminal_gone


def test_a_gone_terminal_never_blocks_writes_or_close(driver: Any) -> None:
    """Textual's output thread died on EIO; 30 queued writes later every write blocked."""
    driver._file._file = _DeadFile()
    from textual.drivers._writer_thread import WriterThread

    driver._writer_thread = WriterThread(driver._file)
    driver._writer_thread.start()
    done = threading.Event()

    def many_writes() -> None:
        for _ in range(500):
            driver.write("\x1b[2J")
        driver.close()
        done.set()

    threading.Thread(target=many_writes, daemon=True).start()
    assert done.wait(5.0)
    assert driver._app.lost.is_set()
