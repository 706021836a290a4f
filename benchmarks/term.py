"""Drive a full-screen program in a pseudo-terminal and read its screen, for benchmarks.

:class:`Screen` is a small, fast terminal model for what Textual writes (cursor addressing,
colours, CR/LF, text); colours and modes are parsed and ignored. It costs a regex pass per
chunk, not a Python call per character as ``pyte`` does (``pyte`` took ~5 ms per KB here,
which on a 2-core machine would steal CPU from the program being timed). The smoke test
checks it against ``pyte`` on a recorded session.

:class:`PtyApp` starts a command on a pty of a given size. A reader thread stamps every chunk
of output with ``time.perf_counter()`` as it arrives; :meth:`PtyApp.wait_for` feeds chunks to
the screen in order and returns the arrival time of the chunk after which a predicate first
holds. So the harness's own parsing delay does not count in the measured latency.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_TOKEN = re.compile(
    r"\x1b\[([0-9;:?<>=]*)[ -/]*([@-~])"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1bP[^\x1b]*\x1b\\"  # DCS
    r"|\x1b[^\[\]P]"  # other two-byte escapes
    r"|([\r\n\b])"  # controls that move the cursor
    r"|[\x00-\x07\x0b-\x0c\x0e-\x1a\x1c-\x1f]"  # other controls: ignored
    r"|([^\x00-\x1f\x1b]+)"  # text
)
_PARTIAL = re.compile(r"\x1b(?:\[[0-9;:?<>=]*[ -/]*|\][^\x07\x1b]*\x1b?|P[^\x1b]*\x1b?)?\Z")
"""An escape sequence cut at the end of a chunk: kept until the next chunk completes it."""
_ABORTED = re.compile(r"\x1b(?:\[[0-9;:?<>=]*[ -/]*|\][^\x07\x1b]*|P[^\x1b]*)?")
"""An escape sequence interrupted by another ESC (or a byte it cannot contain): a terminal
drops it, as ``pyte`` does. Textual does write such sequences now and then under load."""


class Screen:
    """A grid of characters updated from terminal output (no scrolling, no wrapping)."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols = cols
        self.rows = rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.x = 0
        self.y = 0
        self._pending = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, data: bytes) -> None:
        """Apply a chunk of output (escapes split across chunks are handled)."""
        text = self._pending + self._decoder.decode(data)
        self._pending = ""
        position = 0
        end = len(text)
        grid = self.grid
        while position < end:
            match = _TOKEN.match(text, position)
            if match is None:
                if text[position] == "\x1b":
                    if _PARTIAL.match(text, position):  # cut at the chunk end: wait for more
                        self._pending = text[position:]
                        return
                    # Interrupted: drop it (keeping it pending would freeze the screen).
                    aborted = _ABORTED.match(text, position)
                    position = max(position + 1, aborted.end() if aborted else 0)
                    continue
                position += 1
                continue
            position = match.end()
            run, final, control = match.group(4), match.group(2), match.group(3)
            if run is not None:
                if 0 <= self.y < self.rows and self.x < self.cols:
                    piece = run[: self.cols - self.x]
                    grid[self.y][self.x : self.x + len(piece)] = list(piece)
                self.x = min(self.cols, self.x + len(run))
            elif final in ("H", "f"):
                params = match.group(1).split(";")
                row = int(params[0]) if params[0].isdigit() else 1
                col = int(params[1]) if len(params) > 1 and params[1].isdigit() else 1
                self.y, self.x = min(self.rows, row) - 1, min(self.cols, col) - 1
            elif final == "K" and 0 <= self.y < self.rows:
                grid[self.y][self.x :] = [" "] * (self.cols - self.x)
            elif final == "J" and match.group(1) in ("2", "3"):
                self.grid = grid = [[" "] * self.cols for _ in range(self.rows)]
            elif control == "\r":
                self.x = 0
            elif control == "\n":
                self.y = min(self.rows - 1, self.y + 1)
            elif control == "\b":
                self.x = max(0, self.x - 1)

    def line(self, row: int) -> str:
        """The text of one row."""
        return "".join(self.grid[row])

    def display(self) -> list[str]:
        """Every row's text."""
        return ["".join(r) for r in self.grid]


def pyte_display(chunks: Sequence[bytes], cols: int, rows: int) -> list[str] | None:
    """The screen ``pyte`` makes of the same output (None if pyte is not installed)."""
    try:
        import pyte
    except ImportError:
        return None
    screen = pyte.Screen(cols, rows)
    stream = pyte.ByteStream(screen)
    for chunk in chunks:
        stream.feed(chunk)
    return list(screen.display)


Predicate = Callable[[Screen], bool]


class PtyApp:
    """A child process on a fresh pty, with timestamped output and a screen model."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cols: int = 120,
        rows: int = 40,
        cwd: Path | None = None,
        keep_chunks: bool = False,
    ) -> None:
        self.started = time.perf_counter()
        self.proc, self.master = spawn_on_pty(argv, env=env, cols=cols, rows=rows, cwd=cwd)
        self.screen = Screen(cols, rows)
        self.keep_chunks = keep_chunks
        self.chunks: list[bytes] = []
        self._inbox: list[tuple[float, bytes]] = []
        self._cond = threading.Condition()
        self._eof = False
        self.last_arrival = self.started
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.proc.pid

    def _read_loop(self) -> None:
        while True:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                data = b""
            stamp = time.perf_counter()
            with self._cond:
                if not data:
                    self._eof = True
                    self._cond.notify_all()
                    return
                self._inbox.append((stamp, data))
                self._cond.notify_all()

    def _take(self, timeout: float) -> list[tuple[float, bytes]]:
        with self._cond:
            if not self._inbox and not self._eof:
                self._cond.wait(timeout)
            taken, self._inbox = self._inbox, []
            return taken

    def wait_for(self, predicate: Predicate, timeout: float = 10.0) -> float | None:
        """Arrival time of the output after which ``predicate(screen)`` holds (None: timeout).

        Checks the current screen first (then the answer is the last arrival time).
        """
        if predicate(self.screen):
            return self.last_arrival
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            batch = self._take(min(left, 0.05))
            if not batch and self._eof:
                return None
            for stamp, data in batch:
                self.screen.feed(data)
                self.last_arrival = stamp
                if self.keep_chunks:
                    self.chunks.append(data)
                if predicate(self.screen):
                    return stamp

    def drain(self, quiet: float = 0.15, timeout: float = 10.0) -> None:
        """Apply output until none arrives for ``quiet`` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            batch = self._take(quiet)
            if not batch:
                return
            for stamp, data in batch:
                self.screen.feed(data)
                self.last_arrival = stamp
                if self.keep_chunks:
                    self.chunks.append(data)

    def send(self, keys: str | bytes) -> float:
        """Write keys to the terminal; returns the time they were sent."""
        data = keys.encode() if isinstance(keys, str) else keys
        stamp = time.perf_counter()
        os.write(self.master, data)
        return stamp

    def proc_status(self, field: str) -> int | None:
        """A ``kB`` field of ``/proc/PID/status`` (``VmHWM``, ``VmRSS``), in kB."""
        try:
            text = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        for line in text.splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return None

    def cpu_ticks(self) -> int:
        """User + system CPU ticks used so far by the child and its descendants (readq builds
        a big library's search index in a child process: the TUI itself is idle meanwhile)."""
        own = _proc_stat(self.pid)
        if own is None:
            return -1
        children: dict[int, list[int]] = {}
        ticks: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            fields = _proc_stat(int(entry.name))
            if fields is None:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
        total = int(own[11]) + int(own[12]) + int(own[13]) + int(own[14])  # + reaped children
        todo = list(children.get(self.pid, []))
        while todo:
            pid = todo.pop()
            total += ticks.get(pid, 0)
            todo.extend(children.get(pid, []))
        return total

    def wait_idle(
        self, window: float = 0.5, busy: float = 0.2, timeout: float = 300.0
    ) -> float | None:
        """When the child stopped working: the start of the first ``window`` seconds in which
        it used less than ``busy`` of a core (timers and polling stay under that). None on
        timeout."""
        ticks_per_s = os.sysconf("SC_CLK_TCK")
        deadline = time.perf_counter() + timeout
        start, start_ticks = time.perf_counter(), self.cpu_ticks()
        while time.perf_counter() < deadline:
            self.drain(quiet=0.05, timeout=0.1)
            now, ticks = time.perf_counter(), self.cpu_ticks()
            if ticks < 0:
                return None
            if now - start >= window:
                if (ticks - start_ticks) / ticks_per_s < busy * (now - start):
                    return start
                start, start_ticks = now, ticks
        return None

    def close(self, timeout: float = 5.0) -> int | None:
        """Ask the program to quit (SIGTERM), then kill it; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        with contextlib.suppress(OSError):
            os.close(self.master)
        return self.proc.returncode


def spawn_on_pty(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cols: int,
    rows: int,
    cwd: str | Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``argv`` on a fresh ``cols`` x ``rows`` pty that is its controlling terminal (a new
    session, as a terminal emulator does); returns the process and the pty's master end.
    Also used by the tests' ``ptyutil.PtyProcess``."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def child_setup() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        if preexec_fn is not None:
            preexec_fn()

    proc = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=dict(env),
        cwd=str(cwd) if cwd is not None else None,
        preexec_fn=child_setup,
        close_fds=True,
    )
    os.close(slave)
    return proc, master


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state first), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def python_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment for a TUI child: a capable ``TERM``, no Textual dev mode."""
    env = dict(os.environ)
    env["TERM"] = "xterm-256color"
    # The size must come from the pty: pytest-xdist workers export COLUMNS/LINES (80x24).
    for name in ("TEXTUAL", "NO_COLOR", "COLUMNS", "LINES"):
        env.pop(name, None)
    env["PYTHONUNBUFFERED"] = "1"
    if extra:
        env.update(extra)
    return env


__all__ = ["Predicate", "PtyApp", "Screen", "pyte_display", "python_env", "spawn_on_pty", "sys"]
