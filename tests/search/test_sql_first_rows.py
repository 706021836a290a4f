"""The first screen of a big view is read by walking its sort order's index, not by sorting
the whole view (the Inbox's first 200 rows took 0.53 s at 1M papers, now ~1 ms), and it is
exactly the head of the whole list in every view, sort and direction."""

from __future__ import annotations

import pytest
from support.searchlib import make_papers

from readq.models import SortKey, Source, Status
from readq.search import sql
from readq.search.query import parse_query
from readq.store import Store

VIEWS: list[sql.ViewFilter] = [None, Status.NEW, Status.READ, Status.TO_READ, "starred"]


@pytest.fixture
def library(store: Store) -> Store:
    store.ingest(make_papers(150), Source("a", "a.txt", "2025-01-01"), "test")
    store.ingest(make_papers(150, seed=5), Source("b", "b.txt", "2025-02-01"), "test")
    store.set_status(list(range(1, 60, 3)), Status.READ)
    store.set_status(list(range(2, 90, 7)), Status.TO_READ)
    store.set_starred(list(range(5, 200, 11)), True)
    store.trash([7, 8, 100])
    return store


@pytest.mark.parametrize("big_view", [2, 10_000])
def test_first_rows_are_the_head_of_the_whole_list(
    library: Store, big_view: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql, "BIG_VIEW", big_view)
    empty = parse_query("")
    for view in VIEWS:
        for sort in SortKey:
            for reverse in (False, True):
                whole = sql.select_ids(library, empty, view=view, sort=sort, reverse=reverse)
                for limit in (1, 25, 1000):
                    first = sql.select_ids(
                        library, empty, view=view, sort=sort, reverse=reverse, limit=limit
                    )
                    assert first == whole[:limit], (view, sort, reverse, limit)


def plans(store: Store, monkeypatch: pytest.MonkeyPatch, **kwargs: object) -> list[str]:
    """What SQLite does for the statement ``select_ids`` runs with ``kwargs``."""
    seen: list[tuple[str, dict[str, object]]] = []
    real = sql._fetch

    def record(
        store: Store, text: str, params: dict[str, object], *args: object
    ) -> list[tuple[int, ...]]:
        seen.append((text, params))
        return real(store, text, params, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sql, "_fetch", record)
    sql.select_ids(store, parse_query(""), **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(sql, "_fetch", real)
    (text, params), *_ = seen
    return [str(row[3]) for row in store.conn.execute(f"EXPLAIN QUERY PLAN {text}", params)]


def test_a_big_views_first_screen_walks_the_sort_index(
    library: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql, "BIG_VIEW", 2)
    for sort in (SortKey.ADDED, SortKey.READ, SortKey.RELEVANCE):
        plan = plans(library, monkeypatch, view=Status.NEW, sort=sort, limit=200)
        assert not any("TEMP B-TREE" in step for step in plan), (sort, plan)


def test_a_small_view_keeps_its_own_index(library: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Walking the order to fill a page of a view of a few papers would read the library."""
    monkeypatch.setattr(sql, "BIG_VIEW", 10_000)
    plan = plans(library, monkeypatch, view=Status.READ, sort=SortKey.ADDED, limit=200)
    assert any("idx_papers_status" in step or "idx_papers_queue" in step for step in plan), plan
