"""Before the index has loaded, the list answers the same query language exactly in SQL
(``listing.sql_search``), says "approximate" while words are involved, and reports malformed
queries as errors; it used to run a plain-word filter (``-survey`` found the papers with
"survey", ``is:read`` searched the words "is" and "read", ``year:>=2024`` found nothing)."""

from __future__ import annotations

import pytest

from readq.library.searcher import APPROXIMATE, ListRequest, Searcher
from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.search.selection import Selection, View
from readq.store import Store

PAPERS = [
    ScrapedPaper("A Survey of Graph Samplers", "We review samplers.", published="2022-01-01"),
    ScrapedPaper("Graph Diffusion Models", "Diffusion over graphs.", published="2024-02-02"),
    ScrapedPaper("Video Models", "Clips and frames.", published="2025-03-03"),
]


@pytest.fixture
def library(store: Store) -> Store:
    store.ingest(PAPERS, Source("fixture", "fixture.txt", "2025-01-01"), "test")
    store.set_status([2], Status.READ)
    return store


def _ask(
    store: Store, text: str, view: View = View.ALL
) -> tuple[list[int], str | None, str | None]:
    searcher = Searcher()
    assert searcher.engine is None  # the index has not loaded: the SQL path answers
    result = searcher.search(
        store, ListRequest(1, Selection(view, text, SortKey.ADDED)), lambda: False
    )
    return list(result.ids), result.error, result.note


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("-survey", [2, 3]),  # "added": one ingest, in the page's order
        ("is:read", [2]),
        ("-is:read", [1, 3]),
        ("year:>=2024", [2, 3]),
        ("graph -diffusion", [1]),
        ("(diffusion OR video) -is:read", [3]),
    ],
)
def test_sql_path_has_the_query_semantics(library: Store, text: str, ids: list[int]) -> None:
    found, error, _note = _ask(library, text)
    assert error is None
    assert found == ids


def test_words_are_labelled_approximate_filters_are_not(library: Store) -> None:
    assert _ask(library, "graph")[2] == APPROXIMATE
    assert "approximate (index loading)" in APPROXIMATE
    assert _ask(library, "is:read year:2024")[2] is None  # exact: nothing to qualify


def test_views_apply_on_the_sql_path(library: Store) -> None:
    assert _ask(library, "graph", View.READ)[0] == [2]
    assert _ask(library, "graph", View.INBOX)[0] == [1]


@pytest.mark.parametrize("text", ["org:", "-", "()", '"open', "(graph", "graph)", "foo:bar"])
def test_malformed_queries_are_errors_not_everything(library: Store, text: str) -> None:
    ids, error, _note = _ask(library, text)
    assert ids == []
    assert error and "\n" not in error


def test_first_page_paints_before_the_count(library: Store) -> None:
    """With the index loading, the first screen of a query comes from a LIMIT scan; it is
    partial only when more may follow (then search() gives the whole answer)."""
    searcher = Searcher()
    request = ListRequest(1, Selection(View.ALL, "graph", SortKey.ADDED))
    page = searcher.first_page(library, request, 1, lambda: False)
    assert page is not None and page.partial and list(page.ids) == [1]
    assert page.note == APPROXIMATE
    whole = searcher.first_page(library, request, 5, lambda: False)
    assert whole is not None and not whole.partial and list(whole.ids) == [1, 2]
    nothing = ListRequest(1, Selection(View.ALL, "  ", SortKey.ADDED))
    assert searcher.first_page(library, nothing, 5, lambda: False) is None


def test_a_stale_sql_query_is_stopped_inside_sqlite(store: Store) -> None:
    """A newer keystroke cancels the scan of the older query: SQLite stops it (progress
    handler) and no result is produced for it."""
    from readq.library.searcher import Cancelled
    from readq.search import SearchCancelled, parse_query
    from readq.search import sql as query_sql

    papers = [
        ScrapedPaper(f"Paper {i} about graphs", f"Abstract number {i}. " * 40) for i in range(3000)
    ]
    store.ingest(papers, Source("fixture", "fixture.txt", "2025-01-01"), "test")
    calls = 0

    def cancelled() -> bool:
        nonlocal calls
        calls += 1
        return True

    with pytest.raises(SearchCancelled):
        query_sql.select_ids(store, parse_query("nowhere -graphs"), is_cancelled=cancelled)
    assert calls == 2  # once inside the scan, which stopped; once to tell it from an error
    request = ListRequest(1, Selection(View.ALL, "nowhere", SortKey.ADDED))
    with pytest.raises(Cancelled):
        Searcher().search(store, request, lambda: True)
    # the connection is usable afterwards, without the handler
    assert query_sql.count(store, parse_query("graphs")) == 3000
