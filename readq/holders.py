"""Which readq processes have a library open, so that ``readq restore`` never swaps the file
from under one of them.

A process that keeps writing to a library after ``restore`` moved it aside writes into the
moved-aside file: a note typed in an open TUI after the restore would be in
``readq.db.replaced-<ts>`` only. So every open library is registered beside it:

* ``readq.db.lock``: every process holding the library open holds an advisory ``flock`` on it,
  shared; ``restore`` takes it exclusive and non-blocking, and refuses when it cannot. The
  kernel drops a process's lock when it exits, however it exits (kill -9 included), so a
  crashed readq never blocks a restore. Opening a library while a restore holds the lock
  waits for the restore to finish (it then opens the restored file).
* ``readq.db.holders/<pid>.json``: who each holder is (pid, the TUI or which command), only
  to say so in restore's refusal. Files of processes that are gone are ignored, and cleared
  by the next restore.

Why refuse rather than have every open readq notice the new file and reopen it: what an open
TUI holds (its undo history, selection, queued marks, note drafts and the search index) is
keyed by paper ids of the library it opened, and a restored backup can lack those papers or
give their ids to others; replaying any of it onto the restored file could write to the wrong
paper. A refusal loses nothing, and the user picks the moment (quit the TUI, then restore).

Registration is best-effort: a library in a read-only directory or on a full disk (where the
lock file cannot be created) is still opened; only then can a restore not see the holder,
and such a library cannot be restored into either.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

LOCK_WAIT_SECONDS = 120.0
"""How long opening a library waits for a restore in progress (copying and verifying a
100k-paper library takes a few seconds)."""

_role = "a readq process"
_registry_lock = threading.Lock()
_registrations: dict[str, _Registration] = {}


class LibraryInUseError(Exception):
    """Another readq process (or this one) has the library open; the message names them."""

    def __init__(self, message: str, holders: list[Holder]) -> None:
        super().__init__(message)
        self.holders = holders


class LibraryBusyError(Exception):
    """The library stayed locked by a restore for longer than :data:`LOCK_WAIT_SECONDS`."""


@dataclass(frozen=True, slots=True)
class Holder:
    """One process holding a library open, as it registered itself."""

    pid: int
    role: str

    def describe(self) -> str:
        """``the TUI (pid 123)``."""
        here = ", this process" if self.pid == os.getpid() else ""
        return f"{self.role} (pid {self.pid}{here})"


def set_role(role: str) -> None:
    """Say what this process is (``the TUI``, ``\\`readq ingest\\```): shown to a restore that
    finds the library open. Set by the entry points before the library is opened."""
    global _role
    _role = role


def lock_path(db: Path) -> Path:
    """The lock file of the library at ``db``."""
    return db.with_name(db.name + ".lock")


def holders_dir(db: Path) -> Path:
    """The directory of the holders' pid files of the library at ``db``."""
    return db.with_name(db.name + ".holders")


class _Registration:
    """This process's shared lock on one library and its pid file (counted: every Store and
    reader connection of the process shares one)."""

    def __init__(self, key: str, fd: int, pid_file: Path | None) -> None:
        self.key = key
        self.fd = fd
        self.pid_file = pid_file
        self.count = 1
        self.owner = os.getpid()
        """A forked child inherits the entry; only the process that wrote the pid file
        removes it."""


@dataclass(slots=True)
class Registration:
    """A handle given to one open Store; :func:`release` it when the Store closes."""

    key: str
    released: bool = False


def _key(db: Path) -> str:
    """The library's real path: a process that opened it through a symbolic link holds the
    same lock file as one that named the file itself."""
    return os.path.realpath(os.fspath(db))


def register(db: Path) -> Registration | None:
    """Hold the library at ``db`` open for this process: its lock shared, its pid file written.

    Waits while a restore holds the lock (``LibraryBusyError`` after :data:`LOCK_WAIT_SECONDS`).
    Returns None when the lock file cannot be created (read-only directory, full disk).
    """
    key = _key(db)
    with _registry_lock:
        existing = _registrations.get(key)
        if existing is not None:
            existing.count += 1
            return Registration(key)
        try:
            fd = os.open(lock_path(Path(key)), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError:
            try:
                fd = os.open(lock_path(Path(key)), os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                return None
        try:
            _lock_shared(fd, Path(key))
        except BaseException:
            os.close(fd)
            raise
        _registrations[key] = _Registration(key, fd, _write_pid_file(Path(key)))
        return Registration(key)


def _lock_shared(fd: int, db: Path) -> None:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    delay = 0.01
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LibraryBusyError(
                    f"{db}: the library is being restored by another readq; try again"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        except OSError:
            return  # a file system without flock: open the library unregistered


def _write_pid_file(db: Path) -> Path | None:
    """Write ``<pid>.json`` (atomically: a restore never reads half of one); None if it cannot
    be written (read-only directory, full disk): the lock alone still protects the library."""
    directory = holders_dir(db)
    target = directory / f"{os.getpid()}.json"
    partial = directory / f".{os.getpid()}.json.partial"
    try:
        directory.mkdir(exist_ok=True)
        partial.write_text(json.dumps({"pid": os.getpid(), "role": _role}), encoding="utf-8")
        partial.replace(target)
    except OSError:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        return None
    return target


def release(registration: Registration | None) -> None:
    """Drop one Store's hold; the last one of the process removes its pid file and unlocks."""
    if registration is None or registration.released:
        return
    registration.released = True
    with _registry_lock:
        entry = _registrations.get(registration.key)
        if entry is None:
            return
        entry.count -= 1
        if entry.count > 0:
            return
        del _registrations[registration.key]
        _drop(entry)


def _drop(entry: _Registration) -> None:
    # The pid file goes first: a restore that gets the lock next finds no stale entry.
    if entry.pid_file is not None and entry.owner == os.getpid():
        with suppress(OSError):
            entry.pid_file.unlink(missing_ok=True)
    os.close(entry.fd)  # closing the descriptor releases the lock


@atexit.register
def _release_all() -> None:
    """At exit, pid files go with their process (the kernel drops the locks anyway)."""
    with _registry_lock:
        for entry in list(_registrations.values()):
            _drop(entry)
        _registrations.clear()


def read_holders(db: Path) -> list[Holder]:
    """The live processes registered as holding ``db`` open (files of dead ones skipped)."""
    found: list[Holder] = []
    try:
        entries = sorted(holders_dir(db).glob("*.json"))
    except OSError:
        return found
    for entry in entries:
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
            pid = int(data["pid"])
            role = str(data["role"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if _alive(pid):
            found.append(Holder(pid, role))
    return found


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    except OverflowError:
        return False
    return True


def in_use_message(db: Path, holders: list[Holder]) -> str:
    """One line saying who has the library open."""
    if holders:
        who = ", ".join(h.describe() for h in holders)
    else:
        who = "another readq process (it did not say which)"
    return f"{db}: the library is open in {who}; close it and try again"


@contextmanager
def exclusive(db: Path) -> Iterator[None]:
    """Hold the library at ``db`` exclusively (no other readq has it open, none can open it
    until the block ends), or raise ``LibraryInUseError`` naming the holders, at once.

    A directory where the lock file cannot be created is not guarded (nothing can register
    there either)."""
    db = Path(_key(db))
    with _registry_lock:
        if _key(db) in _registrations:
            holders = [h for h in read_holders(db) if h.pid == os.getpid()] or [
                Holder(os.getpid(), _role)
            ]
            raise LibraryInUseError(in_use_message(db, holders), holders)
    try:
        fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holders = [h for h in read_holders(db) if h.pid != os.getpid()]
            raise LibraryInUseError(in_use_message(db, holders), holders) from None
        _clear_stale(db)
        yield
    finally:
        os.close(fd)


def _clear_stale(db: Path) -> None:
    """With the lock exclusive no one holds the library: every pid file left is stale."""
    try:
        entries = list(holders_dir(db).iterdir())
    except OSError:
        return
    for entry in entries:
        with suppress(OSError):
            entry.unlink()


def held_elsewhere(db: Path) -> bool | None:
    """Whether another process has the library open right now (a non-blocking probe of the
    lock); None when it cannot be told (no lock file, or it cannot be opened)."""
    db = Path(_key(db))
    try:
        fd = os.open(lock_path(db), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        with _registry_lock:
            ours = _key(db) in _registrations
        mode = fcntl.LOCK_SH if ours else fcntl.LOCK_EX
        try:
            # Our own shared lock never blocks a shared probe; an exclusive holder (a restore)
            # would. Without our own registration, any holder blocks the exclusive probe.
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return None
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False if not ours else None
    finally:
        os.close(fd)
