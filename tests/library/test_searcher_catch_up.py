"""The TUI's Searcher keeps the index in step with the library it answers for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.searchlib import make_papers

from readq.library.searcher import Searcher
from readq.models import SortKey, Source, Status
from readq.store import Store


@pytest.fixture
def library(store: Store) -> Store:
    """600 fictional papers, all new."""
    store.ingest(make_papers(600), Source("gen", "gen.txt", "2025-01-01"), "test")
    return store


@pytest.fixture
def searcher(library: Store) -> Iterator[Searcher]:
    """A Searcher with its index loaded."""
    made = Searcher()
    reader = library.open_reader()
    try:
        assert made.load_engine(reader)
    finally:
        reader.close()
    yield made
    made.close()


def test_a_write_made_while_the_index_loaded_is_counted(
    library: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mark made while the index loads (after it read the library, before it is installed)
    was never told to it: the first use after the install catches up."""
    from readq.search import cache

    real = cache.load_or_build

    def load_then_someone_writes(*args: object, **kwargs: object) -> object:
        built = real(*args, **kwargs)  # type: ignore[arg-type]
        library.set_status([1, 2], Status.READ)
        return built

    monkeypatch.setattr(cache, "load_or_build", load_then_someone_writes)
    searcher = Searcher()
    reader = library.open_reader()
    try:
        assert searcher.load_engine(reader)
    finally:
        reader.close()
    counts = searcher.counts()
    assert counts is not None
    assert counts.by_status[Status.READ] == 2
    searcher.close()


def test_an_invalidation_is_never_lost(library: Store, searcher: Searcher) -> None:
    counts = searcher.counts()
    assert counts is not None and counts.by_status[Status.READ] == 0
    other = Store.open(library.path)
    try:
        other.set_status([7], Status.READ)
    finally:
        other.close()
    searcher.invalidate()
    counts = searcher.counts()
    assert counts is not None and counts.by_status[Status.READ] == 1
    # A second change after the catch-up is caught up again on the next use.
    other = Store.open(library.path)
    try:
        other.set_starred([8], True)
    finally:
        other.close()
    searcher.invalidate()
    counts = searcher.counts()
    assert counts is not None and counts.starred == 1


@pytest.mark.parametrize("text", ["", "is:new", "graph"])
def test_a_superseded_request_is_dropped_before_any_work(
    library: Store, searcher: Searcher, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """A request cancelled by a newer keystroke (as the exclusive list worker is) never runs
    its search, whether or not the query has words for the engine to check cancellation in."""
    from readq.library.searcher import Cancelled, ListRequest
    from readq.search import SearchEngine
    from readq.search.selection import Selection, View

    ran: list[str] = []
    real = SearchEngine.search

    def spy(self: SearchEngine, *args: object, **kwargs: object) -> object:
        ran.append(str(args[0]))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SearchEngine, "search", spy)
    request = ListRequest(1, Selection(View.INBOX, text, SortKey.PUBLISHED))
    reader = library.open_reader()
    try:
        with pytest.raises(Cancelled):
            searcher.search(reader, request, lambda: True)
        assert ran == []
        result = searcher.search(reader, request, lambda: False)
        assert ran == [text] and len(result.ids) > 0
    finally:
        reader.close()
