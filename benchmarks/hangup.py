"""Reproduce issue 20 the way it was found: run readq in tmux and kill the tmux session.

``tmux kill-session`` closes the pane's pty master, which hangs up the terminal (the kernel
sends SIGHUP and SIGCONT to readq, reads then return EOF and writes EIO). For each state
(list, filter after ctrl+u, note editor with an unsaved draft, a TUI ingest running, quitting)
this starts readq in a fresh tmux server, brings it to that state, kills the session and checks
that the process (and any child it started) is gone within ``--limit`` seconds. A survivor is
described (its threads' state, CPU time) and then killed.

    python -m benchmarks.hangup --tries 3            # every state, 3 tries each
    python -m benchmarks.hangup --states filter --tries 10
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

STATES = ("list", "filter", "note", "worker", "quit")
SOCKET = f"readq-hangup-{os.getpid()}"


def tmux(*args: str, check: bool = True) -> str:
    """Run a tmux command on this script's own server; its output."""
    done = subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=check, timeout=20
    )
    return done.stdout


def screen() -> str:
    """The pane's text."""
    return tmux("capture-pane", "-pt", "hangup", check=False)


def wait_screen(needle: str, timeout: float = 20.0) -> bool:
    """Wait until ``needle`` is on the pane."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in screen():
            return True
        time.sleep(0.1)
    return False


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (children first)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            child = int(entry.name)
            found += [child, *descendants(child)]
    return found


def describe(pid: int) -> str:
    """Threads of ``pid`` with their state and CPU ticks (what a stuck process is doing)."""
    parts = []
    for task in sorted(Path(f"/proc/{pid}/task").glob("*")):
        try:
            stat = (task / "stat").read_text()
            name = (task / "comm").read_text().strip()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parts.append(f"{name}:{fields[0]}:{int(fields[11]) + int(fields[12])}t")
    return " ".join(parts)


def run_try(state: str, db: Path, listing: Path, limit: float, shell: bool) -> str | None:
    """One try; None when readq and its children were gone within ``limit`` s, else why not.

    With ``shell``, readq runs under ``sh -c`` (as when started from a shell in the pane): the
    shell is the session leader and gets the kernel's SIGHUP, readq only sees EOF and EIO.
    Without it readq is the pane's process and gets SIGHUP and SIGCONT itself."""
    readq = f"{shlex.quote(sys.executable)} -m readq --db {shlex.quote(str(db))}"
    command = f"{readq}; exit $?" if shell else f"exec {readq}"
    tmux("new-session", "-d", "-s", "hangup", "-x", "120", "-y", "40", command)
    pid = int(tmux("display", "-p", "-t", "hangup", "#{pane_pid}").strip())
    if shell:
        deadline = time.monotonic() + 10
        while not descendants(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        pid = descendants(pid)[0]
    try:
        if not wait_screen("Inbox"):
            return "did not start"
        time.sleep(0.5)
        keys: Callable[..., str] = lambda *k: tmux("send-keys", "-t", "hangup", *k)  # noqa: E731
        if state == "filter":
            keys("/")
            keys("-l", "diffusion")
            keys("C-u")
            keys("-l", "graph")
            keys("C-u")
            keys("Escape")
            time.sleep(0.3)
        elif state == "note":
            keys("n")
            wait_screen("autosaved", 10)
            keys("-l", "unsaved draft")
            time.sleep(0.05)
        elif state == "worker":
            keys("i")
            wait_screen("File path", 10)
            keys("-l", str(listing))
            keys("Enter")
            time.sleep(1.0)
        elif state == "quit":
            keys("q")
        children = descendants(pid)
        tmux("kill-session", "-t", "hangup", check=False)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and (alive(pid) or any(map(alive, children))):
            time.sleep(0.05)
        left = [p for p in [pid, *children] if alive(p)]
        if not left:
            return None
        spy = os.environ.get("PY_SPY")  # a py-spy binary: dump the stacks of a survivor
        if spy:
            for p in left:
                dump = subprocess.run([spy, "dump", "--pid", str(p)], capture_output=True)
                print(dump.stdout.decode(errors="replace"), flush=True)
        return "; ".join(f"{p} {describe(p)}" for p in left)
    finally:
        for p in [*descendants(pid), pid]:
            if alive(p):
                os.kill(p, signal.SIGKILL)
        tmux("kill-server", check=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run the tries and print the survivors per state."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--states", nargs="*", default=list(STATES), choices=STATES)
    parser.add_argument("--limit", type=float, default=5.0, help="seconds allowed to exit")
    parser.add_argument("--papers", type=int, default=300)
    parser.add_argument("--shell", action="store_true", help="run readq under sh -c")
    args = parser.parse_args(argv)
    from benchmarks.generate import build_library

    failures = 0
    with tempfile.TemporaryDirectory(prefix="readq-hangup-") as folder:
        root = Path(folder)
        listing = root / "big.txt"
        if "worker" in args.states:  # ~18 MB: parsed by the child process, several seconds
            listing.write_text(
                "".join(
                    f"Abstract:We study tmux problem {i} and find that method {i} improves "
                    f"the baseline by {i % 97} points on a made-up benchmark.\n"
                    for i in range(120_000)
                ),
                "utf-8",
            )
        env_dirs = {
            "XDG_CONFIG_HOME": str(root / "xdg-config"),
            "XDG_DATA_HOME": str(root / "xdg-data"),
            "READQ_CONFIG_DIR": str(root / "config"),
        }
        os.environ.update(env_dirs)
        for state in args.states:
            failed = 0
            for attempt in range(args.tries):
                db = root / f"{state}-{attempt}" / "readq.db"
                build_library(db, args.papers)
                why = run_try(state, db, listing, args.limit, args.shell)
                if why is not None:
                    failed += 1
                    print(f"  {state} try {attempt + 1}: still running: {why}", flush=True)
            failures += failed
            print(f"{state}: {failed}/{args.tries} tries outlived the terminal", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
