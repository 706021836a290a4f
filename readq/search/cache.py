"""A persisted copy of the search index beside the library, so that a start after the first
does not rebuild it.

The file (``<library>.search-cache``, see :func:`readq.paths.search_cache_path`) is::

    header   magic, format version, payload length, payload CRC-32, fingerprint length
    fingerprint  JSON: the library file's device and inode, the highest paper id indexed, how
             many papers were indexed, the newest ``updated_at`` seen, and a sample of
             ``(id, updated_at)`` pairs
    payload  pickle (protocol 5) of :meth:`SearchEngine.export_state`: arrays, bytes, ints,
             str, lists, dicts and sets only; loading refuses any other global

It is written atomically (a temp file, fsync, rename) and never trusted over the library:
:func:`load` returns None (and the caller builds the index) unless the file is complete, its
checksum matches, and the fingerprint shows the library only grew or changed rows since
(no paper deleted, no id reused, ``updated_at`` never went back, same file). Then the engine
catches up with :meth:`SearchEngine.catch_up`: papers added or with a newer ``updated_at``
are re-read and every status and star is read again. A change made behind readq's back that
did not move ``updated_at`` (only to a title, abstract, organisation or note) is not seen,
as it is not by a running engine either.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import struct
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from readq.paths import search_cache_path
from readq.search.engine import SearchEngine
from readq.search.index import check
from readq.store import Store

FORMAT_VERSION = 1
"""Bump when the saved state changes shape: older files are then ignored."""
MAGIC = b"RQSI"
_HEADER = struct.Struct("<4sIQII")
_SAMPLES = 32
_STALE_TEMP_SECONDS = 3600


class _CrcWriter:
    """A write-only file wrapper that counts bytes and computes their CRC-32."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.size = 0
        self.crc = 0

    def write(self, data: Any) -> int:
        self.crc = zlib.crc32(data, self.crc)
        written = self.file.write(data)
        self.size += written
        return written


class _Unpickler(pickle.Unpickler):
    """Unpickles plain values and arrays, nothing else (no code runs from the file)."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "array" and name in ("array", "_array_reconstructor"):
            import array as array_module

            return getattr(array_module, name)
        raise pickle.UnpicklingError(f"unexpected global {module}.{name}")


def default_path(store: Store) -> Path:
    """Where the cache of ``store``'s library lives."""
    return search_cache_path(Path(store.path))


def _identity(db: Path) -> tuple[int, int]:
    st = os.stat(db)
    return st.st_dev, st.st_ino


def _fingerprint(engine: SearchEngine, db: Path) -> dict[str, object]:
    """What :func:`load` checks against the library (call with the engine's lock held)."""
    ids = engine._ids
    n = len(ids)
    conn = engine._reader.conn
    last = engine._last_updated
    picked = {ids[i] for i in range(0, n, max(1, n // _SAMPLES))}
    if n:
        picked.add(ids[-1])
    samples: dict[int, str] = {}
    chosen = sorted(picked)
    if chosen:
        marks = ",".join("?" * len(chosen))
        for pid, updated in conn.execute(
            f"SELECT id, updated_at FROM papers WHERE id IN ({marks})", chosen
        ):
            samples[int(pid)] = str(updated)
    for pid, updated in conn.execute(
        "SELECT id, updated_at FROM papers WHERE updated_at <= ? ORDER BY updated_at DESC LIMIT ?",
        (last, _SAMPLES),
    ):
        samples[int(pid)] = str(updated)
    device, inode = _identity(db)
    return {
        "device": device,
        "inode": inode,
        "max_id": ids[-1] if n else 0,
        "count": n,
        "last_updated": last,
        "samples": sorted(samples.items()),
    }


def _matches(meta: dict[str, Any], store: Store) -> bool:
    """Whether the library is the one the cache was made from, only grown or changed since."""
    if (int(meta["device"]), int(meta["inode"])) != _identity(Path(store.path)):
        return False
    conn = store.conn
    max_id = int(meta["max_id"])
    last = str(meta["last_updated"])
    total = int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    newer = int(conn.execute("SELECT count(*) FROM papers WHERE id > ?", (max_id,)).fetchone()[0])
    if total - newer != int(meta["count"]):
        return False  # papers deleted (a restore?) or ids below the highest reused
    top = conn.execute("SELECT max(updated_at) FROM papers").fetchone()[0]
    if last and (top is None or str(top) < last):
        return False  # the library went back in time
    samples = [(int(pid), str(updated)) for pid, updated in meta["samples"]]
    if samples:
        marks = ",".join("?" * len(samples))
        current = {
            int(pid): str(updated)
            for pid, updated in conn.execute(
                f"SELECT id, updated_at FROM papers WHERE id IN ({marks})",
                [pid for pid, _ in samples],
            )
        }
        for pid, updated in samples:
            now = current.get(pid)
            if now is None or (now != updated and now <= last):
                return False
    return True


def load(
    store: Store,
    path: Path | None = None,
    *,
    orders: bool = True,
    is_cancelled: Callable[[], bool] | None = None,
) -> SearchEngine | None:
    """The engine saved for ``store``'s library, caught up with the library; None when there
    is no usable cache (missing, unreadable, corrupt, another format version, another or
    rewound library). Never raises for a bad cache; ``SearchCancelled`` if cancelled."""
    path = path if path is not None else default_path(store)
    try:
        with open(path, "rb") as file:
            header = file.read(_HEADER.size)
            if len(header) != _HEADER.size:
                return None
            magic, version, size, crc, meta_size = _HEADER.unpack(header)
            if magic != MAGIC or version != FORMAT_VERSION or meta_size > 1 << 20:
                return None
            meta = json.loads(file.read(meta_size))
            if not isinstance(meta, dict) or not _matches(meta, store):
                return None
            check(is_cancelled)
            if os.fstat(file.fileno()).st_size != _HEADER.size + meta_size + size:
                return None
            payload = file.read(size)
        if len(payload) != size or zlib.crc32(payload) != crc:
            return None
        check(is_cancelled)
        state = _Unpickler(io.BytesIO(payload)).load()
        del payload
        if not isinstance(state, dict):
            return None
        engine = SearchEngine.from_state(store, state)
    except (OSError, ValueError, KeyError, TypeError, EOFError, IndexError, AttributeError):
        return None
    except (pickle.UnpicklingError, MemoryError, OverflowError, struct.error):
        return None
    try:
        check(is_cancelled)
        engine.catch_up(orders=orders)
    except BaseException:
        engine.close()
        raise
    return engine


def save(engine: SearchEngine, path: Path | None = None) -> bool:
    """Write ``engine``'s state for the next start (atomically: temp file, fsync, rename).

    Holds the engine's lock while it serialises (searches wait), not while it syncs to disk;
    never writes to the library. Returns False (and leaves no file behind) if the cache could
    not be written; a library with deleted papers is not cached.
    """
    db = Path(engine._reader.path)
    path = path if path is not None else search_cache_path(db)
    temp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        _remove_stale_temps(path)
        with open(temp, "wb") as file:
            with engine._lock:
                if engine._alive.bit_count() != engine._index.n:
                    raise _Skip
                meta = json.dumps(_fingerprint(engine, db)).encode()
                file.write(_HEADER.pack(MAGIC, FORMAT_VERSION, 0, 0, len(meta)))
                file.write(meta)
                writer = _CrcWriter(file)
                pickle.dump(engine.export_state(), writer, protocol=5)  # type: ignore[arg-type]
                saved_rows = engine.unsaved_rows
            file.seek(0)
            file.write(_HEADER.pack(MAGIC, FORMAT_VERSION, writer.size, writer.crc, len(meta)))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
        _sync_dir(path.parent)
        with engine._lock:
            engine.unsaved_rows = max(0, engine.unsaved_rows - saved_rows)
        return True
    except Exception:  # a cache is optional: any failure just means no cache
        with contextlib.suppress(OSError):
            temp.unlink()
        return False


class _Skip(Exception):
    """This engine is not worth caching."""


def _sync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_stale_temps(path: Path) -> None:
    """Temp files left by a process killed while writing (older than an hour)."""
    cutoff = time.time() - _STALE_TEMP_SECONDS
    for leftover in path.parent.glob(path.name + ".*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def worth_saving(engine: SearchEngine) -> bool:
    """Whether enough papers were added or changed since the cache was written that the next
    start would spend noticeable time catching up (over 2% of the library, at least 2,000)."""
    return engine.unsaved_rows > max(2000, engine._index.n // 50)


def load_or_build(
    store: Store,
    path: Path | None = None,
    *,
    orders: bool = True,
    is_cancelled: Callable[[], bool] | None = None,
) -> tuple[SearchEngine, bool]:
    """The cached engine if usable, else a fresh build; the flag is True when it was built
    (so the caller may :func:`save` it)."""
    engine = load(store, path, orders=orders, is_cancelled=is_cancelled)
    if engine is not None:
        return engine, False
    return SearchEngine.load(store, orders=orders, is_cancelled=is_cancelled), True


__all__ = [
    "FORMAT_VERSION",
    "default_path",
    "load",
    "load_or_build",
    "save",
    "worth_saving",
]
