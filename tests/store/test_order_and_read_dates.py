"""The "added" order keeps a page's order within one ingest (newest ingest first); a read
date is set when a paper is marked read, kept when it is marked read again, cleared when it
goes back to the queue; the index answers every sort, either way round, as SQLite does."""

from __future__ import annotations

import pytest

from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.search import SearchEngine
from readq.store import Store, sort_sql


def _page(*titles: str) -> list[ScrapedPaper]:
    return [ScrapedPaper(t, f"An abstract about {t.lower()}.") for t in titles]


def _two_ingests(store: Store) -> None:
    store.ingest(_page("Alpha Lamps", "Beta Lamps", "Gamma Lamps"), Source("a", "/a", "1"), "hf")
    store.ingest(_page("Delta Kites", "Epsilon Kites"), Source("b", "/b", "2"), "hf")


def test_added_keeps_the_page_order_within_an_ingest(store: Store) -> None:
    _two_ingests(store)
    titles = [p.title for p in store.list_papers()]
    assert titles == ["Delta Kites", "Epsilon Kites", "Alpha Lamps", "Beta Lamps", "Gamma Lamps"]
    backwards = [p.title for p in store.list_papers(reverse=True)]
    assert backwards == titles[::-1]


@pytest.mark.parametrize("sort", [s for s in SortKey if s is not SortKey.RELEVANCE])
@pytest.mark.parametrize("reverse", [False, True])
def test_the_index_orders_as_sqlite_does(store: Store, sort: SortKey, reverse: bool) -> None:
    _two_ingests(store)
    store.set_status([2], Status.READ)
    store.set_status([5], Status.READ)
    engine = SearchEngine.load(store)
    try:
        by_index = list(engine.search("", sort=sort, reverse=reverse))
        by_words = list(engine.search("lamps OR kites", sort=sort, reverse=reverse))
    finally:
        engine.close()
    by_sql = [
        r[0]
        for r in store.conn.execute(
            f"SELECT id FROM papers ORDER BY {sort_sql(sort, reverse=reverse)}"
        )
    ]
    assert by_index == by_sql
    assert by_words == by_sql  # every paper matches one word once: one rank


def test_the_index_reorders_the_read_sort_after_a_mark(store: Store) -> None:
    _two_ingests(store)
    engine = SearchEngine.load(store)
    try:
        store.set_status([3], Status.READ)
        engine.update_state(3, status=Status.READ)
        assert engine.search("", sort=SortKey.READ)[0] == 3
        store.set_status([1], Status.READ)
        engine.update_state(1, status=Status.READ)
        assert engine.search("", sort=SortKey.READ)[:2] == [1, 3]
    finally:
        engine.close()


def test_a_read_date_is_set_kept_and_cleared(store: Store) -> None:
    _two_ingests(store)
    assert store.get(1).read_at is None
    store.set_status([1], Status.READ)
    first = store.get(1).read_at
    assert first is not None and first.startswith("20")
    store.set_status([1], Status.READ)  # marked read again: the first date stays
    assert store.get(1).read_at == first
    store.set_starred([1], True)
    assert store.get(1).read_at == first
    before = store.set_status([1], Status.TO_READ)
    assert store.get(1).read_at is None  # back in the queue: not read any more
    assert before[0].read_at == first
    store.restore_states(before)  # undo puts the date back with the status
    assert (store.get(1).status, store.get(1).read_at) == (Status.READ, first)
    assert store.get(1).to_json()["read_at"] == first
