"""Cases 7-9: the library file: corrupt at start, written by a newer readq, migration killed."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from relutil import child_env, integrity, query, run_readq, sha256, write_listing
from support.ptyutil import READQ, PtyProcess, tui_env

from readq.backup import verify_backup
from readq.store import Store


def _db() -> Path:
    return Path(os.environ["READQ_DB"])


def _library_with_backup(tmp_path: Path) -> Path:
    """A library of 300 papers, a verified backup of it, then 200 more papers; the backup."""
    first = run_readq(["ingest", str(write_listing(tmp_path / "a.txt", "alpha", 300))])
    assert first.returncode == 0, first.stderr
    made = run_readq(["backup"])
    assert made.returncode == 0, made.stderr
    backups = sorted((_db().parent / "backups").glob("*.db"))
    assert len(backups) == 1
    second = run_readq(["ingest", str(write_listing(tmp_path / "b.txt", "beta", 200))])
    assert second.returncode == 0, second.stderr
    assert not _db().with_name("readq.db-wal").exists()  # closed cleanly: all in the file
    return backups[0]


def _corrupt_middle(db: Path, seed: int = 7) -> None:
    """Write random bytes over two pages in the middle of the file."""
    size = db.stat().st_size
    offset = (size // 2) // 4096 * 4096
    rng = __import__("random").Random(seed)
    with db.open("r+b") as handle:
        handle.seek(offset)
        handle.write(bytes(rng.randrange(256) for _ in range(8192)))


def _moved_aside(db: Path) -> list[Path]:
    # The library file itself; its -wal / -shm move along with it when they exist (a reader
    # still open at the move leaves a -shm).
    side = ("-wal", "-shm", "-journal")
    return sorted(p for p in db.parent.glob(db.name + ".corrupt-*") if not p.name.endswith(side))


def test_case07_corrupt_library_detected_moved_aside_and_restored(tmp_path: Path) -> None:
    backup = _library_with_backup(tmp_path)
    db = _db()
    _corrupt_middle(db)
    before = sha256(db)
    result = run_readq(["ingest", str(write_listing(tmp_path / "c.txt", "gamma", 10))])
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "damaged" in lines[0]
    assert f"readq restore {backup}" in lines[0]
    assert "Traceback" not in result.stderr
    # Moved aside, byte for byte as it was; nothing was written over it.
    assert not db.exists()
    (moved,) = [p for p in _moved_aside(db) if not p.name.endswith(("-wal", "-shm"))]
    assert sha256(moved) == before
    # The restore command puts the verified backup in place.
    restored = run_readq(["restore", str(backup)])
    assert restored.returncode == 0, restored.stderr
    assert "restored 300 papers" in restored.stdout
    stats = run_readq(["stats", "--json"])
    assert json.loads(stats.stdout)["total"] == 300
    assert integrity(db) == "ok"
    assert sha256(moved) == before
    # Restoring again moves the current library aside instead of overwriting it.
    again = run_readq(["restore", str(backup)])
    assert again.returncode == 0 and "moved to" in again.stdout
    assert list(db.parent.glob("readq.db.replaced-*"))
    # A backup that does not verify is refused.
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    refused = run_readq(["restore", str(bogus)])
    assert refused.returncode == 1 and "not a verified" in refused.stderr
    assert json.loads(run_readq(["stats", "--json"]).stdout)["total"] == 300


def test_case07_damaged_header_detected_on_a_read_command(tmp_path: Path) -> None:
    _library_with_backup(tmp_path)
    db = _db()
    with db.open("r+b") as handle:
        handle.write(os.urandom(100))
    before = sha256(db)
    result = run_readq(["list", "--limit", "3"])
    assert result.returncode == 1
    assert "damaged" in result.stderr and "readq restore" in result.stderr
    assert "Traceback" not in result.stderr
    (moved,) = _moved_aside(db)
    assert sha256(moved) == before


def test_case07_no_backup_says_so(tmp_path: Path) -> None:
    run_readq(["ingest", str(write_listing(tmp_path / "a.txt", "alpha", 300))])
    db = _db()
    _corrupt_middle(db)
    result = run_readq(["mark", "read", "1"])
    assert result.returncode == 1
    assert "No verified backup" in result.stderr
    assert "Traceback" not in result.stderr


def test_case08_newer_database_refused_and_unchanged(tmp_path: Path) -> None:
    run_readq(["ingest", str(write_listing(tmp_path / "a.txt", "alpha", 50))])
    db = _db()
    conn = sqlite3.connect(str(db))
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('readq', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = sha256(db)
    for args in (
        ["list"],
        ["ingest", str(write_listing(tmp_path / "b.txt", "beta", 5))],
        ["mark", "read", "1"],
        ["note", "1", "--set", "hello"],
        [],  # the TUI: refused before it starts
    ):
        result = run_readq(args)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert "newer readq" in result.stderr, args
        assert "Traceback" not in result.stderr
        assert sha256(db) == before, args
    assert query(db, "SELECT count(*) FROM papers") == [(50,)]


SLOW_MIGRATION = textwrap.dedent(
    """
    import sys, time
    from readq import migrations as mig
    from readq.store import Store

    @mig.migrations()
    def m900_test_slow(db):
        db.execute("ALTER TABLE papers ADD COLUMN scratch TEXT")
        db.execute("UPDATE papers SET scratch = title, title = 'CHANGED'")
        db.execute("DELETE FROM paper_sources")
        print("migrating", flush=True)
        time.sleep(60)

    mig.KNOWN_MIGRATIONS = mig.KNOWN_MIGRATIONS + ("m900_test_slow",)
    from readq import schema
    schema.MIGRATION_NAMES = schema.MIGRATION_NAMES + ("m900_test_slow",)
    Store.open(sys.argv[1], backup_dir=__import__("pathlib").Path(sys.argv[2]))
    print("finished", flush=True)
    """
)


def test_case09_migration_killed_midway(tmp_path: Path) -> None:
    run_readq(["ingest", str(write_listing(tmp_path / "a.txt", "alpha", 400))])
    db = _db()
    backups = db.parent / "backups"
    applied_before = query(db, "SELECT name FROM _sqlite_migrations ORDER BY rowid")
    rows_before = query(db, "SELECT id, title, abstract FROM papers ORDER BY id")
    sources_before = query(db, "SELECT count(*) FROM paper_sources")
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_MIGRATION, str(db), str(backups)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "migrating", (line, proc.stderr.read() if proc.stderr else "")
    proc.kill()
    proc.wait(timeout=10)
    assert proc.returncode == -9
    # The previous version is intact: same migrations, same rows, no half-added column.
    assert integrity(db) == "ok"
    assert query(db, "SELECT name FROM _sqlite_migrations ORDER BY rowid") == applied_before
    assert query(db, "SELECT id, title, abstract FROM papers ORDER BY id") == rows_before
    assert query(db, "SELECT count(*) FROM paper_sources") == sources_before
    columns = [r[1] for r in query(db, "PRAGMA table_info(papers)")]
    assert "scratch" not in columns
    # A verified backup from before the migration exists.
    (backup,) = backups.glob("*before-m900_test_slow*.db")
    verify_backup(backup)
    assert query(backup, "SELECT count(*) FROM papers") == [(400,)]
    # And this readq opens the library normally.
    with Store.open(db, check=True) as store:
        assert store.count() == 400
    result = run_readq(["stats", "--json"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] == 400


def test_case07_corrupt_library_at_tui_start(tmp_path: Path) -> None:
    """The TUI's start-up check (a worker thread) finds the damage, the app ends, the file
    is moved aside untouched and the restore command is shown."""
    backup = _library_with_backup(tmp_path)
    db = _db()
    _corrupt_middle(db)
    before = sha256(db)
    with PtyProcess([*READQ, "--db", str(db)], env=tui_env({"READQ_DB": str(db)})) as app:
        status = app.wait(timeout=30)
        output = app.output.decode("utf-8", "replace").replace("\r\n", "").replace("\n", "")
    assert status == 1
    assert "damaged" in output and f"readq restore {backup}" in output
    (moved,) = _moved_aside(db)
    assert sha256(moved) == before
