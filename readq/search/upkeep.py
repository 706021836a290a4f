"""Keeping the persisted search index (:mod:`readq.search.cache`) up to date from the commands
that commit papers (``readq ingest``, ``readq import``, ``readq add``).

Why: only the TUI used to save the index, so the first ``readq`` (or ``readq list --query``)
after a big ingest built it from scratch: ~13 s at 100k papers, ~2 min at 1M, with the wrong
(plain-word) semantics meanwhile. Here the writer brings the saved index up to date in the same
command, after its transaction committed:

* a usable cache is loaded and caught up (:func:`readq.search.cache.load`: postings are
  appended for new papers, changed ones re-read) and saved again;
* a missing, damaged, stale or foreign cache is never trusted (``load`` checks it against the
  library) and the index is built and saved.

The cache is never part of the library's transaction, so a crash between the commit and the
save leaves the previous cache in place: its fingerprint shows the library only grew since, and
the next start catches up from it instead of building. For the same reason :func:`prepare`
saves the (empty) index of an empty library before the first write, so that even the first
ingest interrupted after its commit is caught up, not rebuilt.

Everything here is best effort: the papers are already stored, and a failure only means the
next start builds the index as before.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from pathlib import Path

from readq.search import cache
from readq.search.engine import SearchEngine
from readq.store import Store


class Outcome(enum.Enum):
    """What :func:`update` did to the saved index."""

    CURRENT = "current"
    """The saved index already held every added or changed paper: nothing written (status
    and star are re-read from the library at every load anyway)."""
    CAUGHT_UP = "caught up"
    """The saved index was behind: the changes were added to it and it was saved."""
    BUILT = "built"
    """No usable saved index (missing, damaged, stale or another library's): built and saved."""
    FAILED = "failed"
    """The index could not be saved (e.g. a read-only directory); the next start builds it."""


@dataclass(frozen=True)
class UpkeepReport:
    """The outcome of :func:`update`, with the papers indexed and the seconds it took."""

    outcome: Outcome
    papers: int
    seconds: float


def prepare(store: Store, path: Path | None = None) -> bool:
    """Before a command writes to an empty library: save the empty index if there is no usable
    one, so that a crash after the command's commit leaves a cache the next start catches up
    from rather than building. True if a cache was written. Cheap: it only acts on an empty
    library (a non-empty one without a cache is built by :func:`update` anyway)."""
    path = path if path is not None else cache.default_path(store)
    try:
        if store.conn.execute("SELECT 1 FROM papers LIMIT 1").fetchone() is not None:
            return False
        if path.exists():
            current = cache.load(store, path, orders=False)
            if current is not None:
                current.close()
                return False
        engine = SearchEngine.load(store, orders=False)
        try:
            return cache.save(engine, path)
        finally:
            engine.close()
    except Exception:  # the cache is optional: never fail the write for it
        return False


def update(store: Store, path: Path | None = None) -> UpkeepReport:
    """Bring the saved index of ``store``'s library up to date with what is committed (call
    after the write's transaction). The sort orders are saved with it, so a start computes
    nothing. Never raises for a cache problem (the outcome says ``FAILED``)."""
    started = time.perf_counter()
    path = path if path is not None else cache.default_path(store)
    engine: SearchEngine | None = None
    try:
        engine = cache.load(store, path, orders=True, split=True)
        if engine is None:
            outcome = Outcome.BUILT
            engine = cache.build(store, own_load=cache.WRITER_LOAD)
        elif engine.unsaved_rows:
            outcome = Outcome.CAUGHT_UP
        else:
            outcome = Outcome.CURRENT
        if outcome is not Outcome.CURRENT and not cache.save(engine, path):
            outcome = Outcome.FAILED
        papers = len(engine)
    except Exception:  # the cache is optional: the papers are stored either way
        outcome, papers = Outcome.FAILED, 0
    finally:
        if engine is not None:
            engine.close()
    return UpkeepReport(outcome, papers, time.perf_counter() - started)


__all__ = ["Outcome", "UpkeepReport", "prepare", "update"]
