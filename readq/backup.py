"""Consistent copies of the live library (SQLite's backup API), verified after writing."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class BackupError(Exception):
    """The backup could not be written or did not verify."""


def backup_database(source: sqlite3.Connection, target: Path) -> Path:
    """Write a consistent copy of the library open on ``source`` to ``target`` and check that
    it opens cleanly (``Store.backup`` calls it: this module never imports the store).

    Uses the SQLite online backup API (never a file copy, which can miss WAL content).
    The copy is written beside the target and renamed into place only once verified.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot create {target.parent}: {exc.strerror}") from None
    if target.exists():
        raise BackupError(f"{target} already exists; not overwriting it")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        dest = sqlite3.connect(str(partial))
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        verify_backup(partial)
        partial.replace(target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup to {target} failed: {exc}") from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup to {target} failed: {exc.strerror or exc}") from None
    return target


def verify_backup(path: Path) -> None:
    """Raise ``BackupError`` unless ``path`` is a SQLite file that passes ``quick_check``."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()
        if result is None or result[0] != "ok":
            raise BackupError(f"backup {path} did not verify: {result}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


def newest_backup(backup_dir: Path) -> Path | None:
    """The most recent backup in ``backup_dir`` that verifies, or None."""
    if not backup_dir.is_dir():
        return None
    for candidate in sorted(backup_dir.glob("*.db"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            verify_backup(candidate)
        except (BackupError, sqlite3.Error):
            continue
        return candidate
    return None
