"""A persisted copy of the search index beside the library, so that a start after the first
does not rebuild it.

The file (``<library>.search-cache``, see :func:`readq.paths.search_cache_path`) is::

    header   magic, format version, payload length, payload CRC-32, fingerprint length
    fingerprint  JSON: the library file's device and inode, the highest paper id indexed, how
             many papers were indexed, the newest ``updated_at`` seen, and a sample of
             ``(id, updated_at)`` pairs
    payload  pickles (protocol 5), one after the other, of the pieces of
             :meth:`SearchEngine.export_state` (small pieces: each unpickling holds the GIL):
             arrays, bytes, ints, str, lists, dicts and sets only; loading refuses any other
             global. The index's postings are kept packed as saved and decoded per word
             on first use (:mod:`readq.search.postings`), and its sorted vocabulary is saved
             with it: a load makes few Python objects (0.45 s instead of 0.93 s at 1M papers)

It is written atomically (a temp file, fsync, rename) and never trusted over the library:
:func:`load` returns None (and the caller builds the index) unless the file is complete, its
checksum matches, and the fingerprint shows the library only grew or changed rows since
(no paper deleted, no id reused, ``updated_at`` never went back, same file). Then the engine
catches up with :meth:`SearchEngine.catch_up`: papers added or with a newer ``updated_at``
are re-read and every status and star is read again. A change made behind readq's back that
did not move ``updated_at`` (only to a title, abstract, organisation or note) is not seen,
as it is not by a running engine either.

With no usable cache, :func:`load_or_build` can have a child process build and save the
index (``python -m readq.search.cache DB CACHE``), then load it: the build's CPU time is not
spent under the caller's GIL. When a CPU is idle the child splits the scan with a second
process (:meth:`SearchEngine.load_split`), which gives the same index.
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
from readq.search.build import Collect, StartOther, compact_last_part
from readq.search.engine import SearchEngine
from readq.search.index import SearchCancelled, check
from readq.store import Store

FORMAT_VERSION = 3
"""Bump when the saved state changes shape: older files are then ignored (3: the sorted
vocabulary is saved, and postings are decoded per word on first use)."""
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


def _pieces(state: dict[str, object]) -> list[tuple[str, object]]:
    """The state as a list of ``(dotted key, value)`` pickled one after the other: each
    unpickling is one call holding the GIL, so smaller pieces let the UI thread run between."""
    pieces: list[tuple[str, object]] = []
    for key, value in state.items():
        if key == "index" and isinstance(value, dict):
            pieces.extend((f"index.{k}", v) for k, v in value.items())
        else:
            pieces.append((key, value))
    return pieces


def _assemble(unpickler: pickle.Unpickler) -> dict[str, object]:
    """The state from the pieces written by :func:`_pieces` (``ValueError`` if malformed)."""
    state: dict[str, object] = {}
    index: dict[str, object] = {}
    while True:
        item = unpickler.load()
        if item is None:
            break
        if not isinstance(item, tuple) or len(item) != 2 or not isinstance(item[0], str):
            raise ValueError("bad cache piece")
        key, value = item
        if key.startswith("index."):
            index[key.removeprefix("index.")] = value
        else:
            state[key] = value
    state["index"] = index
    return state


def default_path(store: Store) -> Path:
    """Where the cache of ``store``'s library lives."""
    return search_cache_path(Path(store.path))


def _identity(db: Path) -> tuple[int, int]:
    st = os.stat(db)
    return st.st_dev, st.st_ino


def _fingerprint(engine: SearchEngine, db: Path) -> dict[str, object]:
    """What :func:`load` checks against the library (call with the engine's lock held)."""
    ids = engine.ids
    n = len(ids)
    conn = engine.reader.conn
    last = engine.last_updated
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
    split: bool = False,
) -> SearchEngine | None:
    """The engine saved for ``store``'s library, caught up with the library; None when there
    is no usable cache (missing, unreadable, corrupt, another format version, another or
    rewound library). Never raises for a bad cache; ``SearchCancelled`` if cancelled.
    With ``split``, many new papers are scanned in two processes when a CPU is idle (the
    writer's catch-up right after a big ingest, see :mod:`readq.search.upkeep`)."""
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
        state = _assemble(_Unpickler(io.BytesIO(payload)))
        del payload
        engine = SearchEngine.from_state(store, state)
    except SearchCancelled:
        raise
    except Exception:  # unreadable, corrupt or inconsistent: build instead
        return None
    try:
        check(is_cancelled)
        starter = _start_part(Path(store.path)) if split and _idle_cpu(WRITER_LOAD) else None
        engine.catch_up(orders=orders, split=starter)
    except SearchCancelled:
        engine.close()
        raise
    except Exception:  # a state that does not fit the library after all: build instead
        engine.close()
        return None
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
    db = Path(engine.reader.path)
    path = path if path is not None else search_cache_path(db)
    temp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        _remove_stale_temps(path)
        with open(temp, "wb") as file:
            with engine.lock:
                if engine.has_deleted:
                    raise _Skip
                meta = json.dumps(_fingerprint(engine, db)).encode()
                file.write(_HEADER.pack(MAGIC, FORMAT_VERSION, 0, 0, len(meta)))
                file.write(meta)
                writer = _CrcWriter(file)
                pickler = pickle.Pickler(writer, protocol=5)  # type: ignore[arg-type]
                for item in _pieces(engine.export_state()):
                    pickler.dump(item)
                pickler.dump(None)
                saved_rows = engine.unsaved_rows
            file.seek(0)
            file.write(_HEADER.pack(MAGIC, FORMAT_VERSION, writer.size, writer.crc, len(meta)))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
        _sync_dir(path.parent)
        with engine.lock:
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
    return engine.unsaved_rows > max(2000, engine.indexed // 50)


def load_or_build(
    store: Store,
    path: Path | None = None,
    *,
    orders: bool = True,
    is_cancelled: Callable[[], bool] | None = None,
    child_min: int | None = None,
) -> tuple[SearchEngine, bool]:
    """The cached engine if usable, else a fresh build; the flag is True when it was built in
    this process (so the caller may :func:`save` it).

    With ``child_min``, a library of at least that many papers is built by a child process
    (:func:`build_in_child`) that saves the cache, which is then loaded here: the build's
    CPU time does not hold this process's GIL. If that fails, the build runs here.
    """
    engine = load(store, path, orders=orders, is_cancelled=is_cancelled)
    if engine is not None:
        return engine, False
    if child_min is not None:
        count = int(store.conn.execute("SELECT count(*) FROM papers").fetchone()[0])
        if count >= child_min and build_in_child(store, path, is_cancelled=is_cancelled):
            engine = load(store, path, orders=orders, is_cancelled=is_cancelled)
            if engine is not None:
                return engine, False
    return SearchEngine.load(store, orders=orders, is_cancelled=is_cancelled), True


def build_in_child(
    store: Store, path: Path | None = None, *, is_cancelled: Callable[[], bool] | None = None
) -> bool:
    """Build and save the index of ``store``'s library in a child process
    (``python -m readq.search.cache DB CACHE``); True when it wrote the cache.

    The child reads the library read-only and exits when this process goes away (it watches
    its stdin pipe); it is killed if ``is_cancelled()`` turns True (then ``SearchCancelled``).
    """
    import subprocess
    import sys

    db = Path(store.path)
    path = path if path is not None else search_cache_path(db)
    env = _child_env()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "readq.search.cache", str(db), str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except OSError:
        return False
    try:
        while True:
            check(is_cancelled)  # before each wait: a fast child must not outrun a cancel
            try:
                code = child.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                pass
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdin is not None:
            with contextlib.suppress(OSError):
                child.stdin.close()
    return code == 0


def _child_env() -> dict[str, str]:
    import readq

    env = dict(os.environ)
    root = str(Path(readq.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


def _read_only_store(db: Path) -> Store:
    return Store.open_helper_reader(db)


def _start_part(db: Path) -> StartOther:
    """``start_other`` for :meth:`SearchEngine.load_split` and the writer's split catch-up: a
    grandchild process (``python -m readq.search.cache --part DB SPLIT FIRST``) that pickles
    its part to us. If it cannot be started, or is still not done long after this process
    finished its own share (``_PART_PATIENCE``), its result is None: the caller scans that
    part itself."""
    import subprocess
    import sys

    def start(split_id: int, first_doc: int) -> Collect:
        ids = (str(split_id), str(first_doc))
        try:
            part = subprocess.Popen(
                [sys.executable, "-m", "readq.search.cache", "--part", str(db), *ids],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_child_env(),
            )
        except OSError:  # no process to be had (EAGAIN, ENOMEM, ...): scan it here
            return _no_part
        started = time.monotonic()

        def collect(*, abort: bool = False) -> dict[str, object] | None:
            if abort:
                part.kill()
            own_share = time.monotonic() - started
            # A part that hangs must not hang the command: it is given a few times what this
            # process's own share took, then killed (its pickle then fails to load).
            patience = threading.Timer(_PART_PATIENCE * own_share + _PART_GRACE, part.kill)
            patience.daemon = True
            patience.start()
            try:
                state = None if abort else _load_part(part.stdout)
            finally:
                patience.cancel()
                # A complete pickle was read (or it failed): closing the pipe ends the process.
                if part.stdin is not None:
                    with contextlib.suppress(OSError):
                        part.stdin.close()
                part.wait()
            return state if isinstance(state, dict) else None

        return collect

    return start


_PART_PATIENCE = 3.0
"""How many times this process's own share of a split scan the other process may take..."""
_PART_GRACE = 30.0
"""... plus this many seconds (its start, a slow disk)."""


def _no_part(*, abort: bool = False) -> dict[str, object] | None:
    """The :class:`Collect` of a part that could not be started."""
    return None


def _load_part(stream: IO[bytes] | None) -> object:
    """The other process's pickled part (None if it failed or was killed)."""
    try:
        return _Unpickler(stream).load() if stream is not None else None
    except Exception:
        return None


def _exit_with_parent() -> None:
    """In a child: exit as soon as the parent closes our stdin pipe or dies (the kernel kills
    it when the parent dies, see ``readq.childproc``; the stdin pipe covers the rest)."""
    from readq.childproc import die_with_parent

    die_with_parent()

    def watch() -> None:
        with contextlib.suppress(Exception):
            while os.read(0, 4096):
                pass
        os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def _part_main(argv: list[str]) -> int:
    """The grandchild of :func:`_start_part`: pickle :meth:`SearchEngine.scan_part` of library
    ``argv[0]`` from id ``argv[1]`` as documents from ``argv[2]`` to stdout."""
    import sys

    _exit_with_parent()
    store = _read_only_store(Path(argv[0]))
    state = SearchEngine.scan_part(store, int(argv[1]), int(argv[2]))
    compact_last_part(state)
    pickle.dump(state, sys.stdout.buffer, protocol=5)
    sys.stdout.buffer.flush()
    return 0


WRITER_LOAD = 1.0
"""What a writer's own work adds to the 1-minute load average when it catches the index up
(measured 0.5 right after a 100k ingest on an idle machine; it grows with longer ingests)."""
SPLIT_MIN = 20_000
"""From this many papers the child splits the build with a second process (if 2+ CPUs)."""


def _idle_cpu(own: float = 0.0) -> bool:
    """Whether a second process would get a CPU of its own (the 1-minute load average leaves
    one idle). On a busy machine the split build was slower than one process: 19 s against
    14 s at 100k papers with a load of 3.5 on 2 cores. ``own``: how much of the load average
    is the caller's own recent work (an ingest's writer and parser child raise it to ~1.5 by
    the time the writer catches the index up; that load has ended and must not count)."""
    cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return False
    return cpus >= 2 and max(0.0, load - own) + 1.5 <= cpus


def build(store: Store, *, own_load: float = 0.0) -> SearchEngine:
    """The index of ``store``'s library built from scratch, with the newer half of the papers
    scanned by a second process when the library is big and a CPU is idle (``own_load``: see
    :func:`_idle_cpu`); the same index either way."""
    count = int(store.conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    engine = None
    if count >= SPLIT_MIN and _idle_cpu(own_load):
        engine = SearchEngine.load_split(store, _start_part(Path(store.path)))
    return engine if engine is not None else SearchEngine.load(store)


def _child_main(argv: list[str]) -> int:
    """The child of :func:`build_in_child`: build the index of library ``argv[0]`` and save
    it to ``argv[1]``. Exit status 0 when saved."""
    if argv and argv[0] == "--part":
        return _part_main(argv[1:])
    _exit_with_parent()
    db, path = Path(argv[0]), Path(argv[1])
    store = _read_only_store(db)
    engine = build(store)
    try:
        return 0 if save(engine, path) else 1
    finally:
        engine.close()
        store.close()


__all__ = [
    "FORMAT_VERSION",
    "WRITER_LOAD",
    "build",
    "build_in_child",
    "default_path",
    "load",
    "load_or_build",
    "save",
    "worth_saving",
]


if __name__ == "__main__":
    import sys

    # os._exit: the stdin watcher thread must not be waited for at interpreter shutdown.
    os._exit(_child_main(sys.argv[1:]))
