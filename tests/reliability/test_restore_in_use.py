"""Issue 12.1: ``readq restore`` while another readq has the library open.

Before: restore succeeded, and the open TUI went on writing into the file restore had moved
aside (a note typed after the restore was only in ``readq.db.replaced-<ts>``). Now restore
refuses, naming the holders (pid, the TUI or which command), with real second processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from relutil import REPO, child_env, query, run_readq, write_listing
from support.ptyutil import READQ
from tuiutil import make_library, open_note, start_tui, wait_note

from readq.holders import exclusive, holders_dir
from readq.paths import Paths
from readq.recovery import RestoreError, restore_backup
from readq.store import Store


def _backup(db: Path, target: Path) -> Path:
    result = run_readq(["--db", str(db), "backup", str(target)])
    assert result.returncode == 0, result.stderr
    return target


def _wait_registered(db: Path, pid: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (holders_dir(db) / f"{pid}.json").exists():
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} never registered as holding {db}")


def _replaced(db: Path) -> list[Path]:
    return sorted(db.parent.glob(db.name + ".replaced-*"))


def test_case12_1_restore_refuses_while_a_tui_has_the_library_open(tmp_path: Path) -> None:
    db = tmp_path / "tui" / "readq.db"
    paper = make_library(db)
    backup = _backup(db, tmp_path / "backup.db")
    with start_tui(db) as app:
        start = open_note(app)
        refused = run_readq(["--db", str(db), "restore", str(backup)])
        assert refused.returncode == 1, (refused.stdout, refused.stderr)
        lines = refused.stderr.splitlines()
        assert len(lines) == 1, refused.stderr
        assert f"the TUI (pid {app.pid})" in lines[0], lines[0]
        assert "close it and try again. Nothing was changed." in lines[0]
        assert _replaced(db) == [] and not db.with_name("readq.db.restoring").exists()
        # The TUI keeps writing into the library itself, not into a moved-aside file.
        app.send("typed after the refused restore")
        assert wait_note(db, paper, "typed after the refused restore", timeout=15), app.output[
            start:
        ][-2000:]
        app.send("\x1b")
        app.send("\x11")  # ctrl+q
        assert app.wait(timeout=30) == 0
    done = run_readq(["--db", str(db), "restore", str(backup)])
    assert done.returncode == 0, done.stderr
    assert "restored 1 papers" in done.stdout and len(_replaced(db)) == 1
    # The note typed in the TUI is in the library that was moved aside, whole.
    moved = _replaced(db)[0]
    assert query(moved, "SELECT note FROM papers WHERE id = ?", (paper,)) == [
        ("typed after the refused restore",)
    ]


def _holding_ingest(db: Path) -> subprocess.Popen[str]:
    """``readq ingest -`` waiting on its standard input: it has the library open."""
    return subprocess.Popen(
        [*READQ, "--db", str(db), "ingest", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=child_env(),
    )


def test_case12_1_restore_names_a_running_command(tmp_path: Path) -> None:
    db = tmp_path / "lib" / "readq.db"
    make_library(db)
    backup = _backup(db, tmp_path / "backup.db")
    holder = _holding_ingest(db)
    try:
        _wait_registered(db, holder.pid)
        refused = run_readq(["--db", str(db), "restore", str(backup)])
        assert refused.returncode == 1
        assert f"`readq ingest` (pid {holder.pid})" in refused.stderr, refused.stderr
        assert _replaced(db) == []
        out, err = holder.communicate(_listing_text(tmp_path), timeout=60)
        assert holder.returncode == 0, err
        assert "3 new" in out
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert run_readq(["--db", str(db), "restore", str(backup)]).returncode == 0
    assert not list(holders_dir(db).glob("*.json"))


def _listing_text(tmp_path: Path) -> str:
    return write_listing(tmp_path / "l.txt", "held", 3).read_text()


def test_case12_1_a_killed_holder_never_blocks_a_restore(tmp_path: Path) -> None:
    db = tmp_path / "lib" / "readq.db"
    make_library(db)
    backup = _backup(db, tmp_path / "backup.db")
    holder = _holding_ingest(db)
    _wait_registered(db, holder.pid)
    os.kill(holder.pid, signal.SIGKILL)
    holder.communicate(timeout=30)
    assert (holders_dir(db) / f"{holder.pid}.json").exists()  # left behind by kill -9
    done = run_readq(["--db", str(db), "restore", str(backup)])
    assert done.returncode == 0, done.stderr
    assert not (holders_dir(db) / f"{holder.pid}.json").exists()  # cleared by the restore


def test_case12_1_opening_waits_for_a_restore_in_progress(tmp_path: Path) -> None:
    db = tmp_path / "lib" / "readq.db"
    make_library(db)
    with exclusive(db):  # as restore holds it while it copies, verifies and swaps
        reader = subprocess.Popen(
            [*READQ, "--db", str(db), "stats", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=child_env(),
        )
        time.sleep(2.0)
        assert reader.poll() is None  # waiting for the lock, not reading the old file
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert '"total": 1' in out


def test_case12_1_restore_refuses_a_library_open_in_this_process(tmp_path: Path) -> None:
    db = tmp_path / "lib" / "readq.db"
    make_library(db)
    backup = _backup(db, tmp_path / "backup.db")
    paths = Paths(db=db, config_dir=tmp_path / "config")
    with Store.open(db), pytest.raises(RestoreError, match=r"this process"):
        restore_backup(paths, backup)
    assert _replaced(db) == []
    assert restore_backup(paths, backup).papers == 1


def test_case12_1_a_holder_through_a_symbolic_link_is_seen(tmp_path: Path) -> None:
    db = tmp_path / "lib" / "readq.db"
    make_library(db)
    backup = _backup(db, tmp_path / "backup.db")
    link = tmp_path / "elsewhere.db"
    link.symlink_to(db)
    holder = _holding_ingest(link)
    try:
        _wait_registered(db, holder.pid)
        refused = run_readq(["--db", str(db), "restore", str(backup)])
        assert refused.returncode == 1
        assert f"`readq ingest` (pid {holder.pid})" in refused.stderr, refused.stderr
    finally:
        holder.kill()
        holder.wait()
