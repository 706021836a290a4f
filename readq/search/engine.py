"""The search engine: an in-memory index of a library, queried on every keystroke.

See :mod:`readq.search` for the public API and the ranking rules.
"""

from __future__ import annotations

import re
import threading
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import filterfalse
from typing import overload

from rapidfuzz import process
from rapidfuzz.distance import OSA

from readq.models import SortKey, Stats, Status
from readq.search import bitset, tagged
from readq.search.index import InvertedIndex, Posting, check
from readq.search.query import (
    AllOf,
    AnyOf,
    Field,
    HasNoteClause,
    HasTagClause,
    Node,
    PhraseClause,
    Query,
    ReadClause,
    StarredClause,
    StatusClause,
    TagClause,
    ViewFilter,
    WordClause,
    YearClause,
    parse_query,
)
from readq.search.tokens import word_spans, words
from readq.store import Store

STATUSES: tuple[Status, ...] = (Status.NEW, Status.TO_READ, Status.READ)
_STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}

# Rank of one query word in one paper (higher is better).
TITLE_EXACT, TITLE_PREFIX, TITLE_TYPO = 6, 5, 4
OTHER_EXACT, OTHER_PREFIX, OTHER_TYPO = 3, 2, 1

ABSTRACT_PREFIX_MIN = 4
"""Prefixes shorter than this match titles, organisations and notes, not abstracts."""
TYPO_MIN = 4
"""Words shorter than this are not matched with typos."""
RANKED_TERMS = 64
"""Only the first this many words and phrases of a query rank its results (the others still
filter): ranking costs a pass per word over every distinct score, so a pasted page of words
stays bounded."""
SNIPPET_CHARS = 240
_LOAD_BATCH = 2000
_TERM_CACHE = 48
_PHRASE_CACHE = 16
_CHUNK = 900
_RESORT_MIN = 64
CLOSE_WAIT_SECONDS = 1.0
"""How long :meth:`SearchEngine.close` waits for a thread using the connection."""
_BULK_MIN = 5000
_BULK_FRACTION = 20
"""When :meth:`SearchEngine.refresh` finds more than ``max(_BULK_MIN, n // _BULK_FRACTION)``
new papers it indexes them as a first build does (one scan, then compaction) instead of batch
by batch: catching up 94k papers onto an empty index took 14.4 s batch by batch against
6.2 s for a build, and left long postings as arrays (a 58 MB cache file instead of 18 MB)."""
_RESORT_FRACTION = 200
"""Up to ``max(_RESORT_MIN, n // _RESORT_FRACTION)`` changed papers are moved within the sort
orders (a binary search of SQLite lookups each); more and the orders are recomputed."""

_COLUMNS = {
    Field.TITLE: "title",
    Field.ABSTRACT: "abstract",
    Field.ORG: "coalesce(org, '')",
    Field.NOTE: "note",
}
_TRASHED = "SELECT id FROM papers WHERE deleted_at IS NOT NULL"
_LIVE_IDS = "SELECT id FROM papers WHERE deleted_at IS NULL"
_LIVE_COUNT = (  # every row minus the trash: two index counts, not a scan of every row
    "SELECT (SELECT count(*) FROM papers) - "
    "(SELECT count(*) FROM papers WHERE deleted_at IS NOT NULL)"
)
_SELECT = (
    "SELECT id, title, abstract, coalesce(org, ''), note, status, starred, published, "
    "upvotes, updated_at FROM papers"
)


def plurals(word: str) -> tuple[str, ...]:
    """The plural forms a word also matches where prefixes do not reach (abstracts, for words
    under :data:`ABSTRACT_PREFIX_MIN` letters): ``sae`` -> ``saes``, ``moe`` -> ``moes``."""
    return (word + "s", word + "es")


def max_typos(word: str) -> int:
    """How many edits (insert, delete, substitute, swap) a query word may be away from a
    stored word: none under 4 characters, 1 up to 7, 2 from 8."""
    if len(word) < TYPO_MIN:
        return 0
    return 1 if len(word) < 8 else 2


@dataclass(frozen=True, slots=True)
class Highlights:
    """What to highlight in one row: spans are ``(start, end)`` offsets, end exclusive.

    ``title_spans`` index into the title; ``snippet`` is a piece of the abstract around the
    first match (or its beginning), one line, with ``…`` where it was cut, and
    ``snippet_spans`` index into ``snippet``.
    """

    title_spans: tuple[tuple[int, int], ...]
    snippet: str
    snippet_spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class _Tier:
    score: int
    bits: int


@dataclass(frozen=True, slots=True)
class _Matcher:
    """How one positive word or phrase is recognised in text, for highlighting."""

    token: str
    typos: frozenset[str]
    pattern: re.Pattern[str] | None = None


class SearchResult(Sequence[int]):
    """The ordered paper ids of one search. Ids are produced lazily: ``len()`` is immediate and
    asking for the first page only materialises the first blocks. ``result.ids`` is ``result``
    itself; ``list(result)`` materialises everything."""

    def __init__(
        self,
        engine: SearchEngine,
        query: Query,
        sort: SortKey,
        view: ViewFilter,
        buckets: list[int],
        matched: int,
        order: Sequence[int] | None,
        matchers: tuple[_Matcher, ...],
    ) -> None:
        self.engine = engine
        self.query = query
        self.sort = sort
        self.view = view
        self._matched = matched
        self._matchers = matchers
        self._total = sum(b.bit_count() for b in buckets)
        self._ids: list[int] = []
        self._doc_ids = engine._ids
        self._n = engine._index.n
        self._blocks = self._generate(buckets, order)

    def _generate(self, buckets: list[int], order: Sequence[int] | None) -> Iterator[list[int]]:
        get_id = self._doc_ids.__getitem__
        for bits in buckets:
            count = bits.bit_count()
            first = max(512, min(1 << 14, (self._n * 64) // max(count, 1)))
            blocks = (
                bitset.iter_desc(bits, self._n, first)
                if order is None
                else bitset.iter_in_order(bits, self._n, order)
            )
            for docs in blocks:
                yield list(map(get_id, docs))

    def _fill(self, count: int) -> None:
        while len(self._ids) < count:
            block = next(self._blocks, None)
            if block is None:
                break
            self._ids.extend(block)

    @property
    def ids(self) -> SearchResult:
        """The ordered ids (this result, a lazy sequence)."""
        return self

    def __len__(self) -> int:
        return self._total

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            start, stop, _ = index.indices(self._total)
            self._fill(max(start, stop))
            return self._ids[index]
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError("search result index out of range")
        self._fill(index + 1)
        return self._ids[index]

    def __iter__(self) -> Iterator[int]:
        i = 0
        while True:
            self._fill(i + 1)
            if i >= len(self._ids):
                return
            yield self._ids[i]
            i += 1

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        doc = self.engine._doc(value)
        return doc is not None and bool((self._matched >> doc) & 1)

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """Position of paper id ``value`` in the result (``ValueError`` if absent)."""
        if value not in self:
            raise ValueError(f"{value!r} is not in the result")
        for i, pid in enumerate(self):
            if pid == value and i >= start and (stop is None or i < stop):
                return i
        raise ValueError(f"{value!r} is not in the result")

    def counts(self) -> Stats:
        """How many papers match the query in each view (ignoring this result's view)."""
        return self.engine._stats(self._matched)

    def highlights(
        self, paper_id: int, title: str | None = None, abstract: str | None = None
    ) -> Highlights:
        """Spans of the title and of an abstract snippet matched by the query's words and
        phrases. Pass the title and abstract if you have them; otherwise they are read from the
        library."""
        if title is None or abstract is None:
            stored_title, stored_abstract = self.engine._texts(paper_id)
            title = stored_title if title is None else title
            abstract = stored_abstract if abstract is None else abstract
        return make_highlights(self._matchers, title, abstract)


class SearchEngine:
    """An in-memory index of a library; thread-safe (calls are serialised by a lock)."""

    def __init__(self, reader: Store) -> None:
        self._reader = reader
        self._lock = threading.RLock()
        self._index = InvertedIndex()
        self._ids: array[int] = array("q")
        self._status = bytearray()
        self._starred = bytearray()
        self._year = array("H")
        self._hash = array("I")
        self._sort_hash = array("I")
        self._notes: dict[int, str] = {}
        self._alive = 0
        self._status_bits = {s: 0 for s in STATUSES}
        self._starred_bits = 0
        self._note_bits = 0
        self._year_bits: dict[int, int] = {}
        self._last_updated = ""
        self._data_version = -1
        self._generation = 0
        self.unsaved_rows = 0
        """Papers added or re-read by :meth:`refresh` since the state was last saved."""
        self._term_cache: OrderedDict[str, dict[Field, tuple[int, int, int]]] = OrderedDict()
        self._pinned: set[str] = set()
        self._expansions: OrderedDict[str, tuple[list[str], list[str]]] = OrderedDict()
        self._phrase_cache: OrderedDict[tuple[object, ...], list[_Tier]] = OrderedDict()
        self._orders: dict[SortKey, array[int]] = {}
        self._tag_sets = tagged.TagSets()
        self._external_orders: dict[SortKey, array[int]] = {}

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
            engine._data_version = engine._reader.data_version()
            cursor = engine._reader.conn.execute(_SELECT + " ORDER BY id")
            engine._load_rows(cursor, is_cancelled)
            engine._index.compact()
            engine._warm()
            if orders:
                engine.prepare_orders()
        return engine

    def clear_caches(self) -> None:
        """Forget cached word sets, expansions and phrase results (benchmarks use this to
        time queries cold); the precomputed one-letter title prefixes and sort orders stay."""
        with self._lock:
            for token in [t for t in self._term_cache if t not in self._pinned]:
                del self._term_cache[token]
            self._expansions.clear()
            self._phrase_cache.clear()

    def prepare_orders(self) -> None:
        """Compute the published, upvotes and title orders now rather than on first use."""
        with self._lock:
            for sort in (SortKey.ADDED, SortKey.PUBLISHED, SortKey.UPVOTES, SortKey.TITLE):
                self._order(sort)

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

    def _load_rows(
        self, cursor: Iterator[tuple[object, ...]], cancel: Callable[[], bool] | None
    ) -> None:
        """First build: stream rows, append postings (fast path, arrays only)."""
        self._finish_rows(self._scan_rows(cursor, cancel))

    def _scan_rows(
        self, cursor: Iterator[tuple[object, ...]], cancel: Callable[[], bool] | None
    ) -> dict[int, list[int]]:
        """Index rows as documents ``index.n, index.n + 1, ...`` (postings as arrays); returns
        the documents of each publication year. :meth:`_finish_rows` completes the build."""
        index = self._index
        title_post = index.main[Field.TITLE]
        abstract_post = index.main[Field.ABSTRACT]
        org_post = index.main[Field.ORG]
        tokenize = words
        ids_append = self._ids.append
        status_codes = bytearray()
        starred = bytearray()
        years = array("H")
        hashes = array("I")
        sort_hashes = array("I")
        notes = self._notes
        crc = zlib.crc32
        last = self._last_updated
        doc = index.n
        year_docs: dict[int, list[int]] = {}
        for row in cursor:
            pid, title, abstract, org, note, status, star, published, upvotes, updated = row
            ids_append(pid)  # type: ignore[arg-type]
            for word in set(tokenize(str(title))):
                title_post[word].append(doc)  # type: ignore[union-attr]
            for word in set(tokenize(str(abstract))):
                abstract_post[word].append(doc)  # type: ignore[union-attr]
            if org:
                for word in set(tokenize(str(org))):
                    org_post[word].append(doc)  # type: ignore[union-attr]
            if note:
                notes[doc] = str(note)
            status_codes.append(_STATUS_CODE.get(Status(str(status)), 0))
            starred.append(1 if star else 0)
            year = _year_of(published)
            years.append(year)
            if year:
                year_docs.setdefault(year, []).append(doc)
            hashes.append(crc(f"{title}\x00{abstract}\x00{org}".encode()))
            sort_hashes.append(crc(f"{published}\x00{upvotes}".encode()))
            if str(updated) > last:
                last = str(updated)
            doc += 1
            if doc & 4095 == 0:
                check(cancel)
        index.n = doc
        self._status.extend(status_codes)
        self._starred.extend(starred)
        self._year.extend(years)
        self._hash.extend(hashes)
        self._sort_hash.extend(sort_hashes)
        self._last_updated = last
        return year_docs

    def _finish_rows(self, year_docs: dict[int, list[int]]) -> None:
        """Notes' side index, status/star/note bits and year bits of a first build."""
        index = self._index
        for d, note in self._notes.items():
            index.set_side(d, ((Field.NOTE, w) for w in words(note)))
        self._rebuild_state_bits()
        # Papers in the trash are indexed (a restore brings them back without a rebuild) but
        # not alive: no view, count or search shows them.
        trashed = self._reader.conn.execute(_TRASHED)
        self._alive &= ~bitset.from_indices(self._docs_of(trashed), index.n)
        self._year_bits = {y: bitset.from_indices(ds, index.n) for y, ds in year_docs.items()}

    # ---------------------------------------------------------- two-process build
    @classmethod
    def load_split(
        cls,
        store: Store,
        start_other: Callable[[int, int], Callable[[], dict[str, object] | None]],
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
                conn = engine._reader.conn
                engine._data_version = engine._reader.data_version()
                conn.execute("BEGIN")
                try:
                    total = int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
                    first_doc = total // 2
                    found = conn.execute(
                        "SELECT id FROM papers ORDER BY id LIMIT 1 OFFSET ?", (first_doc,)
                    ).fetchone()
                    if found is None:
                        return None
                    split_id = int(found[0])
                    collect = start_other(split_id, first_doc)
                    cursor = conn.execute(_SELECT + " WHERE id < ? ORDER BY id", (split_id,))
                    year_docs = engine._scan_rows(cursor, is_cancelled)
                finally:
                    conn.execute("COMMIT")
                if engine._index.n != first_doc:
                    return None
                part = collect()
                if part is None or not engine._merge_part(part, year_docs):
                    return None
                engine._finish_rows(year_docs)
                engine._index.compact()
                engine._warm()
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
        engine = cls(store)
        engine._index.n = first_doc
        cursor = store.conn.execute(_SELECT + " WHERE id >= ? ORDER BY id", (split_id,))
        year_docs = engine._scan_rows(cursor, None)
        return {
            "first": first_doc,
            "ids": engine._ids,
            "status": engine._status,
            "starred": engine._starred,
            "year": engine._year,
            "hash": engine._hash,
            "sort_hash": engine._sort_hash,
            "notes": engine._notes,
            "last_updated": engine._last_updated,
            "years": year_docs,
            "main": {int(f): dict(p) for f, p in engine._index.main.items()},
        }

    def _merge_part(self, part: dict[str, object], year_docs: dict[int, list[int]]) -> bool:
        """Append a :meth:`scan_part` result after this engine's documents (False if it does
        not fit)."""
        index = self._index
        ids = part["ids"]
        if part["first"] != index.n or not isinstance(ids, array) or ids.typecode != "q":
            return False
        if len(ids) and len(self._ids) and ids[0] <= self._ids[-1]:
            return False
        self._ids.extend(ids)
        self._status.extend(part["status"])  # type: ignore[arg-type]
        self._starred.extend(part["starred"])  # type: ignore[arg-type]
        self._year.extend(part["year"])  # type: ignore[arg-type]
        self._hash.extend(part["hash"])  # type: ignore[arg-type]
        self._sort_hash.extend(part["sort_hash"])  # type: ignore[arg-type]
        self._notes.update(part["notes"])  # type: ignore[call-overload]
        self._last_updated = max(self._last_updated, str(part["last_updated"]))
        for year, docs in part["years"].items():  # type: ignore[attr-defined]
            year_docs.setdefault(int(year), []).extend(docs)
        main = part["main"]
        for field in (Field.TITLE, Field.ABSTRACT, Field.ORG):
            postings = index.main[field]
            for word, posting in main[int(field)].items():  # type: ignore[index]
                postings[word].extend(posting)  # type: ignore[union-attr]
        index.n += len(ids)
        return True

    def _rebuild_state_bits(self) -> None:
        n = self._index.n
        self._alive = bitset.full(n) if n else 0
        for code, status in enumerate(STATUSES):
            mask = self._status.translate(_code_table(code))
            self._status_bits[status] = bitset.pack(mask)
        self._starred_bits = bitset.pack(self._starred)
        self._note_bits = bitset.from_indices(self._notes, n)

    def _warm(self) -> None:
        """Precompute the one-letter title prefixes (the first keystroke of every search)."""
        letters = {w[0] for w in self._index.main[Field.TITLE]}
        for letter in sorted(letters):
            self._term_raw(letter, None)
        self._pinned = set(letters)

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
        return self._ids

    @property
    def last_updated(self) -> str:
        """The newest ``updated_at`` the engine has read."""
        return self._last_updated

    @property
    def indexed(self) -> int:
        """Rows in the index, deleted papers included."""
        return self._index.n

    @property
    def has_deleted(self) -> bool:
        """Whether papers deleted from the library for good still hold rows in the index.
        Papers in the trash do not count: they are still in the library, only hidden (a
        library with a trash is cached like any other)."""
        n = self._index.n
        dead = bitset.full(n) & ~self._alive if n else 0
        if not dead:
            return False
        trashed = bitset.from_indices(self._docs_of(self._reader.conn.execute(_TRASHED)), n)
        return bool(dead & ~trashed)

    def export_state(self) -> dict[str, object]:
        """Everything the engine holds in memory, as plain values (str, int, arrays, bytes,
        lists, dicts, sets) for the persisted cache (:mod:`readq.search.cache`).

        The values are the engine's own objects, not copies: hold the engine's lock until they
        have been serialised (:func:`readq.search.cache.save` does).
        """
        with self._lock:
            return {
                "index": self._index.export_state(),
                "ids": self._ids,
                "status": self._status,
                "starred": self._starred,
                "year": self._year,
                "hash": self._hash,
                "sort_hash": self._sort_hash,
                "notes": self._notes,
                "alive": self._alive,
                "status_bits": {s.value: b for s, b in self._status_bits.items()},
                "starred_bits": self._starred_bits,
                "note_bits": self._note_bits,
                "year_bits": self._year_bits,
                "last_updated": self._last_updated,
                # The queue's order is recomputed after any write: not worth keeping.
                "orders": {k.value: v for k, v in self._orders.items() if k is not SortKey.QUEUE},
                "warm": {
                    t: {int(f): v for f, v in self._term_cache[t].items()}
                    for t in sorted(self._pinned)
                    if t in self._term_cache
                },
            }

    @classmethod
    def from_state(cls, store: Store, state: dict[str, object]) -> SearchEngine:
        """An engine holding ``state`` (from :meth:`export_state`), with its own read-only
        connection to ``store``'s library. It knows nothing newer than the state: call
        :meth:`catch_up` before using it. ``ValueError`` (or ``KeyError``/``TypeError``) if
        the state does not add up."""
        engine = cls(store.open_reader())
        try:
            engine._restore(state)
        except Exception:
            engine.close()
            raise
        return engine

    def _restore(self, state: dict[str, object]) -> None:
        index_state = state["index"]
        if not isinstance(index_state, dict):
            raise ValueError("bad index")
        index = InvertedIndex.from_state(index_state)
        n = index.n
        ids, status, starred = state["ids"], state["status"], state["starred"]
        year, digest, sort_digest = state["year"], state["hash"], state["sort_hash"]
        if not (
            isinstance(ids, array)
            and ids.typecode == "q"
            and isinstance(status, bytearray)
            and isinstance(starred, bytearray)
            and isinstance(year, array)
            and year.typecode == "H"
            and isinstance(digest, array)
            and digest.typecode == "I"
            and isinstance(sort_digest, array)
            and sort_digest.typecode == "I"
        ):
            raise ValueError("bad per-paper arrays")
        if {len(ids), len(status), len(starred), len(year), len(digest), len(sort_digest)} != {n}:
            raise ValueError("per-paper arrays disagree with the index")
        if n and (max(status) >= len(STATUSES) or max(starred) > 1):
            raise ValueError("bad status codes")
        notes = state["notes"]
        status_bits = state["status_bits"]
        year_bits = state["year_bits"]
        orders = state["orders"]
        warm = state["warm"]
        last_updated = state["last_updated"]
        ints = (state["alive"], state["starred_bits"], state["note_bits"])
        if not (
            isinstance(notes, dict)
            and isinstance(status_bits, dict)
            and isinstance(year_bits, dict)
            and isinstance(orders, dict)
            and isinstance(warm, dict)
            and isinstance(last_updated, str)
            and all(isinstance(i, int) for i in ints)
        ):
            raise ValueError("bad engine state")
        self._index = index
        self._ids = ids
        self._status = status
        self._starred = starred
        self._year = year
        self._hash = digest
        self._sort_hash = sort_digest
        self._notes = {int(d): str(t) for d, t in notes.items()}
        alive, starred_bits, note_bits = ints
        assert isinstance(alive, int) and isinstance(starred_bits, int)
        assert isinstance(note_bits, int)
        self._alive, self._starred_bits, self._note_bits = alive, starred_bits, note_bits
        self._status_bits = {s: int(status_bits[s.value]) for s in STATUSES}
        self._year_bits = {int(y): int(b) for y, b in year_bits.items()}
        self._last_updated = last_updated
        self._orders = {}
        for key, order in orders.items():
            if not isinstance(order, array) or order.typecode != "I" or len(order) > n:
                raise ValueError("bad sort order")
            self._orders[SortKey(key)] = order
        self._term_cache.clear()
        for token, raw in warm.items():
            self._term_cache[str(token)] = {
                Field(f): (int(e), int(p), int(t)) for f, (e, p, t) in raw.items()
            }
        self._pinned = set(self._term_cache)
        self._data_version = -1

    def catch_up(self, *, orders: bool = True) -> bool:
        """After :meth:`from_state`: pick up everything the library changed since the state was
        saved (:meth:`refresh`), re-read every paper's status and star (two indexed queries, so
        a change that did not move ``updated_at`` is seen too), and with ``orders`` compute the
        sort orders that changes dropped. Returns True if anything changed."""
        with self._lock:
            changed = self.refresh()
            changed |= self._sync_states()
            if not self._pinned:
                self._warm()
            # Loaded from a cache, the sorted vocabulary is rebuilt lazily: do it here, in the
            # loading thread, not in the first keystroke's search (0.4-0.8 s at 1M papers).
            self._index.prepare_vocabulary()
            if orders:
                self.prepare_orders()
            return changed

    def _sync_states(self) -> bool:
        """Make status and star agree with the library (papers whose state differs only)."""
        conn = self._reader.conn
        n = self._index.n
        docs_of = self._docs_of
        to_read = bitset.from_indices(
            docs_of(conn.execute("SELECT id FROM papers WHERE status = ?", ("to-read",))), n
        )
        read = bitset.from_indices(
            docs_of(conn.execute("SELECT id FROM papers WHERE status = ?", ("read",))), n
        )
        starred = bitset.from_indices(
            docs_of(conn.execute("SELECT id FROM papers WHERE starred = 1")), n
        )
        alive = self._alive
        changed = False
        differ = (
            (to_read ^ self._status_bits[Status.TO_READ]) | (read ^ self._status_bits[Status.READ])
        ) & alive
        for block in bitset.iter_desc(differ, n):
            for doc in block:
                status = (
                    Status.TO_READ
                    if (to_read >> doc) & 1
                    else Status.READ
                    if (read >> doc) & 1
                    else Status.NEW
                )
                changed |= self._set_state(doc, status, None, None, None)
        for block in bitset.iter_desc((starred ^ self._starred_bits) & alive, n):
            for doc in block:
                changed |= self._set_state(doc, None, bool((starred >> doc) & 1), None, None)
        if changed:
            self._changed(text=False)
        return changed

    def _docs_of(self, rows: Iterator[tuple[object, ...]]) -> list[int]:
        """Document indices of the paper ids in ``rows`` (first column); unknown ids skipped."""
        ids = self._ids
        n = len(ids)
        if n and ids[-1] - ids[0] == n - 1:
            first = ids[0]
            return [d for (pid, *_rest) in rows if 0 <= (d := int(pid) - first) < n]  # type: ignore[call-overload]
        found = (self._doc(int(pid)) for (pid, *_rest) in rows)  # type: ignore[call-overload]
        return [d for d in found if d is not None]

    # ----------------------------------------------------------------- updates
    def refresh(self, store: Store | None = None) -> bool:
        """Pick up papers added or changed by anyone since the last load or refresh.

        New papers (id above the highest loaded) are appended; changed ones (``updated_at``
        newer than any seen) are re-read. Returns True if anything changed. Cheap when nothing
        changed (``PRAGMA data_version``); scanning for changed rows reads the whole table unless
        ``papers.updated_at`` is indexed.
        """
        reader = store if store is not None else self._reader
        with self._lock:
            version = reader.data_version()
            if store is None and version == self._data_version:
                return False
            self._data_version = version
            # Queue moves change no indexed value (and renumbering no ``updated_at``): the
            # queue's order is recomputed after any write (one indexed query, on first use).
            self._orders.pop(SortKey.QUEUE, None)
            changed = appended = False
            generation = self._generation
            max_id = self._ids[-1] if len(self._ids) else 0
            # ``+id``: without it SQLite walks the rowid range, i.e. the whole table (1.4 s at
            # 1M papers), instead of the updated_at index.
            rows = reader.conn.execute(
                _SELECT + " WHERE updated_at > ? AND +id <= ?", (self._last_updated, max_id)
            ).fetchall()
            text = False
            resort: list[int] = []
            for row in rows:
                row_changed, row_text, row_resort = self._update_row(row)
                changed |= row_changed
                text |= row_text
                if row_resort is not None:
                    resort.append(row_resort)
            self.unsaved_rows += len(rows)
            first_new = self._index.n
            letters: dict[tuple[str, Field], list[list[int]]] = {}
            bulk = self._append_bulk(reader, max_id)
            if bulk:
                self.unsaved_rows += bulk
                changed = text = True
            new_rows = reader.conn.execute(
                _SELECT + " WHERE id > ? ORDER BY id", (self._ids[-1] if self._ids else max_id,)
            )
            while True:
                batch = new_rows.fetchmany(_LOAD_BATCH)
                if not batch:
                    break
                self._append_rows(batch, letters)
                self.unsaved_rows += len(batch)
                changed = appended = True
            if rows:
                # A paper moved to or back from the trash was updated: its row says which.
                changed |= self._sync_trash(reader, rows)
            count = int(reader.conn.execute(_LIVE_COUNT).fetchone()[0])
            deleted = count != self._alive.bit_count()
            if deleted:
                # Sort orders may keep deleted papers: results only walk live ones.
                self._reconcile_deleted(reader)
                changed = True
            self._reposition([*resort, *range(first_new, self._index.n)])
            if text or deleted:
                self._changed(text=True)
            elif appended:
                self._appended(letters)
            elif changed and self._generation == generation:
                # Only status, star, note or year changed: word sets and orders still hold.
                self._changed(text=False)
            return changed

    def _append_rows(
        self,
        rows: list[tuple[object, ...]],
        letters: dict[tuple[str, Field], list[list[int]]] | None = None,
    ) -> None:
        """Index papers after the last one. With ``letters``, note which new documents the
        one-letter title prefixes (the pinned searches) gain: ``(letter, field) -> [exact
        docs, prefix docs]``."""
        index = self._index
        first = index.n
        titles: list[set[str]] = []
        abstracts: list[set[str]] = []
        orgs: list[set[str]] = []
        for offset, row in enumerate(rows):
            pid, title, abstract, org, note, status, star, published, upvotes, updated = row
            doc = first + offset
            self._ids.append(int(pid))  # type: ignore[call-overload]
            titles.append(set(words(str(title))))
            abstracts.append(set(words(str(abstract))))
            orgs.append(set(words(str(org))))
            self._status.append(_STATUS_CODE.get(Status(str(status)), 0))
            self._starred.append(1 if star else 0)
            year = _year_of(published)
            self._year.append(year)
            self._hash.append(zlib.crc32(f"{title}\x00{abstract}\x00{org}".encode()))
            self._sort_hash.append(zlib.crc32(f"{published}\x00{upvotes}".encode()))
            if note:
                self._notes[doc] = str(note)
                index.set_side(doc, ((Field.NOTE, w) for w in words(str(note))))
            if year:
                self._year_bits[year] = self._year_bits.get(year, 0) | (1 << doc)
            self._last_updated = max(self._last_updated, str(updated))
        if letters is not None:
            for field, doc_words in (
                (Field.TITLE, titles),
                (Field.ABSTRACT, abstracts),
                (Field.ORG, orgs),
            ):
                for offset, found in enumerate(doc_words):
                    for word in found:
                        if len(word) == 1:
                            letters.setdefault((word, field), [[], []])[0].append(first + offset)
                        elif field != Field.ABSTRACT:  # one letter never prefixes abstracts
                            letters.setdefault((word[0], field), [[], []])[1].append(first + offset)
        index.append_batch(Field.TITLE, first, titles)
        index.append_batch(Field.ABSTRACT, first, abstracts)
        index.append_batch(Field.ORG, first, orgs)
        index.n = first + len(rows)
        width = len(rows)
        new = bitset.full(width) << first
        self._alive |= new
        for code, status in enumerate(STATUSES):
            part = self._status[first:].translate(_code_table(code))
            self._status_bits[status] |= bitset.pack(part) << first
        self._starred_bits |= bitset.pack(self._starred[first:]) << first
        self._note_bits = bitset.from_indices(self._notes, index.n)

    def _append_bulk(self, reader: Store, max_id: int) -> int:
        """Index many new papers (ids above ``max_id``) the way a first build does: one scan
        (:meth:`scan_part`) merged after the current documents, then compaction. Does nothing
        (returns 0) unless there are more than ``max(_BULK_MIN, n // _BULK_FRACTION)`` of
        them; else returns how many were indexed. The caller drops the word caches."""
        n = self._index.n
        threshold = max(_BULK_MIN, n // _BULK_FRACTION)
        limited = reader.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM papers WHERE id > ? LIMIT ?)",
            (max_id, threshold + 1),
        ).fetchone()[0]
        if int(limited) <= threshold:
            return 0
        part = SearchEngine.scan_part(reader, max_id + 1, n)
        ids = part["ids"]
        assert isinstance(ids, array)
        added = len(ids)
        if not added:
            return 0
        index = self._index
        total = n + added
        self._ids.extend(ids)
        self._status.extend(part["status"])  # type: ignore[arg-type]
        self._starred.extend(part["starred"])  # type: ignore[arg-type]
        self._year.extend(part["year"])  # type: ignore[arg-type]
        self._hash.extend(part["hash"])  # type: ignore[arg-type]
        self._sort_hash.extend(part["sort_hash"])  # type: ignore[arg-type]
        self._last_updated = max(self._last_updated, str(part["last_updated"]))
        main = part["main"]
        assert isinstance(main, dict)
        for field in (Field.TITLE, Field.ABSTRACT, Field.ORG):
            postings = index.main[field]
            for word, docs in main[int(field)].items():
                posting = postings.get(word)
                if posting is None:
                    postings[word] = docs
                elif isinstance(posting, int):
                    postings[word] = posting | bitset.from_indices(docs, total)
                else:
                    posting.extend(docs)
        index.n = total
        years = part["years"]
        assert isinstance(years, dict)
        for year, docs in years.items():
            self._year_bits[year] = self._year_bits.get(year, 0) | bitset.from_indices(docs, total)
        notes = part["notes"]
        assert isinstance(notes, dict)
        for doc, note in notes.items():
            self._notes[doc] = note
            index.set_side(doc, ((Field.NOTE, w) for w in words(note)))
        self._alive |= bitset.full(added) << n
        for code, status in enumerate(STATUSES):
            self._status_bits[status] |= (
                bitset.pack(self._status[n:].translate(_code_table(code))) << n
            )
        self._starred_bits |= bitset.pack(self._starred[n:]) << n
        self._note_bits = bitset.from_indices(self._notes, total)
        index.compact()
        return added

    def _update_row(self, row: tuple[object, ...]) -> tuple[bool, bool, int | None]:
        """Re-read one known paper: (anything changed, its indexed text changed, the document
        if its place in the sort orders may have changed)."""
        pid, title, abstract, org, note, status, star, published, upvotes, updated = row
        self._last_updated = max(self._last_updated, str(updated))
        doc = self._doc(int(pid))  # type: ignore[call-overload]
        if doc is None:
            return False, False, None
        text = False
        resort: int | None = None
        changed = self._set_state(
            doc, Status(str(status)), bool(star), str(note), _year_of(published)
        )
        digest = zlib.crc32(f"{title}\x00{abstract}\x00{org}".encode())
        if digest != self._hash[doc]:
            self._hash[doc] = digest
            index = self._index
            index.stale |= 1 << doc
            entries = [(Field.TITLE, w) for w in words(str(title))]
            entries += [(Field.ABSTRACT, w) for w in words(str(abstract))]
            entries += [(Field.ORG, w) for w in words(str(org))]
            entries += [(Field.NOTE, w) for w in words(self._notes.get(doc, ""))]
            index.set_side(doc, entries)
            changed = text = True
            resort = doc  # the title may have changed
        # Published dates and upvotes only affect the sort orders (the title is in the digest).
        sort_digest = zlib.crc32(f"{published}\x00{upvotes}".encode())
        if sort_digest != self._sort_hash[doc]:
            self._sort_hash[doc] = sort_digest
            changed = True
            resort = doc
        return changed, text, resort

    def _reconcile_deleted(self, reader: Store) -> None:
        """Alive = in the library and not in the trash, for every document (both ways: a
        paper restored from the trash comes back)."""
        present = {int(r[0]) for r in reader.conn.execute(_LIVE_IDS)}
        live = [d for d, pid in enumerate(self._ids) if pid in present]
        self._alive = bitset.from_indices(live, self._index.n)

    def _sync_trash(self, reader: Store, rows: Sequence[tuple[object, ...]]) -> bool:
        """Make the updated ``rows``' papers alive or not as the trash says; True if any
        moved. The trash is read through its partial index (a handful of rows)."""
        trashed = {int(r[0]) for r in reader.conn.execute(_TRASHED)}
        moved = False
        for row in rows:
            pid = int(row[0])  # type: ignore[call-overload]
            doc = self._doc(pid)
            if doc is not None and self._set_alive(doc, pid not in trashed):
                moved = True
        if moved:
            self._changed(text=False)
        return moved

    def _set_alive(self, doc: int, alive: bool) -> bool:
        bit = 1 << doc
        if bool(self._alive & bit) == alive:
            return False
        self._alive ^= bit
        return True

    def set_trashed(self, paper_ids: Sequence[int], trashed: bool) -> None:
        """Apply a move to or from the trash made through the store at once (the next
        :meth:`refresh` sees the same and does nothing more)."""
        with self._lock:
            moved = False
            for pid in paper_ids:
                doc = self._doc(pid)
                if doc is not None:
                    moved |= self._set_alive(doc, not trashed)
            if moved:
                self._changed(text=False)

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
            doc = self._doc(paper_id)
            if doc is None:
                return
            self._set_state(doc, status, starred, note, None)

    def _set_state(
        self,
        doc: int,
        status: Status | None,
        starred: bool | None,
        note: str | None,
        year: int | None,
    ) -> bool:
        changed = False
        bit = 1 << doc
        if status is not None:
            code = _STATUS_CODE[status]
            old = self._status[doc]
            if old != code:
                self._status_bits[STATUSES[old]] &= ~bit
                self._status_bits[status] |= bit
                self._status[doc] = code
                # A status change sets or clears the read date and the queue place: those
                # orders are recomputed.
                self._orders.pop(SortKey.READ, None)
                self._orders.pop(SortKey.QUEUE, None)
                changed = True
        if starred is not None and bool(self._starred[doc]) != starred:
            self._starred[doc] = int(starred)
            self._starred_bits ^= bit
            changed = True
        if note is not None and self._notes.get(doc, "") != note:
            if note:
                self._notes[doc] = note
                self._note_bits |= bit
            else:
                self._notes.pop(doc, None)
                self._note_bits &= ~bit
            entries = [(Field.NOTE, w) for w in words(note)]
            if (self._index.stale >> doc) & 1:
                entries += [
                    (f, w) for f, w in self._index.side_words.get(doc, []) if f != Field.NOTE
                ]
            self._index.set_side(doc, entries)
            self._changed(text=False)
            changed = True
        if year is not None and self._year[doc] != year:
            old_year = self._year[doc]
            if old_year:
                self._year_bits[old_year] &= ~bit
            if year:
                self._year_bits[year] = self._year_bits.get(year, 0) | bit
            self._year[doc] = year
            changed = True
        return changed

    def _changed(self, *, text: bool) -> None:
        """Drop caches: phrases always (notes count), word sets and orders when the indexed
        title/abstract/organisation text changed."""
        self._generation += 1
        self._phrase_cache.clear()
        if text:
            self._term_cache.clear()
            self._expansions.clear()
            self._warm()

    def _appended(self, letters: dict[tuple[str, Field], list[list[int]]]) -> None:
        """Drop caches after papers were appended (and nothing else changed in the indexed
        text): the pinned one-letter prefixes gain the new documents noted in ``letters``
        instead of being recomputed."""
        self._generation += 1
        self._phrase_cache.clear()
        self._expansions.clear()
        for token in [t for t in self._term_cache if t not in self._pinned]:
            del self._term_cache[token]
        n = self._index.n
        for (letter, field), (exact, prefix) in letters.items():
            raw = self._term_cache.get(letter)
            if raw is None:
                continue
            e, p, t = raw[field]
            if exact:
                e |= bitset.from_indices(exact, n)
            if prefix:
                p |= bitset.from_indices(prefix, n)
            raw[field] = (e, p, t)
        new_letters = {w[0] for w in self._index.main[Field.TITLE]} - self._pinned
        self._pinned |= new_letters
        for letter in sorted(new_letters):
            self._term_raw(letter, None)

    def _reposition(self, docs: list[int]) -> None:
        """Put these documents (added, or with a new title, date or upvotes) in their place in
        the computed sort orders; with many of them, drop the orders instead (recomputed from
        SQLite on first use)."""
        if not docs or not self._orders:
            return
        n = self._index.n
        if len(docs) > max(_RESORT_MIN, n // _RESORT_FRACTION):
            self._orders.clear()
            return
        conn = self._reader.conn
        ids = self._ids
        rows: dict[int, tuple[object, ...] | None] = {}

        def fetch(doc: int) -> tuple[object, ...] | None:
            """The ``_sort_key`` row of a document; None if deleted."""
            if doc not in rows:
                found = conn.execute(
                    f"SELECT {_SORT_COLUMNS} FROM papers WHERE id = ?", (ids[doc],)
                ).fetchone()
                rows[doc] = None if found is None else tuple(found)
            return rows[doc]

        def probe(doc: int) -> tuple[object, ...]:
            row = fetch(doc)
            if row is None:
                raise _Unsortable  # a deleted paper is still in the order
            return row

        try:
            moved = set(docs)
            for sort, order in list(self._orders.items()):
                kept = array("I", filterfalse(moved.__contains__, order))
                for doc in docs:
                    row = fetch(doc)
                    if row is None:
                        continue  # deleted since: not in the order either
                    key = _sort_key(sort, row)
                    lo, hi = 0, len(kept)
                    while lo < hi:
                        mid = (lo + hi) // 2
                        if _sort_key(sort, probe(kept[mid])) < key:
                            lo = mid + 1
                        else:
                            hi = mid
                    kept.insert(lo, doc)
                self._orders[sort] = kept
        except _Unsortable:
            self._orders.clear()

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
            return self._run(query, sort, view, is_cancelled, reverse)

    def _run(
        self,
        query: Query,
        sort: SortKey,
        view: ViewFilter,
        cancel: Callable[[], bool] | None,
        reverse: bool = False,
    ) -> SearchResult:
        base = self._view_bits(view)
        positives: list[list[_Tier]] = []
        matchers: list[_Matcher] = []
        matched = self._alive
        for clause in query.clauses:
            matched &= self._eval(clause, positives, matchers, cancel)
        order: Sequence[int] | None = None
        # Better matches first, whatever the sort; the chosen sort orders papers of equal rank.
        buckets = [matched & base]
        if positives:
            buckets = self._rank(matched & base, positives[:RANKED_TERMS], cancel)
        if sort is not SortKey.RELEVANCE:
            order = self._order(sort)
        if reverse:
            # Worst matches first, and each bucket walked backwards.
            buckets = buckets[::-1]
            order = range(self._index.n) if order is None else order[::-1]
        return SearchResult(self, query, sort, view, buckets, matched, order, tuple(matchers))

    def _eval(
        self,
        node: Node,
        positives: list[list[_Tier]] | None,
        matchers: list[_Matcher],
        cancel: Callable[[], bool] | None,
    ) -> int:
        """The documents ``node`` selects. Words and phrases that make papers match (not under
        a negation) add their tiers to ``positives`` (ranking) and to ``matchers``
        (highlighting)."""
        check(cancel)
        collect = None if node.negated else positives
        bits: int
        if isinstance(node, AllOf):
            bits = self._alive
            for item in node.items:
                bits &= self._eval(item, collect, matchers, cancel)
        elif isinstance(node, AnyOf):
            bits = 0
            for item in node.items:
                bits |= self._eval(item, collect, matchers, cancel)
        elif isinstance(node, WordClause):
            bits = self._alive
            for token in node.tokens:
                tiers = self._term_tiers(token, node.fields, cancel)
                bits &= _any(tiers)
                if collect is not None:
                    collect.append(tiers)
                    matchers.append(self._matcher(token))
        elif isinstance(node, PhraseClause):
            tiers = self._phrase_tiers(node, cancel)
            bits = _any(tiers)
            if collect is not None:
                collect.append(tiers)
                matchers.append(_Matcher("", frozenset(), _phrase_pattern(node.text)))
        else:
            bits = self._filter_bits(node)
        return self._alive & ~bits if node.negated else bits

    def _rank(
        self, start: int, positives: list[list[_Tier]], cancel: Callable[[], bool] | None
    ) -> list[int]:
        """``start`` split by score, best first. A paper that a word does not match (it
        matched another alternative of an OR) keeps its score for that word."""
        scores: dict[int, int] = {0: start}
        for tiers in positives:
            check(cancel)
            nxt: dict[int, int] = {}
            for score, bits in scores.items():
                for tier in tiers:
                    both = bits & tier.bits
                    if both:
                        key = score + tier.score
                        nxt[key] = nxt.get(key, 0) | both
                        bits &= ~both
                if bits:
                    nxt[score] = nxt.get(score, 0) | bits
            scores = nxt
        return [scores[s] for s in sorted(scores, reverse=True)]

    def _view_bits(self, view: ViewFilter) -> int:
        if view is None:
            return self._alive
        if view == "starred":
            return self._starred_bits & self._alive
        return self._status_bits[Status(view)] & self._alive

    def _filter_bits(
        self,
        clause: StatusClause
        | StarredClause
        | HasNoteClause
        | YearClause
        | ReadClause
        | TagClause
        | HasTagClause,
    ) -> int:
        if isinstance(clause, StatusClause):
            return self._status_bits[clause.status]
        if isinstance(clause, StarredClause):
            return self._starred_bits
        if isinstance(clause, HasNoteClause):
            return self._note_bits
        if isinstance(clause, ReadClause):
            return self._read_bits(clause)
        if isinstance(clause, TagClause | HasTagClause):
            # Read from the library, kept until a tag write (readq.search.tagged): tag
            # changes need no index update, from this process or another.
            ids = self._ids
            span = (ids[0], len(ids)) if ids and ids[-1] - ids[0] == len(ids) - 1 else None
            return self._tag_sets.bits(
                self._reader.conn, clause, self._docs_of, self._index.n, span
            )
        bits = 0
        for year, year_bits in self._year_bits.items():
            if clause.accepts(year):
                bits |= year_bits
        return bits

    def _read_bits(self, clause: ReadClause) -> int:
        """Papers whose read date satisfies ``clause``: read dates are not held in memory (a
        filter on them is rare), so they are looked up through the read-order index (its read
        rows only), as the SQL path does."""
        if clause.op not in ("=", "<", "<=", ">", ">="):  # keeps the SQL text fixed
            raise ValueError(f"bad read operator {clause.op!r}")
        rows = self._reader.conn.execute(
            # ``(read_at IS NULL) = 0`` is the first term of the read-order index: a search
            # of its read rows only.
            "SELECT id FROM papers WHERE (read_at IS NULL) = 0 "
            f"AND substr(read_at, 1, 10) {clause.op} ?",
            (clause.day,),
        )
        return bitset.from_indices(self._docs_of(rows), self._index.n)

    # ---------------------------------------------------------------- matching
    def _term_tiers(
        self, token: str, fields: frozenset[Field], cancel: Callable[[], bool] | None
    ) -> list[_Tier]:
        """Per-tier document sets for one query word (disjoint, best tier first)."""
        raw = self._term_raw(token, cancel)
        title_exact, title_prefix, title_typo = (0, 0, 0)
        if Field.TITLE in fields:
            title_exact, title_prefix, title_typo = raw[Field.TITLE]
        exact = prefix = typo = 0
        for field in (Field.ABSTRACT, Field.ORG):
            if field in fields:
                e, p, t = raw[field]
                exact, prefix, typo = exact | e, prefix | p, typo | t
        if Field.NOTE in fields and self._notes:
            e, p, t = self._note_raw(token)
            exact, prefix, typo = exact | e, prefix | p, typo | t
        tiers: list[_Tier] = []
        seen = 0
        for score, bits in (
            (TITLE_EXACT, title_exact),
            (TITLE_PREFIX, title_prefix),
            (TITLE_TYPO, title_typo),
            (OTHER_EXACT, exact),
            (OTHER_PREFIX, prefix),
            (OTHER_TYPO, typo),
        ):
            bits &= ~seen
            if bits:
                tiers.append(_Tier(score, bits))
                seen |= bits
        return tiers

    def _term_raw(
        self, token: str, cancel: Callable[[], bool] | None
    ) -> dict[Field, tuple[int, int, int]]:
        """(exact, prefix, typo) document sets of ``token`` in title, abstract and organisation
        (cached until the indexed text changes)."""
        cached = self._term_cache.get(token)
        if cached is not None:
            self._term_cache.move_to_end(token)
            return cached
        index = self._index
        longer, typos = self._expand(token)
        raw: dict[Field, tuple[int, int, int]] = {}
        for field in (Field.TITLE, Field.ABSTRACT, Field.ORG):
            exact = index.union(field, [token])
            if field != Field.ABSTRACT or len(token) >= ABSTRACT_PREFIX_MIN:
                prefix = index.union(field, longer, cancel)
            else:  # short words are acronyms there: "llm" finds "LLMs", not "llama"
                prefix = index.union(field, plurals(token))
            typo = index.union(field, typos, cancel)
            raw[field] = (exact, prefix, typo)
        self._term_cache[token] = raw
        while len(self._term_cache) > _TERM_CACHE + len(self._pinned):
            oldest = next(k for k in self._term_cache if k not in self._pinned)
            del self._term_cache[oldest]
        return raw

    def _expand(self, token: str) -> tuple[list[str], list[str]]:
        """Vocabulary words longer than ``token`` that start with it, and its typo matches."""
        cached = self._expansions.get(token)
        if cached is not None:
            return cached
        longer = [w for w in self._index.with_prefix(token) if w != token]
        typos: list[str] = []
        distance = max_typos(token)
        if distance:
            for length in range(len(token) - distance, len(token) + distance + 1):
                for first in dict.fromkeys(token[:2]):
                    choices = self._index.by_length(length, first)
                    if choices:
                        typos += _typo_matches(token, choices, distance)
        self._expansions[token] = (longer, typos)
        if len(self._expansions) > 256:
            self._expansions.popitem(last=False)
        return longer, typos

    def _note_raw(self, token: str) -> tuple[int, int, int]:
        """(exact, prefix, typo) document sets of ``token`` in notes (never cached)."""
        side = self._index.side[Field.NOTE]
        n = self._index.n
        exact: set[int] = set(side.get(token, ()))
        prefix: set[int] = set()
        for word, docs in side.items():
            if word != token and word.startswith(token):
                prefix.update(docs)
        typo: set[int] = set()
        distance = max_typos(token)
        if distance:
            for word in _typo_matches(token, list(side), distance):
                typo.update(side[word])
        return (
            bitset.from_indices(exact, n) if exact else 0,
            bitset.from_indices(prefix, n) if prefix else 0,
            bitset.from_indices(typo, n) if typo else 0,
        )

    def _matcher(self, token: str) -> _Matcher:
        _longer, typos = self._expand(token)
        note_typos = _typo_matches(token, list(self._index.side[Field.NOTE]), max_typos(token))
        return _Matcher(token, frozenset(typos) | frozenset(note_typos) | frozenset(plurals(token)))

    def _phrase_tiers(self, clause: PhraseClause, cancel: Callable[[], bool] | None) -> list[_Tier]:
        key = (clause.text.casefold(), clause.fields)
        cached = self._phrase_cache.get(key)
        if cached is not None:
            return cached
        index = self._index
        tokens = words(clause.text)
        fields = [f for f in Field if f in clause.fields]
        simple = len(tokens) == 1 and tokens[0] == clause.text.casefold()
        per_field: dict[Field, int] = {}
        for field in fields:
            bits = self._alive
            for i, token in enumerate(tokens):
                if simple or i == 0:
                    candidates = index.containing(token)
                elif i == len(tokens) - 1:
                    candidates = index.with_prefix(token)
                else:
                    candidates = [token]
                bits &= index.union(field, candidates, cancel)
                if not bits:
                    break
            per_field[field] = bits
        if not simple:
            per_field = self._verify_phrase(clause.text, per_field, cancel)
        title = per_field.get(Field.TITLE, 0)
        other = 0
        for field, bits in per_field.items():
            if field != Field.TITLE:
                other |= bits
        tiers = [
            t for t in (_Tier(TITLE_EXACT, title), _Tier(OTHER_EXACT, other & ~title)) if t.bits
        ]
        self._phrase_cache[key] = tiers
        while len(self._phrase_cache) > _PHRASE_CACHE:
            self._phrase_cache.popitem(last=False)
        return tiers

    def _verify_phrase(
        self, text: str, candidates: dict[Field, int], cancel: Callable[[], bool] | None
    ) -> dict[Field, int]:
        """Keep the candidates whose field really contains the phrase. ASCII phrases are
        checked inside SQLite (``LIKE``, ASCII case-insensitive, no text crosses into Python);
        others
        with a regular expression in Python."""
        union = 0
        for bits in candidates.values():
            union |= bits
        docs = [d for block in bitset.iter_desc(union, self._index.n) for d in block]
        fields = list(candidates)
        needle = " ".join(text.split())
        in_sql = needle.isascii()
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        pattern = _phrase_pattern(needle)
        if in_sql:
            select = ", ".join(f"{_COLUMNS[f]} LIKE ? ESCAPE '\\'" for f in fields)
        else:
            select = ", ".join(_COLUMNS[f] for f in fields)
        found: dict[Field, list[int]] = {f: [] for f in fields}
        for start in range(0, len(docs), _CHUNK):
            check(cancel)
            chunk = docs[start : start + _CHUNK]
            by_id = {self._ids[d]: d for d in chunk}
            marks = ",".join("?" * len(chunk))
            params: list[object] = [like] * len(fields) if in_sql else []
            params += list(by_id)
            for row in self._reader.conn.execute(
                f"SELECT id, {select} FROM papers WHERE id IN ({marks})", params
            ):
                doc = by_id[int(row[0])]
                for field, value in zip(fields, row[1:], strict=True):
                    if (in_sql and value) or (not in_sql and pattern.search(str(value))):
                        found[field].append(doc)
        return {
            f: bitset.from_indices(ds, self._index.n) & candidates[f] for f, ds in found.items()
        }

    # ------------------------------------------------------------------- orders
    def _order(self, sort: SortKey) -> array[int]:
        external = self._external_orders.get(sort)
        if external is not None and len(external) == self._index.n:
            return external
        if sort is SortKey.RECOMMENDED:  # no ranking yet, or papers came since: date added
            return self._order(SortKey.ADDED)
        cached = self._orders.get(sort)
        if cached is not None:
            return cached
        from readq.store import sort_sql

        order: array[int] = array("I")
        first = self._ids[0] if len(self._ids) else 0
        contiguous = len(self._ids) == 0 or self._ids[-1] - first == len(self._ids) - 1
        lookup: dict[int, int] | None = None
        if not contiguous:
            lookup = {pid: d for d, pid in enumerate(self._ids)}
        if sort is SortKey.QUEUE:
            return self._queue_order(lookup, first)
        rows = self._reader.conn.execute(f"SELECT id FROM papers ORDER BY {sort_sql(sort)}")
        n = self._index.n
        for (pid,) in rows:
            if lookup is None:
                doc = pid - first
                if 0 <= doc < n:
                    order.append(doc)
            else:
                d = lookup.get(pid)
                if d is not None:
                    order.append(d)
        self._orders[sort] = order
        return order

    def _queue_order(self, lookup: dict[int, int] | None, first: int) -> array[int]:
        """The "queue" order (:data:`readq.store.SORT_SQL`): the queued papers by place (their
        partial index, a to-read-sized query), then every other paper by id, which is the
        documents' own order; so no sort over the whole library after each move."""
        n = self._index.n
        order: array[int] = array("I")
        queued = bytearray(n)
        rows = self._reader.conn.execute(
            "SELECT id FROM papers WHERE queue_pos IS NOT NULL ORDER BY queue_pos, id"
        )
        for (pid,) in rows:
            doc = (pid - first) if lookup is None else lookup.get(pid, -1)
            if 0 <= doc < n:
                order.append(doc)
                queued[doc] = 1
        order.extend(d for d in range(n) if not queued[d])
        self._orders[SortKey.QUEUE] = order
        return order

    # ---------------------------------------------------------------- discover
    # Small hooks for readq.discover, which ranks papers from these postings and labels.
    def set_order(self, sort: SortKey, order: array[int] | None) -> None:
        """Use ``order`` (every document once) for ``sort``, or forget it (None). Used for
        orders SQL cannot compute (the recommended one); ignored once papers are added."""
        with self._lock:
            if order is None:
                self._external_orders.pop(sort, None)
            else:
                self._external_orders[sort] = order

    def order(self, sort: SortKey) -> array[int]:
        """Every document in ``sort`` order (computed from SQLite on first use)."""
        with self._lock:
            return self._order(sort)

    def doc_of(self, paper_id: int) -> int | None:
        """The document index of a paper (None if it is not indexed)."""
        return self._doc(paper_id)

    def word_postings(self, word: str) -> list[tuple[Field, Posting]]:
        """The title and abstract postings of ``word`` (array of documents, or bit set)."""
        out: list[tuple[Field, Posting]] = []
        for field in (Field.TITLE, Field.ABSTRACT):
            posting = self._index.main[field].get(word)
            if posting is not None:
                out.append((field, posting))
        return out

    def label_state(self) -> tuple[bytes, bytes, int]:
        """Per document: status code (0 new, 1 to read, 2 read) and star (0/1), as bytes, and
        the bit set of papers outside the trash."""
        with self._lock:
            return bytes(self._status), bytes(self._starred), self._alive

    # ------------------------------------------------------------------- counts
    def _doc(self, paper_id: int) -> int | None:
        import bisect

        i = bisect.bisect_left(self._ids, paper_id)
        if i < len(self._ids) and self._ids[i] == paper_id:
            return i
        return None

    def _texts(self, paper_id: int) -> tuple[str, str]:
        with self._lock:
            row = self._reader.conn.execute(
                "SELECT title, abstract FROM papers WHERE id = ?", (paper_id,)
            ).fetchone()
        if row is None:
            return "", ""
        return str(row[0]), str(row[1])

    def counts(self) -> Stats:
        """Papers per status, starred and with notes (for the view tabs)."""
        with self._lock:
            return self._stats(self._alive)

    def _stats(self, bits: int) -> Stats:
        bits &= self._alive
        return Stats(
            total=bits.bit_count(),
            by_status={s: (bits & self._status_bits[s]).bit_count() for s in STATUSES},
            starred=(bits & self._starred_bits).bit_count(),
            with_notes=(bits & self._note_bits).bit_count(),
        )

    def __len__(self) -> int:
        return self._alive.bit_count()

    def memory_bytes(self) -> int:
        """Approximate bytes held by postings and per-paper arrays (not Python overheads)."""
        return (
            self._index.posting_bytes()
            + self._ids.itemsize * len(self._ids)
            + len(self._status)
            + len(self._starred)
            + self._year.itemsize * len(self._year)
            + self._hash.itemsize * len(self._hash)
        )

    @property
    def vocabulary_size(self) -> int:
        """Distinct words indexed."""
        return self._index.vocabulary_size


# ------------------------------------------------------------------------ helpers
def _typo_matches(token: str, choices: list[str], distance: int) -> list[str]:
    """Words of ``choices`` within ``distance`` edits of ``token`` (not ``token`` itself nor
    words it is a prefix of: those match better)."""
    if not distance or not choices:
        return []
    return [
        word
        for word, _score, _i in process.extract(
            token, choices, scorer=OSA.distance, score_cutoff=distance, limit=None
        )
        if word != token and not word.startswith(token)
    ]


def _any(tiers: list[_Tier]) -> int:
    bits = 0
    for tier in tiers:
        bits |= tier.bits
    return bits


class _Unsortable(Exception):
    """A paper's sort key cannot be compared in Python as SQLite would: recompute the order."""


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def _desc_text(text: str) -> tuple[int, ...]:
    """A key that sorts strings in descending code point order (SQLite's BINARY collation on
    UTF-8 is code point order): a prefix sorts after the longer string."""
    return (*(-ord(c) for c in text), 1)


_SORT_COLUMNS = "id, title, published, upvotes, added_at, read_at, queue_pos"
"""The columns of a ``_sort_key`` row."""


def _sort_key(sort: SortKey, row: tuple[object, ...]) -> tuple[object, ...]:
    """The key of ``row`` (:data:`_SORT_COLUMNS`) that orders papers exactly as ``ORDER BY``
    :data:`readq.store.SORT_SQL` does, for every sort but relevance."""
    pid, title, published, upvotes, added_at, read_at, queue_pos = row
    if not isinstance(pid, int):
        raise _Unsortable
    if sort is SortKey.QUEUE:
        if queue_pos is None:
            return (1, 0.0, pid)
        if not isinstance(queue_pos, float | int) or isinstance(queue_pos, bool):
            raise _Unsortable
        return (0, float(queue_pos), pid)
    if sort is SortKey.ADDED:
        if not isinstance(added_at, str):
            raise _Unsortable
        return (_desc_text(added_at), pid)
    if sort is SortKey.READ:
        if read_at is None:
            return (1, (), -pid)
        if not isinstance(read_at, str):
            raise _Unsortable
        return (0, _desc_text(read_at), -pid)
    if sort is SortKey.TITLE:
        if not isinstance(title, str):
            raise _Unsortable
        # COLLATE NOCASE folds ASCII letters only.
        return (title.translate(_ASCII_LOWER), pid)
    if sort is SortKey.PUBLISHED:
        if published is None:
            return (1, (), -pid)
        if not isinstance(published, str):
            raise _Unsortable
        return (0, _desc_text(published), -pid)
    if sort is SortKey.UPVOTES:
        if upvotes is None:
            return (1, 0, -pid)
        if not isinstance(upvotes, int) or isinstance(upvotes, bool):
            raise _Unsortable
        return (0, -upvotes, -pid)
    raise _Unsortable


def _year_of(published: object) -> int:
    if not published:
        return 0
    text = str(published)
    if len(text) >= 4 and text[:4].isdigit():
        return int(text[:4])
    return 0


_CODE_TABLES: dict[int, bytes] = {}


def _code_table(code: int) -> bytes:
    table = _CODE_TABLES.get(code)
    if table is None:
        table = bytes(1 if i == code else 0 for i in range(256))
        _CODE_TABLES[code] = table
    return table


def _phrase_pattern(text: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in text.split()]
    return re.compile(r"\s+".join(parts), re.IGNORECASE)


def make_highlights(matchers: Sequence[_Matcher], title: str, abstract: str) -> Highlights:
    """Highlights of ``title`` and of a snippet of ``abstract`` for these matchers."""
    title_spans = _spans(matchers, title, 1)
    abstract_spans = _spans(matchers, abstract, ABSTRACT_PREFIX_MIN)
    flat = abstract.replace("\n", " ").replace("\r", " ")
    if len(flat) <= SNIPPET_CHARS:
        return Highlights(tuple(title_spans), flat, tuple(abstract_spans))
    first = abstract_spans[0][0] if abstract_spans else 0
    start = max(0, first - 60)
    if start > 0:
        space = flat.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(flat), start + SNIPPET_CHARS)
    if end < len(flat):
        space = flat.rfind(" ", max(first + 1, start), end)
        end = space if space > start else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    snippet = prefix + flat[start:end].strip() + suffix
    shift = len(prefix) - start
    body_end = len(snippet) - len(suffix)
    spans = []
    for a, b in abstract_spans:
        if a >= start and a < end:
            spans.append((a + shift, min(b + shift, body_end)))
    return Highlights(tuple(title_spans), snippet, tuple(spans))


def _spans(matchers: Sequence[_Matcher], text: str, min_prefix: int) -> list[tuple[int, int]]:
    if not text or not matchers:
        return []
    spans: list[tuple[int, int]] = []
    word_matchers = [m for m in matchers if m.pattern is None]
    if word_matchers:
        for start, end, word in word_spans(text):
            best = 0
            for m in word_matchers:
                if word == m.token or word in m.typos:
                    best = end - start
                    break
                if len(m.token) >= min_prefix and word.startswith(m.token):
                    best = max(best, _prefix_length(text, start, end, m.token))
            if best:
                spans.append((start, start + best))
    for m in matchers:
        if m.pattern is not None:
            spans.extend((x.start(), x.end()) for x in m.pattern.finditer(text))
    return _merge(spans)


def _prefix_length(text: str, start: int, end: int, token: str) -> int:
    """Characters of ``text[start:end]`` covered by ``token`` (casefolding may change lengths)."""
    for length in range(1, end - start + 1):
        if text[start : start + length].casefold() == token:
            return length
    return end - start


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged
