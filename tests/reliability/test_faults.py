"""Cases 10-11: disk full, a read-only library, and a data dir that cannot be created."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

from relutil import REPO, child_env, integrity, query, run_readq, write_listing
from support.ptyutil import READQ
from tuiutil import make_library, open_note, start_tui, stored_note, wait_note

DROP_ROOT_POWERS = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]
"""As root, without the capabilities that let root ignore file permissions."""


def _db() -> Path:
    return Path(os.environ["READQ_DB"])


def _state() -> list[tuple[object, ...]]:
    return query(_db(), "SELECT id, title, status, starred, note, updated_at FROM papers")


def _file_size_limit(limit: int) -> None:
    """preexec_fn: writes past ``limit`` bytes fail with EFBIG (SIGXFSZ ignored)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_case10_disk_full_cli(tmp_path: Path) -> None:
    assert run_readq(["ingest", str(write_listing(tmp_path / "a.txt", "a", 50))]).returncode == 0
    assert run_readq(["note", "1", "--set", "kept note"]).returncode == 0
    before = _state()
    big = write_listing(tmp_path / "big.txt", "big", 5000)
    limit = 8192  # the WAL (absent after a clean close) may not grow past this

    def preexec() -> None:
        _file_size_limit(limit)

    for args in (
        ["ingest", str(big)],
        ["note", "1", "--set", "y" * 100_000],
        ["mark", "read", *map(str, range(1, 51))],
    ):
        result = run_readq(args, preexec_fn=preexec)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "could not be written" in lines[0], result.stderr
        assert "disk" in lines[0] and "nothing was changed" in lines[0]
        assert integrity(_db()) == "ok"
        assert _state() == before  # nothing stored was lost or changed
    assert query(_db(), "SELECT note FROM papers WHERE id = 1") == [("kept note",)]


def test_case10_read_only_library_cli(tmp_path: Path) -> None:
    assert run_readq(["ingest", str(write_listing(tmp_path / "a.txt", "a", 20))]).returncode == 0
    before = _state()
    db = _db()
    db.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        for args in (["mark", "read", "1"], ["ingest", str(tmp_path / "a.txt")], []):
            command = [*DROP_ROOT_POWERS, *READQ, *args]
            result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60)
            assert result.returncode == 1, (args, result.stderr)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and "read-only" in lines[0], (args, result.stderr)
            assert "damaged" not in lines[0]
        # A command that only reads still reads it, and says it is read-only (issue 12.17).
        command = [*DROP_ROOT_POWERS, *READQ, "list"]
        result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60)
        assert result.returncode == 0, result.stderr
        assert len(result.stdout.splitlines()) == 1 + 20  # header + rows
        assert result.stderr.startswith("readq: the library is read-only: library opened read-only")
        assert len(result.stderr.splitlines()) == 1
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)
    assert _state() == before
    assert not list(db.parent.glob("*.corrupt-*"))


def test_case10_tui_keeps_the_draft_and_retries_when_the_disk_is_full(tmp_path: Path) -> None:
    db = tmp_path / "tui" / "readq.db"
    pid = make_library(db)
    with start_tui(db, preexec_fn=lambda: signal.signal(signal.SIGXFSZ, signal.SIG_IGN)) as app:
        start = open_note(app)
        # The disk is now "full" for the TUI: no file may grow (WAL, recovery file).
        unlimited = resource.RLIM_INFINITY
        resource.prlimit(app.pid, resource.RLIMIT_FSIZE, (0, unlimited))
        app.send("written while the disk was full")
        assert app.wait_for("not saved", timeout=10, start=start), app.output[-3000:]
        time.sleep(0.3)
        assert app.proc.poll() is None  # still running, draft still on screen
        resource.prlimit(app.pid, resource.RLIMIT_FSIZE, (unlimited, unlimited))
        # The retry (2 s after the first failure) writes it without any keystroke. Polling
        # the library meanwhile (other connections opening and closing) must not lose it.
        assert wait_note(db, pid, "written while the disk was full", timeout=15)
        app.send("\x11")  # ctrl+q
        assert app.wait() == 0
    assert integrity(db) == "ok"
    assert stored_note(db, pid) == "written while the disk was full"


def test_case11_data_dir_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    unreachable = blocker / "data" / "readq.db"
    listing = write_listing(tmp_path / "a.txt", "a", 3)
    # The default location (READQ_DB here) is created when needed: it cannot be.
    env = child_env(READQ_DB=str(unreachable))
    for args in (["ingest", str(listing)], ["list"], ["stats"], []):
        result = run_readq(args, env=env)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.strip() == (
            f"readq: cannot create data directory {unreachable.parent}: Not a directory"
        ), args
    # A directory root may not write to (as root without its override capability).
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    target = locked / "sub" / "readq.db"
    for args in (["list"], []):
        command = [*DROP_ROOT_POWERS, *READQ, *args]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
            env=child_env(READQ_DB=str(target)),
        )
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"readq: cannot create data directory {target.parent}: Permission denied"
        ), result.stderr
    assert sys.platform != "win32"
