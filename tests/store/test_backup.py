"""``readq backup`` and the automatic backup written before a schema migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations
from support.exportlib import build_library, snapshot

from readq import migrations as mig
from readq import schema
from readq.backup import verify_backup
from readq.cli import cli
from readq.store import Store


def test_backup_command_writes_a_verified_copy(tmp_path: Path) -> None:
    db = tmp_path / "data" / "readq.db"
    db.parent.mkdir()
    with Store.open(db) as store:
        build_library(store)
        # An uncommitted-to-the-main-file (WAL) write must be in the copy too.
        store.save_note(4, "only in the WAL so far")
        expected = snapshot(store)
        runner = CliRunner()
        result = runner.invoke(cli, ["--db", str(db), "backup"])
        assert result.exit_code == 0, result.output
        (written,) = (tmp_path / "data" / "backups").glob("readq-*.db")
        assert result.stdout == f"backed up 4 papers to {written}\n"
        second = runner.invoke(cli, ["--db", str(db), "backup"])
        assert second.exit_code == 0
        assert len(list((tmp_path / "data" / "backups").glob("readq-*.db"))) == 2
    verify_backup(written)
    assert not Path(str(written) + "-wal").exists()
    with Store.open(written) as copy:
        assert snapshot(copy) == expected


def test_backup_to_a_path_and_refusals(tmp_path: Path) -> None:
    db = tmp_path / "readq.db"
    with Store.open(db) as store:
        build_library(store)
    runner = CliRunner()
    target = tmp_path / "copies" / "mine.db"
    assert runner.invoke(cli, ["--db", str(db), "backup", str(target)]).exit_code == 0
    verify_backup(target)
    again = runner.invoke(cli, ["--db", str(db), "backup", str(target)])
    assert again.exit_code == 1 and "already exists" in again.stderr
    missing = runner.invoke(cli, ["--db", str(tmp_path / "nothing.db"), "backup"])
    assert missing.exit_code == 1 and "no library at" in missing.stderr
    assert not (tmp_path / "nothing.db").exists()


def test_a_migration_is_preceded_by_a_verified_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library at the current schema, opened by a readq with one more (fake) migration."""
    db = tmp_path / "readq.db"
    with Store.open(db) as store:
        build_library(store)
        before = snapshot(store)
        applied_before = store.applied_migrations()

    fake = Migrations(mig.MIGRATION_SET)
    for existing in mig.migrations._migrations:
        fake(name=existing.name)(existing.fn)

    @fake(name="m999_test_only_column")
    def m999(db: Database) -> None:
        db.execute("ALTER TABLE papers ADD COLUMN test_only TEXT")

    monkeypatch.setattr(mig, "migrations", fake)
    extra = "m999_test_only_column"
    monkeypatch.setattr(mig, "KNOWN_MIGRATIONS", (*mig.KNOWN_MIGRATIONS, extra))
    monkeypatch.setattr(schema, "MIGRATION_NAMES", (*schema.MIGRATION_NAMES, extra))
    backups = tmp_path / "backups"
    with Store.open(db, backup_dir=backups) as store:
        assert store.applied_migrations()[-1] == "m999_test_only_column"
        columns = {r[1] for r in store.conn.execute("PRAGMA table_info(papers)")}
        assert "test_only" in columns
    (backup,) = backups.glob("*.db")
    assert "before-m999_test_only_column" in backup.name
    verify_backup(backup)
    conn = sqlite3.connect(backup)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        columns = {r[1] for r in conn.execute("PRAGMA table_info(papers)")}
    finally:
        conn.close()
    assert names == applied_before
    assert "test_only" not in columns
    monkeypatch.undo()
    with Store.open(backup) as copy:
        assert snapshot(copy) == before
