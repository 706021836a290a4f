"""A damaged library: detect it, move it aside untouched, and restore a verified backup.

``PRAGMA quick_check`` reads every page, so it costs time proportional to the file: measured
here at 100k papers (237 MB) 1.1-1.5 s with a warm page cache and 6 s cold (``integrity_check``
3.6 s warm). Too slow for every start, so readq runs it

* on CLI commands that write (ingest, import, mark, star, unstar, rename, changing a note),
  before the first write: a damaged file is never written to;
* at TUI start, in a worker thread on a read-only connection (the first list is not delayed);
* whenever SQLite reports corruption (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``) or the file is not
  a SQLite database at all, on any command.

The check itself runs on a read-only connection, so finding damage writes nothing. A damaged
file is renamed (with its ``-wal`` and ``-shm``) to ``readq.db.corrupt-<timestamp>``, never
modified or deleted, and the user is told which verified backup to restore with
``readq restore PATH``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from readq.dberrors import describe_sqlite_error
from readq.paths import Paths
from readq.store import CorruptDatabaseError, Store, StoreError, UnwritableLibraryError

SIDE_FILES = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a library; they move with it."""

CORRUPTION_ERRORS = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


class LibraryDamagedError(StoreError):
    """The library failed its check and was moved aside; the message says what to do."""

    def __init__(self, message: str, moved_to: Path | None, backup: Path | None) -> None:
        super().__init__(message)
        self.moved_to = moved_to
        self.backup = backup


class RestoreError(StoreError):
    """A backup could not be restored (missing, not verified, or could not be written)."""


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """What ``restore_backup`` did."""

    restored_from: Path
    papers: int
    previous_moved_to: Path | None


def is_corruption(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite saying the file is damaged or not a database."""
    if isinstance(exc, CorruptDatabaseError):
        return True
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.split("_")[:2] == ["SQLITE", "CORRUPT"] or name in CORRUPTION_ERRORS:
        return True
    text = str(exc)
    return "malformed" in text or "file is not a database" in text


def quick_check(db: Path) -> str | None:
    """Run ``PRAGMA quick_check`` on a read-only connection: None if ok, else what it found.

    A file that cannot be read at all (permissions, read-only directory without its ``-shm``)
    raises ``StoreError`` with a clear message: that is not damage.
    """
    if not db.exists() or db.stat().st_size == 0:
        return None
    # The header is read through SQLite, never a plain open(): closing any descriptor of the
    # file drops every POSIX lock this process holds on it (the TUI's own connection), after
    # which another process closing its connection deletes the live WAL and later commits of
    # the TUI (note autosaves) are lost. SQLite defers such closes itself.
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=15.0)
    except sqlite3.OperationalError as exc:
        raise StoreError(f"{db}: {describe_sqlite_error(exc, db)}") from None
    except OSError as exc:
        raise StoreError(f"{db}: cannot read the library ({exc})") from None
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if "file is not a database" in str(exc):
            return "not a SQLite database"
        if is_corruption(exc):
            return str(exc)
        raise StoreError(f"{db}: {describe_sqlite_error(exc, db)}") from None
    finally:
        conn.close()
    if rows and rows[0][0] == "ok":
        return None
    return "; ".join(str(r[0]) for r in rows[:3]) if rows else "no answer"


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def move_aside(db: Path, label: str) -> Path:
    """Rename ``db`` and its side files to ``<name>.<label>-<timestamp>``; the new path."""
    target = db.with_name(f"{db.name}.{label}-{_stamp()}")
    db.rename(target)
    for suffix in SIDE_FILES:
        side = db.with_name(db.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def newest_verified_backup(paths: Paths) -> Path | None:
    """The newest backup in the backups directory that passes ``quick_check``."""
    from readq.backup import newest_backup

    try:
        return newest_backup(paths.backup_dir)
    except OSError:
        return None


def report_damage(paths: Paths, detail: str) -> LibraryDamagedError:
    """Move the damaged library aside and build the error that tells the user what next."""
    moved: Path | None = None
    try:
        moved = move_aside(paths.db, "corrupt")
    except OSError as exc:
        where = f"; it could not be moved aside ({exc.strerror or exc}), so it was left as is"
    else:
        where = f"; it was moved, unchanged, to {moved}"
    backup = newest_verified_backup(paths)
    if backup is not None:
        advice = (
            f" The newest verified backup is {backup}: restore it with `readq restore {backup}`."
        )
    else:
        advice = (
            f" No verified backup was found in {paths.backup_dir}; `readq` will start a new, "
            "empty library (the damaged file is kept)."
        )
    message = f"{paths.db}: the library is damaged ({detail}){where}.{advice}"
    return LibraryDamagedError(message, moved, backup)


def open_library(
    paths: Paths, *, check: bool = False, migrate: bool = True, read_only_ok: bool = False
) -> Store:
    """Open the library at ``paths`` (``check``: ``quick_check`` it first, read-only).

    A damaged library is moved aside and ``LibraryDamagedError`` raised; nothing is written
    to it. Other problems raise ``StoreError`` as ``Store.open`` does. ``read_only_ok`` (a
    command that only reads): when the library cannot be written (disk full, read-only
    directory), it is opened read-only instead, and ``Store.opened_read_only_because`` says
    why, for the user to be told.
    """
    if check:
        detail = quick_check(paths.db)
        if detail is not None:
            raise report_damage(paths, detail)
    try:
        return Store.open(paths.db, backup_dir=paths.backup_dir, migrate=migrate)
    except UnwritableLibraryError as exc:
        if not read_only_ok or not paths.db.is_file():
            raise
        return Store.open_read_only(paths.db, reason=exc.reason)
    except CorruptDatabaseError:
        # Only a file that really fails the check is moved aside.
        detail = quick_check(paths.db)
        if detail is None:
            raise
        raise report_damage(paths, detail) from None
    except sqlite3.OperationalError as exc:  # e.g. cannot open: missing or read-only directory
        raise StoreError(f"{paths.db}: {describe_sqlite_error(exc, paths.db)}") from None


def restore_backup(paths: Paths, backup: Path) -> RestoreResult:
    """Put a verified copy of ``backup`` in place of the library (SQLite backup API).

    The backup is verified first and the copy again before it is renamed into place; an
    existing library is moved aside (``readq.db.replaced-<timestamp>``), never deleted.
    Refused (``RestoreError`` naming them) while any readq process has the library open: it
    would go on writing to the file moved aside. The library stays locked until the new file
    is in place, so no readq opens it halfway.
    """
    from readq.backup import BackupError, verify_backup
    from readq.holders import LibraryInUseError, exclusive

    backup = backup.expanduser().absolute()
    if not backup.is_file():
        raise RestoreError(f"{backup}: no such backup file")
    try:
        verify_backup(backup)
    except (BackupError, sqlite3.Error) as exc:
        raise RestoreError(f"{backup}: not a verified readq backup ({exc})") from None
    if backup.resolve() == paths.db.resolve():
        raise RestoreError(f"{backup} is the library itself")
    try:
        paths.data_dir.mkdir(parents=True, exist_ok=True)
        with exclusive(paths.db):
            return _restore_locked(paths, backup)
    except LibraryInUseError as exc:
        raise RestoreError(f"cannot restore now: {exc}. Nothing was changed.") from None
    except OSError as exc:
        raise RestoreError(f"could not restore {backup}: {exc.strerror or exc}") from None


def _restore_locked(paths: Paths, backup: Path) -> RestoreResult:
    """:func:`restore_backup` once no other readq has the library open."""
    from readq.backup import BackupError, verify_backup

    partial = paths.db.with_name(paths.db.name + ".restoring")
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(str(partial))
            try:
                source.backup(dest)
                dest.execute("PRAGMA journal_mode = WAL")
            finally:
                dest.close()
        finally:
            source.close()
        verify_backup(partial)
        with Store.open(partial, migrate=False, register=False) as store:
            store.applied_migrations()
            papers = store.count()
        previous: Path | None = None
        if paths.db.exists():
            previous = move_aside(paths.db, "replaced")
        partial.replace(paths.db)
        for suffix in SIDE_FILES:
            paths.db.with_name(partial.name + suffix).unlink(missing_ok=True)
    except (OSError, sqlite3.Error, BackupError, StoreError) as exc:
        partial.unlink(missing_ok=True)
        reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
        raise RestoreError(f"could not restore {backup}: {reason}") from None
    return RestoreResult(restored_from=backup, papers=papers, previous_moved_to=previous)


class LibraryCheck:
    """``quick_check`` of the library in a background thread (the TUI's start-up check).

    ``on_damage(detail)`` is called from the thread when the file is damaged; :meth:`stop`
    returns what was found (None if the file is fine or the check has not finished).
    """

    def __init__(
        self,
        db: Path,
        on_damage: Callable[[str], None],
        after: threading.Event | None = None,
    ) -> None:
        self.db = db
        self.on_damage = on_damage
        self.after = after
        """The check starts when this is set (or after 5 s): the TUI's first paint goes first."""
        self.detail: str | None = None
        self._thread = threading.Thread(target=self._run, name="readq-quick-check", daemon=True)

    def start(self) -> None:
        """Start the check."""
        self._thread.start()

    def _run(self) -> None:
        if self.after is not None:
            self.after.wait(timeout=5.0)
        try:
            detail = quick_check(self.db)
        except (StoreError, sqlite3.Error, OSError):
            return  # unreadable is reported by the app's own reads; not damage
        if detail is not None:
            self.detail = detail
            self.on_damage(detail)

    def stop(self) -> str | None:
        """What the check found so far (the thread is not waited for)."""
        return self.detail
