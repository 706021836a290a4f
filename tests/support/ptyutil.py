"""Run a program (the real ``readq`` TUI) in a pseudo-terminal, for end-to-end tests.

:class:`PtyProcess` starts a command on a fresh pty of a given size, collects everything it
writes (a reader thread), sends keystrokes, waits for text to appear, and sends signals. Shared
by the reliability suite and the note editor's end-to-end tests.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository: benchmarks/
from benchmarks.term import python_env, spawn_on_pty

READQ = [sys.executable, "-m", "readq"]
"""The command that runs readq with the test's interpreter (same venv, same code)."""


def tui_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a TUI child: the test's (READQ_DB etc.) with a capable TERM."""
    return python_env(extra)


class PtyProcess:
    """A child process whose stdin, stdout and stderr are one pseudo-terminal."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        rows: int = 40,
        cols: int = 120,
        preexec_fn: Callable[[], None] | None = None,
    ) -> None:
        self.proc, self.master = spawn_on_pty(
            argv,
            env=env if env is not None else tui_env(),
            cols=cols,
            rows=rows,
            cwd=cwd,
            preexec_fn=preexec_fn,
        )
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._stop = threading.Event()
        self._master_open = True
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.proc.pid

    def _read_loop(self) -> None:
        # select with a timeout, never a bare blocking read: a read in progress keeps the
        # master open in the kernel, so closing it (hang_up) would not hang the terminal up.
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if not ready:
                    continue
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            with self._lock:
                self._buffer.extend(chunk)
        self._closed.set()

    @property
    def output(self) -> bytes:
        """Everything the child has written to the terminal so far."""
        with self._lock:
            return bytes(self._buffer)

    def send(self, data: str | bytes, *, delay: float = 0.0) -> None:
        """Type ``data`` (one write, or one character at a time when ``delay`` is given)."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if delay <= 0:
            os.write(self.master, raw)
            return
        for byte in raw:
            os.write(self.master, bytes([byte]))
            time.sleep(delay)

    def wait_for(self, needle: str | bytes, timeout: float = 15.0, start: int = 0) -> bool:
        """Wait until ``needle`` appears in the output (after byte ``start``)."""
        raw = needle.encode("utf-8") if isinstance(needle, str) else needle
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if raw in self.output[start:]:
                return True
            if self._closed.is_set() and raw not in self.output[start:]:
                return raw in self.output[start:]
            time.sleep(0.02)
        return False

    def wait_quiet(self, quiet: float = 0.4, timeout: float = 15.0) -> None:
        """Wait until the child has written nothing for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        last_len = -1
        last_change = time.monotonic()
        while time.monotonic() < deadline:
            now_len = len(self.output)
            if now_len != last_len:
                last_len = now_len
                last_change = time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                return
            time.sleep(0.02)

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the child."""
        os.kill(self.proc.pid, sig)

    def kill(self) -> None:
        """``kill -9`` the child."""
        self.signal(signal.SIGKILL)

    def wait(self, timeout: float = 15.0) -> int:
        """Wait for the child to end and for its last output; its return code."""
        code = self.proc.wait(timeout=timeout)
        self._closed.wait(timeout=2.0)
        return code

    def hang_up(self) -> None:
        """Close the terminal as a terminal emulator (or ``tmux kill-session``) does: the
        master end is closed, so the kernel hangs the pty up (SIGHUP and SIGCONT to the session
        leader, EIO then EOF on reads, EIO on writes, POLLHUP)."""
        self._stop.set()
        self._reader.join(timeout=5.0)
        self._close_master()

    def _close_master(self) -> None:
        if self._master_open:
            self._master_open = False
            with contextlib.suppress(OSError):
                os.close(self.master)

    def close(self) -> None:
        """Kill the child if still running and release the pty."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._closed.wait(timeout=2.0)
        self._stop.set()
        self._reader.join(timeout=5.0)
        self._close_master()

    def __enter__(self) -> PtyProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
