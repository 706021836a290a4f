"""The index lifecycle of a front end, and the bridge from a list request to ids.

A front end that lists papers as the user types (the TUI) keeps one :class:`Searcher`: it
loads the in-memory index (``readq.search.SearchEngine``) from its cache or builds it, keeps
it in step with the library (our own writes are told to it, another process's make it catch
up), and drops a stale query as soon as a newer keystroke supersedes it. Until the index has
loaded, a :class:`ListRequest` is answered straight from SQLite: the same selection evaluated
exactly in SQL, words as substrings (the filter bar says "approximate"). Runs on worker
threads; no Textual here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from readq.models import SavedView, SortKey, Stats
from readq.search.selection import Selection
from readq.store import PaperState, Store

if TYPE_CHECKING:
    from readq.discover import Discover
    from readq.search import SearchEngine

Span = tuple[int, int]
IsCancelled = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class ListRequest:
    """One request for the list's contents, tagged with a sequence number."""

    seq: int
    selection: Selection
    limit: int | None = None
    keep_id: int | None = None
    near: int = 0
    """Where ``keep_id`` probably is (the cursor's row): looked for there first, since walking
    a lazy result of a million ids to find it takes ~200 ms."""
    follows_cursor: bool = False
    """``keep_id`` is simply the paper that was under the cursor: if the user moves while the
    list is computed, the cursor stays where they moved to, not where it was."""


HighlightFn = Callable[[int, str], list[Span]]


@dataclass(slots=True)
class ListResult:
    """The answer to a ``ListRequest``: ids in display order, or a one-line error."""

    request: ListRequest
    ids: Sequence[int] = field(default_factory=list)
    error: str | None = None
    highlight: HighlightFn | None = None
    partial: bool = False
    keep_index: int | None = None
    note: str | None = None
    """Said in the filter bar with the match count (the SQL path's "approximate")."""


def word_spans(title: str, words: Sequence[str]) -> list[Span]:
    """Where any of ``words`` occurs in ``title`` (case-insensitive), merged and sorted: the
    highlight of the SQL path, whose words match as substrings."""
    if not words:
        return []
    folded = title.casefold()
    if len(folded) != len(title):  # casefolding changed lengths: fall back to lower()
        folded = title.lower()
    spans: list[Span] = []
    for word in words:
        start = folded.find(word)
        while start != -1:
            spans.append((start, start + len(word)))
            start = folded.find(word, start + 1)
    spans.sort()
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


APPROXIMATE = "approximate (index loading): substrings, no typos"
"""The filter bar's note while the SQL path answers a query with words."""


def sql_search(
    store: Store,
    request: ListRequest,
    *,
    limit: int | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ListResult:
    """Answer ``request`` with the exact SQL evaluation of its query (used until the index has
    loaded): every operator means what it means in the index; words match as substrings.

    With ``limit``, only the first rows (``partial`` when there may be more): common words
    fill a screen after a short scan, so it paints before the full answer is counted.
    Raises ``readq.search.SearchCancelled`` when ``is_cancelled()`` turns True."""
    # The parser and the SQL evaluator load with the first query, not at start-up.
    from readq.search import sql as query_sql
    from readq.search.query import PhraseClause, QueryError, positive_terms

    try:
        query = request.selection.parsed()
    except QueryError as exc:
        return ListResult(request, error=str(exc))
    ids = query_sql.selection_ids(
        store, replace(request.selection, query=query), limit=limit, is_cancelled=is_cancelled
    )
    partial = limit is not None and len(ids) >= limit
    if not query.has_text:
        return ListResult(request, ids, partial=partial)
    terms: list[str] = []
    for term in positive_terms(query.clauses):
        if isinstance(term, PhraseClause):
            terms.append(term.text.casefold())
        else:
            terms.extend(term.tokens)

    def highlight(paper_id: int, title: str) -> list[Span]:
        return word_spans(title, terms)

    return ListResult(request, ids, highlight=highlight, note=APPROXIMATE, partial=partial)


def list_ids(store: Store, selection: Selection, limit: int | None = None) -> list[int]:
    """The ids of a selection without words (a view, filters) from SQL: exact, no index
    needed (the first screen at start-up, before the index has loaded)."""
    from readq.search import sql as query_sql

    return query_sql.selection_ids(store, selection, limit=limit)


CHILD_BUILD_MIN = 20_000
"""From this many papers a first build runs in a child process (it saves the index cache,
which is then loaded): the UI's process keeps its GIL for keystrokes."""


ENGINE_WAIT_SECONDS = 5.0
"""How long a list request waits for an announced load of the saved index before it is
answered in SQL anyway (the load takes 0.05 s at 100k papers, 0.5 s at 1M, when idle)."""


class SelectionError(Exception):
    """A request's query could not be answered (a malformed query): the one-line reason."""


class Cancelled(Exception):
    """The request was cancelled before it finished."""


class Searcher:
    """Answers list requests from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.engine: SearchEngine | None = None
        self._discover: Discover | None = None
        self.discover_models: Callable[[SearchEngine], Discover] | None = None
        """Where the discover model of an engine comes from (the app sets the library's)."""
        self._invalidations = 0
        """Bumped by ``invalidate()``: the index must catch up with the library."""
        self._caught_up = 0
        """The value of ``_invalidations`` the index last caught up with."""
        self._refresh_lock = threading.Lock()
        self._saving: threading.Thread | None = None
        self._closed = threading.Event()
        self.engine_error: str | None = None
        self._expected = threading.Event()
        """Set by :meth:`expect_engine`: a load from the saved index is coming."""
        self._settled = threading.Event()
        """Set once that load ended (loaded, or no usable saved index: a build starts)."""

    # ------------------------------------------------------------------ engine
    def load_engine(self, reader: Store, is_cancelled: IsCancelled | None = None) -> bool:
        """Load the in-memory index from its cache beside the library, or build it (slow at
        1M papers: call it from a worker; big libraries are built by a child process). A build
        made here, or a load that caught up with many changes, is saved for the next start in
        a background thread."""
        try:
            return self._load_engine(reader, is_cancelled)
        finally:
            self._settled.set()  # whatever happened, no request waits any longer

    def _load_engine(self, reader: Store, is_cancelled: IsCancelled | None) -> bool:
        try:
            from readq.search import cache
        except Exception as exc:  # the engine is optional: the SQL path still works
            self.engine_error = f"search engine unavailable: {exc}"
            return False
        from readq.search import SearchCancelled

        def cancelled() -> bool:
            return self._closed.is_set() or (is_cancelled is not None and is_cancelled())

        try:
            # The saved index first (well under a second even at 1M papers): requests waiting
            # in wait_engine() are answered by it. A build takes seconds to minutes: they are
            # released to SQL before it starts.
            engine = cache.load(reader, is_cancelled=cancelled)
            built = False
            if engine is None:
                self._settled.set()
                engine, built = cache.load_or_build(
                    reader, is_cancelled=cancelled, child_min=CHILD_BUILD_MIN
                )
        except SearchCancelled:
            return False
        with self._lock:
            if self._closed.is_set():
                engine.close()
                return False
            old, self.engine = self.engine, engine
            # Catch up on first use: another process may have written while this loaded, and
            # our own marks made meanwhile were not told to an index that did not exist yet.
            self._invalidations += 1
        self._settled.set()
        if old is not None:
            old.close()
        if built or cache.worth_saving(engine):
            self._save_cache(engine)
        return True

    def expect_engine(self) -> None:
        """Say that :meth:`load_engine` is about to run (call before the first request):
        until its load from the saved index ends, a request for a whole list waits for the
        index (:meth:`wait_engine`) rather than scanning the library in SQL. Both competed
        for the CPU at start-up: at 1M papers the SQL list took 1-2 s and delayed the index
        by as much."""
        self._settled.clear()
        self._expected.set()

    @property
    def settled(self) -> threading.Event:
        """Set once a load announced by :meth:`expect_engine` has ended (loaded, given up,
        or turned into a build): start-up work that competes for the CPU, such as the
        library's integrity check, may wait for it."""
        return self._settled

    def stop_waiting(self) -> None:
        """Nothing is going to load (the front end failed before starting it): requests and
        start-up work no longer wait for :attr:`settled`."""
        self._settled.set()

    def _loading_saved(self) -> bool:
        """Whether a load of the saved index was announced and has not ended yet."""
        return self.engine is None and self._expected.is_set() and not self._settled.is_set()

    def wait_engine(
        self, is_cancelled: IsCancelled | None = None, timeout: float = ENGINE_WAIT_SECONDS
    ) -> SearchEngine | None:
        """The engine, once a load announced by :meth:`expect_engine` ended (at most
        ``timeout`` seconds); None if it did not load (no usable saved index: it is being
        built) or nothing was announced. ``Cancelled`` when ``is_cancelled()`` turns True."""
        engine = self.engine
        if engine is not None or not self._expected.is_set():
            return engine
        deadline = time.monotonic() + timeout
        while not self._settled.wait(0.02):
            if is_cancelled is not None and is_cancelled():
                raise Cancelled()
            if self._closed.is_set() or time.monotonic() >= deadline:
                self._settled.set()  # given up: later requests do not wait either
                break
        return self.engine

    def _save_cache(self, engine: SearchEngine) -> None:
        """Write the index cache in a daemon thread (one at a time; a quit mid-write leaves
        the previous cache in place)."""
        from readq.search import cache

        with self._lock:
            if self._saving is not None and self._saving.is_alive():
                return
            self._saving = threading.Thread(
                target=cache.save, args=(engine,), name="readq-search-cache", daemon=True
            )
            self._saving.start()

    def close(self) -> None:
        """Release the engine's connection; a load or build still running stops (a child
        process building the index is killed)."""
        self._closed.set()
        with self._lock:
            if self.engine is not None:
                self.engine.close()
                self.engine = None

    def invalidate(self) -> None:
        """Another process changed the library: refresh the index before the next search."""
        self._invalidations += 1

    def _catch_up(self, engine: SearchEngine) -> None:
        """Refresh the index if the library changed since it last caught up (one thread at a
        time; an ``invalidate()`` during the refresh makes the next call refresh again)."""
        with self._refresh_lock:
            wanted = self._invalidations
            if wanted == self._caught_up:
                return
            if engine.refresh():
                from readq.search import cache

                if cache.worth_saving(engine):
                    self._save_cache(engine)
            self._caught_up = wanted

    def counts(self) -> Stats | None:
        """The view counts from the index (bit counts: instant even at 1M papers, after
        catching up with the library), or None while the index is not loaded."""
        engine = self.engine
        if engine is None:
            return None
        self._catch_up(engine)
        return engine.counts()

    def view_counts(self, reader: Store) -> list[tuple[SavedView, int]]:
        """Each saved view with how many papers it shows now: from the index once loaded
        (caught up first), else counted in SQL; -1 for a query that no longer parses."""
        from readq.search import QueryError, parse_query
        from readq.search import sql as query_sql

        engine = self.engine
        if engine is not None:
            self._catch_up(engine)
        counted: list[tuple[SavedView, int]] = []
        for view in reader.views():
            try:
                parsed = parse_query(view.query)
            except QueryError:
                counted.append((view, -1))
                continue
            if engine is not None:
                counted.append((view, len(engine.search(parsed))))
            else:
                counted.append((view, query_sql.count(reader, parsed)))
        return counted

    def note_states(self, states: list[PaperState]) -> None:
        """Tell the index about our own status/star writes (cheap, no re-read)."""
        engine = self.engine
        if engine is None:
            return
        for state in states:
            engine.update_state(state.id, status=state.status, starred=state.starred)

    def note_trashed(self, paper_ids: list[int], *, trashed: bool) -> None:
        """Tell the index about our own moves to or from the trash (no re-read)."""
        engine = self.engine
        if engine is not None and paper_ids:
            engine.set_trashed(paper_ids, trashed)

    def note_text(self, paper_id: int, text: str) -> None:
        """Tell the index about a note we saved."""
        engine = self.engine
        if engine is not None:
            engine.update_state(paper_id, note=text)

    # ------------------------------------------------------------------ search
    def first_page(
        self, reader: Store, request: ListRequest, rows: int, is_cancelled: IsCancelled
    ) -> ListResult | None:
        """While the index loads, the first ``rows`` ids of a query (``partial`` if there may
        be more; then :meth:`search` gives the whole answer), or None when there is nothing
        to hurry (no query, or the index answers or is about to: the saved index is being
        loaded)."""
        if self.engine is not None or not request.selection.text.strip():
            return None
        if self._loading_saved():
            # The index is about to answer (0.05 s at 100k papers, 0.5 s at 1M): an SQL scan
            # of every abstract now (over a second at 1M) would only slow it down.
            return None
        from readq.search import SearchCancelled

        try:
            return sql_search(reader, request, limit=rows, is_cancelled=is_cancelled)
        except SearchCancelled:
            raise Cancelled() from None

    def selected_ids(
        self, reader: Store, request: ListRequest, is_cancelled: IsCancelled
    ) -> list[int]:
        """Every id ``request`` selects, in order, materialised (an export's papers);
        ``SelectionError`` with the reason for a bad query, ``Cancelled`` when cancelled."""
        result = self.search(reader, request, is_cancelled)
        if result.error is not None:
            raise SelectionError(result.error)
        return list(result.ids)

    def search(self, reader: Store, request: ListRequest, is_cancelled: IsCancelled) -> ListResult:
        """The ids for ``request`` (an error result for a bad query)."""
        from readq.search import QueryError, SearchCancelled

        engine = self.wait_engine(is_cancelled)
        selection = request.selection
        if engine is None:
            if not selection.text.strip():
                return ListResult(request, list_ids(reader, selection))
            try:
                return sql_search(reader, request, is_cancelled=is_cancelled)
            except SearchCancelled:
                raise Cancelled() from None

        # A request superseded by a newer keystroke is dropped before any work: the engine
        # only checks for cancellation inside word matching, so a query without words (a
        # filter, a view, a cleared box) and the first page's materialisation would otherwise
        # run to the end under the engine's lock while the newer request waits for it.
        if is_cancelled():
            raise Cancelled()
        self._catch_up(engine)
        note: str | None = None
        if request.selection.sort is SortKey.RECOMMENDED:
            # Re-scored here, in the list's worker, when a label changed since (never on a key).
            ranking = self.discover(engine).ranking()
            note = ranking.message or None
        try:
            result = engine.search(
                selection.query,
                sort=selection.sort,
                view=selection.view.filter,
                is_cancelled=is_cancelled,
                reverse=selection.reverse,
            )
        except QueryError as exc:
            return ListResult(request, error=str(exc))
        except SearchCancelled:
            raise Cancelled() from None
        if is_cancelled():
            raise Cancelled()
        result[0:200]  # materialise the first page here, off the UI thread

        def highlight(paper_id: int, title: str) -> list[Span]:
            if not selection.text.strip():
                return []
            return list(result.highlights(paper_id, title, "").title_spans)

        return ListResult(request, result, highlight=highlight, note=note)

    def discover(self, engine: SearchEngine | None = None) -> Discover:
        """The related/recommended model over the loaded engine (made on first use)."""
        from readq.discover import Discover

        engine = engine if engine is not None else self.engine
        if engine is None:
            raise RuntimeError("the search index is still loading")
        if self.discover_models is not None:  # the library's: one model for `m` and the list
            return self.discover_models(engine)
        model = self._discover
        if model is None or model.engine is not engine:
            model = self._discover = Discover(engine, engine.reader)
        return model
