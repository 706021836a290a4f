"""The search engine: an in-memory index of a library, queried on every keystroke.

See :mod:`readq.search` for the public API and the ranking rules. :class:`SearchEngine` is the
facade: it holds the lock and the engine's own read-only connection, and hands each job to the
module that does it:

* :mod:`readq.search.documents`: the row shape, the one row decoder, every SQL statement;
* :mod:`readq.search.state`: the per-paper state every part shares;
* :mod:`readq.search.build`: the first build (and the two-process split build);
* :mod:`readq.search.sync`: catching up with the library, per-paper changes, the trash;
* :mod:`readq.search.matching`: words to document sets (prefixes, plurals, typos), highlights;
* :mod:`readq.search.evaluate`: queries to ranked document sets;
* :mod:`readq.search.orders`: sort orders, kept as SQLite's ``ORDER BY`` would give them;
* :mod:`readq.search.snapshot`: the state as plain values for the persisted cache;
* :mod:`readq.search.result`: the lazy, ordered ids of one search.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Sequence

from readq.models import SortKey, Stats, Status
from readq.search import bitset, build, snapshot
from readq.search.documents import STATUSES, LibraryRows
from readq.search.evaluate import RANKED_TERMS, Evaluator
from readq.search.index import Posting
from readq.search.matching import (
    ABSTRACT_PREFIX_MIN,
    SNIPPET_CHARS,
    TYPO_MIN,
    Highlights,
    WordMatcher,
    make_highlights,
    max_typos,
    plurals,
)
from readq.search.orders import SortOrders
from readq.search.query import Field, Query, ViewFilter, parse_query
from readq.search.result import SearchResult
from readq.search.state import PaperState
from readq.search.sync import Sync
from readq.store import Store

CLOSE_WAIT_SECONDS = 1.0
"""How long :meth:`SearchEngine.close` waits for a thread using the connection."""


class SearchEngine:
    """An in-memory index of a library; thread-safe (calls are serialised by a lock)."""

    def __init__(self, reader: Store) -> None:
        self._reader = reader
        self._lock = threading.RLock()
        self._rows = LibraryRows(reader)
        self._state = PaperState()
        self._matcher = WordMatcher(self._state)
        self._sort_orders = SortOrders(self._state, self._rows)
        self._evaluator = Evaluator(self._state, self._rows, self._matcher, self._sort_orders)
        self._sync = Sync(
            self._state, self._rows, self._matcher, self._evaluator, self._sort_orders
        )

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(
        cls,
        store: Store,
        *,
        orders: bool = True,
        is_cancelled: Callable[[], bool] | None = None,
    ) -> SearchEngine:
        """Build the index of every paper in ``store``'s library (with ``orders``, also the
        published/upvotes/title sort orders, else they are computed on first use).

        The engine keeps its own read-only connection (for phrases, rows and highlights), so
        it may be used from any thread.
        """
        engine = cls(store.open_reader())
        with engine._lock:
            engine._sync.data_version = engine._rows.data_version()
            build.build(engine._state, engine._rows, is_cancelled)
            engine._matcher.warm()
            if orders:
                engine.prepare_orders()
        return engine

    @classmethod
    def load_split(
        cls,
        store: Store,
        start_other: build.StartOther,
        *,
        orders: bool = True,
        is_cancelled: Callable[[], bool] | None = None,
    ) -> SearchEngine | None:
        """Build as :meth:`load` does, with the newer half of the papers scanned by another
        process: ``start_other(split_id, first_doc)`` starts it on the papers with
        ``id >= split_id`` (see :meth:`scan_part`) and returns a function that waits for its
        :meth:`scan_part` result (None if it failed). The result is the same index as
        :meth:`load` builds. None when the split failed (papers deleted or added below the
        split meanwhile, or the other process failed): build with :meth:`load` then."""
        engine = cls(store.open_reader())
        built = False
        try:
            with engine._lock:
                engine._sync.data_version = engine._rows.data_version()
                if not build.build_split(engine._state, engine._rows, start_other, is_cancelled):
                    return None
                engine._matcher.warm()
                if orders:
                    engine.prepare_orders()
            built = True
            return engine
        finally:
            if not built:
                engine.close()

    @classmethod
    def scan_part(cls, store: Store, split_id: int, first_doc: int) -> dict[str, object]:
        """The other half of :meth:`load_split`: index the papers with ``id >= split_id`` as
        documents ``first_doc, ...`` on ``store``'s own connection; plain values to pickle."""
        return build.scan_part(store, split_id, first_doc)

    def clear_caches(self) -> None:
        """Forget cached word sets, expansions and phrase results (benchmarks use this to
        time queries cold); the precomputed one-letter title prefixes and sort orders stay."""
        with self._lock:
            self._matcher.forget()
            self._evaluator.forget()

    def prepare_orders(self) -> None:
        """Compute the published, upvotes and title orders now rather than on first use."""
        with self._lock:
            for sort in (SortKey.ADDED, SortKey.PUBLISHED, SortKey.UPVOTES, SortKey.TITLE):
                self._sort_orders.get(sort)

    def close(self) -> None:
        """Close the engine's own connection once no thread is using it.

        A cache save or a search runs on another thread under the engine's lock; closing the
        connection under it crashed the process (SIGSEGV in ``sqlite3``, seen at quit and on
        SIGTERM while the cache was being written). A holder that does not let go within a
        second keeps the connection open: this only happens as the process ends, and an
        unclosed read connection loses nothing."""
        if not self._lock.acquire(timeout=CLOSE_WAIT_SECONDS):
            return
        try:
            self._reader.close()
        finally:
            self._lock.release()

    # -------------------------------------------------------------------- cache
    # What the persisted cache (readq.search.cache) reads: public, so that the cache never
    # reaches into the engine's private state.
    @property
    def lock(self) -> threading.RLock:
        """Held while the engine's state is read or changed as a whole."""
        return self._lock

    @property
    def reader(self) -> Store:
        """The read-only connection the engine loads and refreshes from."""
        return self._reader

    @property
    def ids(self) -> Sequence[int]:
        """Paper ids in index order (call with :attr:`lock` held)."""
        return self._state.ids

    @property
    def last_updated(self) -> str:
        """The newest ``updated_at`` the engine has read."""
        return self._state.last_updated

    @property
    def indexed(self) -> int:
        """Rows in the index, deleted papers included."""
        return self._state.n

    @property
    def unsaved_rows(self) -> int:
        """Papers added or re-read by :meth:`refresh` since the state was last saved (the
        cache lowers it by what it saved)."""
        return self._sync.unsaved_rows

    @unsaved_rows.setter
    def unsaved_rows(self, value: int) -> None:
        """Set by the cache after a save (what it saved is no longer unsaved)."""
        self._sync.unsaved_rows = value

    @property
    def has_deleted(self) -> bool:
        """Whether papers deleted from the library for good still hold rows in the index.
        Papers in the trash do not count: they are still in the library, only hidden (a
        library with a trash is cached like any other)."""
        with self._lock:
            state = self._state
            n = state.n
            dead = bitset.full(n) & ~state.alive if n else 0
            if not dead:
                return False
            return bool(dead & ~state.bits_of(self._rows.trashed_ids()))

    def export_state(self) -> dict[str, object]:
        """Everything the engine holds in memory, as plain values (str, int, arrays, bytes,
        lists, dicts, sets) for the persisted cache (:mod:`readq.search.cache`).

        The values are the engine's own objects, not copies: hold the engine's lock until they
        have been serialised (:func:`readq.search.cache.save` does).
        """
        with self._lock:
            return snapshot.export_state(self._state, self._matcher, self._sort_orders)

    @classmethod
    def from_state(cls, store: Store, state: dict[str, object]) -> SearchEngine:
        """An engine holding ``state`` (from :meth:`export_state`), with its own read-only
        connection to ``store``'s library. It knows nothing newer than the state: call
        :meth:`catch_up` before using it. ``ValueError`` (or ``KeyError``/``TypeError``) if
        the state does not add up."""
        engine = cls(store.open_reader())
        try:
            with engine._lock:
                snapshot.restore(engine._state, engine._matcher, engine._sort_orders, state)
                engine._sync.data_version = -1
        except Exception:
            engine.close()
            raise
        return engine

    def catch_up(
        self,
        *,
        orders: bool = True,
        split: build.StartOther | None = None,
    ) -> bool:
        """After :meth:`from_state`: pick up everything the library changed since the state was
        saved (:meth:`refresh`), re-read every paper's status and star (two indexed queries, so
        a change that did not move ``updated_at`` is seen too), and with ``orders`` compute the
        sort orders that changes dropped. With ``split`` (a ``start_other`` as
        :meth:`load_split` takes), many new papers are scanned in two processes. Returns True
        if anything changed."""
        with self._lock:
            self._sync.split = split
            try:
                changed = self.refresh()
            finally:
                self._sync.split = None
            changed |= self._sync.sync_states()
            if not self._matcher.pinned:
                self._matcher.warm()
            # Loaded from a cache, the sorted vocabulary is rebuilt lazily: do it here, in the
            # loading thread, not in the first keystroke's search (0.4-0.8 s at 1M papers).
            self._state.index.prepare_vocabulary()
            if orders:
                self.prepare_orders()
            return changed

    # ----------------------------------------------------------------- updates
    def refresh(self, store: Store | None = None) -> bool:
        """Pick up papers added or changed by anyone since the last load or refresh.

        New papers (id above the highest loaded) are appended; changed ones (``updated_at``
        newer than any seen) are re-read. Returns True if anything changed. Cheap when nothing
        changed (``PRAGMA data_version``); scanning for changed rows reads the whole table unless
        ``papers.updated_at`` is indexed.
        """
        with self._lock:
            return self._sync.refresh(store)

    def set_trashed(self, paper_ids: Sequence[int], trashed: bool) -> None:
        """Apply a move to or from the trash made through the store at once (the next
        :meth:`refresh` sees the same and does nothing more)."""
        with self._lock:
            self._sync.set_trashed(paper_ids, trashed)

    def update_state(
        self,
        paper_id: int,
        *,
        status: Status | None = None,
        starred: bool | None = None,
        note: str | None = None,
    ) -> None:
        """Apply a user change made through the store at once, without re-reading the library
        (the next :meth:`refresh` sees the same values and does nothing more)."""
        with self._lock:
            doc = self._state.doc(paper_id)
            if doc is None:
                return
            self._sync.set_state(doc, status, starred, note, None)

    # ------------------------------------------------------------------- search
    def search(
        self,
        text: str | Query,
        sort: SortKey = SortKey.RELEVANCE,
        view: ViewFilter = None,
        is_cancelled: Callable[[], bool] | None = None,
        *,
        reverse: bool = False,
    ) -> SearchResult:
        """Run a query, as text or already parsed (raises :class:`QueryError` for a bad one,
        :class:`SearchCancelled` when ``is_cancelled()`` turns True). ``reverse``: the exact
        reverse of the list (``store.sort_sql(sort, reverse=True)``)."""
        query = text if isinstance(text, Query) else parse_query(text)
        with self._lock:
            found = self._evaluator.run(query, sort, view, is_cancelled, reverse)
            return SearchResult(
                self._state,
                self._texts,
                query,
                sort,
                view,
                found.buckets,
                found.matched,
                found.order,
                found.matchers,
            )

    def _texts(self, paper_id: int) -> tuple[str, str]:
        """A paper's title and abstract, read under the lock (``""`` for a paper gone)."""
        with self._lock:
            found = self._rows.texts(paper_id)
        return ("", "") if found is None else found

    # ---------------------------------------------------------------- discover
    # Small hooks for readq.discover, which ranks papers from these postings and labels.
    def set_order(self, sort: SortKey, order: array[int] | None) -> None:
        """Use ``order`` (every document once) for ``sort``, or forget it (None). Used for
        orders SQL cannot compute (the recommended one); ignored once papers are added."""
        with self._lock:
            self._sort_orders.set_external(sort, order)

    def order(self, sort: SortKey) -> array[int]:
        """Every document in ``sort`` order (computed from SQLite on first use)."""
        with self._lock:
            return self._sort_orders.get(sort)

    def drop_order(self, sort: SortKey) -> None:
        """Forget the computed ``sort`` order: the next use reads it from SQLite again (a
        benchmark times that)."""
        with self._lock:
            self._sort_orders.drop(sort)

    def doc_of(self, paper_id: int) -> int | None:
        """The document index of a paper (None if it is not indexed)."""
        return self._state.doc(paper_id)

    def word_postings(self, word: str) -> list[tuple[Field, Posting]]:
        """The title and abstract postings of ``word`` (array of documents, or bit set)."""
        out: list[tuple[Field, Posting]] = []
        for field in (Field.TITLE, Field.ABSTRACT):
            posting = self._state.index.main[field].get(word)
            if posting is not None:
                out.append((field, posting))
        return out

    def label_state(self) -> tuple[bytes, bytes, int]:
        """Per document: status code (0 new, 1 to read, 2 read) and star (0/1), as bytes, and
        the bit set of papers outside the trash."""
        with self._lock:
            state = self._state
            return bytes(state.status), bytes(state.starred), state.alive

    # ------------------------------------------------------------------- counts
    def counts(self) -> Stats:
        """Papers per status, starred and with notes (for the view tabs)."""
        with self._lock:
            return self._state.stats(self._state.alive)

    def __len__(self) -> int:
        return self._state.alive.bit_count()

    def memory_bytes(self) -> int:
        """Approximate bytes held by postings and per-paper arrays (not Python overheads)."""
        return self._state.memory_bytes()

    @property
    def vocabulary_size(self) -> int:
        """Distinct words indexed."""
        return self._state.index.vocabulary_size


# The engine's public names, importable from the facade so that callers need not know which
# part defines them.
__all__ = [
    "ABSTRACT_PREFIX_MIN",
    "RANKED_TERMS",
    "SNIPPET_CHARS",
    "STATUSES",
    "TYPO_MIN",
    "Highlights",
    "SearchEngine",
    "SearchResult",
    "make_highlights",
    "max_typos",
    "plurals",
]
