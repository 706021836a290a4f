"""While the TUI loads the saved index, a whole list waits for it instead of scanning the
library in SQL (both competed for the CPU at start: at 1M papers the SQL list took 1-2 s and
held the index back by as much); a build, which takes minutes, is never waited for."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from support.searchlib import make_papers, saved

from readq.library.searcher import APPROXIMATE, Cancelled, ListRequest, Searcher
from readq.models import Source
from readq.search import cache
from readq.search.selection import Selection
from readq.store import Store


@pytest.fixture
def library(store: Store) -> Store:
    store.ingest(make_papers(300), Source("gen", "gen.txt", "2025-01-01"), "test")
    return store


@pytest.fixture
def reader(library: Store) -> Iterator[Store]:
    made = library.open_reader()
    yield made
    made.close()


def request(text: str) -> ListRequest:
    return ListRequest(1, Selection(query=text))


def load_later(searcher: Searcher, store: Store, delay: float) -> threading.Thread:
    def run() -> None:
        time.sleep(delay)
        own = store.open_reader()
        try:
            searcher.load_engine(own)
        finally:
            own.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_list_waits_for_the_saved_index_being_loaded(library: Store, reader: Store) -> None:
    saved(library)
    searcher = Searcher()
    searcher.expect_engine()
    loading = load_later(searcher, library, 0.3)
    try:
        result = searcher.search(reader, request("difusion"), lambda: False)
        assert searcher.engine is not None
        assert result.note != APPROXIMATE  # the index answered: typos, ranking
        assert list(result.ids)
    finally:
        loading.join()
        searcher.close()


def test_a_build_is_not_waited_for(
    library: Store, reader: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No usable saved index: the list is answered in SQL while the index is built."""
    release = threading.Event()
    real = cache.load_or_build

    def slow_build(*args: object, **kwargs: object) -> object:
        release.wait(timeout=10)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "load_or_build", slow_build)
    searcher = Searcher()
    searcher.expect_engine()
    loading = load_later(searcher, library, 0.0)
    try:
        started = time.monotonic()
        result = searcher.search(reader, request("diffusion"), lambda: False)
        assert time.monotonic() - started < 5.0
        assert searcher.engine is None
        assert result.note == APPROXIMATE
    finally:
        release.set()
        loading.join()
        searcher.close()


def test_waiting_stops_when_the_request_is_cancelled(library: Store, reader: Store) -> None:
    searcher = Searcher()
    searcher.expect_engine()  # announced, never started
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    with pytest.raises(Cancelled):
        searcher.search(reader, request("diffusion"), cancel.is_set)
    searcher.close()


def test_a_load_that_never_comes_is_waited_for_once(library: Store, reader: Store) -> None:
    searcher = Searcher()
    searcher.expect_engine()
    started = time.monotonic()
    assert searcher.wait_engine(timeout=0.2) is None
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    result = searcher.search(reader, request("diffusion"), lambda: False)
    assert time.monotonic() - started < 1.0  # not another wait
    assert result.note == APPROXIMATE
    searcher.close()


def test_nothing_waits_unless_a_load_was_announced(library: Store, reader: Store) -> None:
    saved(library)
    searcher = Searcher()
    started = time.monotonic()
    result = searcher.search(reader, request("diffusion"), lambda: False)
    assert time.monotonic() - started < 1.0
    assert result.note == APPROXIMATE
    searcher.close()
