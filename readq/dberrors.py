"""Plain-language descriptions of SQLite errors (disk full, read-only, busy, cannot open).

Used wherever a failed open or write is reported to the user, so that "disk I/O error" or
"attempt to write a readonly database" comes with what it means and what to check.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def describe_sqlite_error(exc: sqlite3.Error, path: Path | None = None) -> str:
    """One line saying what went wrong with the library file, from SQLite's error code.

    ``path``: the library; an I/O error on a file system with no space left is then said to
    be a full disk (SQLite reports a ``-shm`` it cannot grow as a plain I/O error)."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc) or type(exc).__name__
    full = name.startswith("SQLITE_IOERR") and path is not None and disk_full(path)
    if name == "SQLITE_FULL" or "disk is full" in text or full:
        return "the disk is full (nothing was written; free some space and try again)"
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return (
            f"{text}: the library file could not be written (is the disk full, or the file "
            "over a size limit?); nothing was changed"
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return (
            "the library is read-only (check the permissions of the file and of its "
            "directory, which must be writable); nothing was changed"
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return (
            "cannot open the library file (check that its directory exists and is "
            "writable, and the file's permissions)"
        )
    if is_busy(exc):
        return "the library is busy (another process held it too long); try again"
    return text


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` only means another connection holds the library's write lock (the
    write is worth retrying once that writer is done: nothing is wrong with the library).
    SQLite's error code says so; the message decides when there is none."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    if name:
        return name.startswith("SQLITE_BUSY")
    return "database is locked" in str(exc) or "busy" in str(exc)


def is_unwritable(exc: BaseException) -> bool:
    """Whether ``exc`` says the library cannot be written (a full disk, a read-only file or
    directory, an I/O error creating the WAL or its ``-shm``): reading may still work."""
    if not isinstance(exc, sqlite3.OperationalError) or is_busy(exc):
        return False
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    if name:
        return name.split("_")[1] in ("FULL", "IOERR", "READONLY", "CANTOPEN")
    text = str(exc)
    return any(
        part in text for part in ("disk is full", "disk I/O error", "readonly", "unable to open")
    )


def unwritable_reason(exc: BaseException) -> str:
    """A few words for why the library cannot be written, from SQLite's error."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc)
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return "the library is read-only"
    if name == "SQLITE_FULL" or "disk is full" in text:
        return "the disk is full"
    return "the library cannot be written (disk full, or a file size limit?)"


def disk_full(path: Path) -> bool:
    """Whether the file system holding the file ``path`` has (almost) no space left: less
    than SQLite needs to create a WAL index (32 KiB) and a first WAL frame."""
    try:
        info = os.statvfs(path.parent)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < 64 * 1024
