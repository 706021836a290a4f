"""Issue 12.17: with the disk full, the library can still be read, exported and backed up.

Before: every command failed ("disk I/O error ... could not be written"), because a WAL
library needs its ``-shm`` file to be read and there was no room to make it. Now a command
that only reads opens the library read-only (``mode=ro``, else ``immutable=1`` when no other
readq holds it and no ``-wal`` holds commits), says so in one line, and works; one that writes
says the disk is full. Simulated with a real full file system (a 2 MiB tmpfs, as root) and
with ``RLIMIT_FSIZE`` (no root needed).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from relutil import integrity, query, run_readq, sha256, write_listing

from readq.backup import verify_backup


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A directory on a 2 MiB tmpfs (skips when it cannot be mounted)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace')}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path) -> None:
    """Write until the file system has no block left (unbuffered, so nothing is pending)."""
    for name, size in (("filler", 65536), ("filler2", 512)):
        fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while True:
                os.write(fd, b"\0" * size)
        except OSError:
            pass
        finally:
            os.close(fd)


NOTICE = "readq: the disk is full: library opened read-only"


def test_case12_17_reading_works_on_a_full_disk(full_disk: Path, tmp_path: Path) -> None:
    db = full_disk / "readq.db"
    listing = write_listing(tmp_path / "a.txt", "full", 40)
    assert run_readq(["--db", str(db), "ingest", str(listing)]).returncode == 0
    assert run_readq(["--db", str(db), "note", "3", "--set", "kept"]).returncode == 0
    before = sha256(db)
    _fill(full_disk)
    base = ["--db", str(db)]

    def read(*args: str) -> str:
        result = run_readq([*base, *args])
        assert result.returncode == 0, (args, result.stderr)
        notice, *rest = result.stderr.splitlines()
        assert notice.startswith(NOTICE), (args, result.stderr)
        assert all(line.startswith(("exported", "backed up")) for line in rest), result.stderr
        return result.stdout + "".join(rest)

    assert len(read("list").splitlines()) == 1 + 40  # header + rows
    assert json.loads(read("stats", "--json"))["with_notes"] == 1
    assert "note:\nkept" in read("show", "3")
    assert read("note", "3") == "kept\n"
    assert "problem number 7 " in read("list", "--query", "number 7", "--json")
    # Exported and backed up to another file system.
    out = tmp_path / "export.json"
    read("export", "-f", "json", "-o", str(out))
    assert len(json.loads(out.read_text())["papers"]) == 40
    copy = tmp_path / "copy.db"
    assert "backed up 40 papers" in read("backup", str(copy))
    verify_backup(copy)
    assert query(copy, "SELECT note FROM papers WHERE id = 3") == [("kept",)]
    # A write says what happened, in one line, and changes nothing.
    for args in (["mark", "read", "1"], ["note", "1", "--set", "x"]):
        result = run_readq([*base, *args])
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"readq: {db}: the disk is full (nothing was written; free some space and try again)"
        ), result.stderr
    assert sha256(db) == before
    for filler in full_disk.glob("filler*"):
        filler.unlink()
    assert integrity(db) == "ok"
    assert run_readq([*base, "mark", "read", "1"]).returncode == 0


def test_case12_17_a_wal_with_commits_is_not_skipped(full_disk: Path, tmp_path: Path) -> None:
    db = full_disk / "readq.db"
    listing = write_listing(tmp_path / "a.txt", "wal", 5)
    assert run_readq(["--db", str(db), "ingest", str(listing)]).returncode == 0
    # A writer that died with commits in the WAL (no checkpoint), whose -shm is gone.
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "c.execute(\"UPDATE papers SET note = 'only in the wal' WHERE id = 2\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], check=True)
    db.with_name("readq.db-shm").unlink()
    assert db.with_name("readq.db-wal").stat().st_size > 0
    _fill(full_disk)
    result = run_readq(["--db", str(db), "list"])
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == (
        f"readq: {db}: the disk is full, and its write-ahead log (readq.db-wal) holds changes "
        "not yet in the library file; free some space so that readq can read them"
    )
    for filler in full_disk.glob("filler*"):
        filler.unlink()
    assert run_readq(["--db", str(db), "note", "2"]).stdout == "only in the wal\n"


def _file_size_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))


def test_case12_17_reading_past_a_file_size_limit(tmp_path: Path) -> None:
    """The same without root: no file may grow past 8 KiB, so the -shm (32 KiB) cannot be
    made; a read still works, and says why it is read-only."""
    listing = write_listing(tmp_path / "a.txt", "limit", 30)
    assert run_readq(["ingest", str(listing)]).returncode == 0
    result = run_readq(["list"], preexec_fn=_file_size_limit)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1 + 30  # header + rows
    assert result.stderr.startswith(
        "readq: the library cannot be written (disk full, or a file size limit?): library "
        "opened read-only"
    ), result.stderr
    out = tmp_path / "out.csv"
    exported = run_readq(["export", "-f", "csv", "-o", str(out)], preexec_fn=_file_size_limit)
    assert exported.returncode == 0, exported.stderr
    assert "problem number 29 " in out.read_text()
