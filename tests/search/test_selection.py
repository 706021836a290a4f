"""``readq.search.selection``: one ``Selection`` (view, query, sort, direction) that the CLI,
the export and the TUI's searcher all answer the same way, on the SQL path and the index."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.searchlib import make_papers

from readq.cli import cli
from readq.export import select_ids as export_ids
from readq.library.searcher import ListRequest, Searcher
from readq.models import SortKey, Source, Status
from readq.search import QueryError, Selection, View, select_ids
from readq.search.query import StarredClause, StatusClause
from readq.search.sql import selection_ids
from readq.store import Store


@pytest.fixture
def library(store: Store) -> Store:
    store.ingest(make_papers(120), Source("gen", "gen.txt", "2025-01-01"), "test")
    store.set_status([3, 10, 11, 40, 41], Status.READ)
    store.set_status([12, 13], Status.TO_READ)
    store.set_starred([3, 12, 40, 77], True)
    return store


@pytest.mark.parametrize(("status", "starred"), itertools.product(Status, [False, True]))
def test_a_view_filter_and_matches_agree(status: Status, starred: bool) -> None:
    for view in View:
        wanted = view.filter
        by_filter = wanted is None or (wanted == "starred" and starred) or (wanted is status)
        assert view.matches(status, starred) is by_filter, view


def test_text_query_and_clauses() -> None:
    plain = Selection(View.READ, "lora -video", SortKey.TITLE, reverse=True)
    assert plain.text == "lora -video" and plain.has_query
    assert not Selection().has_query and not Selection(query="   ").has_query
    narrowed = plain.with_state(status=Status.READ, starred=False)
    assert narrowed.text == "lora -video is:read -is:starred"  # the clauses, in words
    clauses = narrowed.parsed().clauses
    assert clauses[-2:] == (StatusClause(Status.READ), StarredClause(negated=True))
    assert (narrowed.view, narrowed.sort, narrowed.reverse) == (View.READ, SortKey.TITLE, True)
    assert Selection().with_state() == Selection()
    assert Selection(query="").with_state(starred=True).has_query
    with pytest.raises(QueryError):
        Selection(query="org:").with_state(status=Status.NEW)


SELECTIONS = [
    Selection(View.ALL, "", SortKey.ADDED),
    Selection(View.INBOX, "", SortKey.PUBLISHED, reverse=True),
    Selection(View.STARRED, "is:read OR is:to-read", SortKey.TITLE),
    Selection(View.READ, "-is:starred", SortKey.UPVOTES),
    Selection(View.ALL, "year:>=2023 -has:note", SortKey.ADDED, reverse=True),
]


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: f"{s.view.value}:{s.text}")
def test_filters_are_answered_alike_by_every_path(library: Store, selection: Selection) -> None:
    """No words: the CLI's one-shot select, the export and the TUI's searcher (before and
    after its index has loaded) give the same ids in the same order as the SQL answer."""
    expected = selection_ids(library, selection)
    assert select_ids(library, selection) == expected
    assert export_ids(library, selection) in (None, expected)
    searcher = Searcher()
    try:
        sql_side = searcher.search(library, ListRequest(1, selection), lambda: False)
        assert list(sql_side.ids) == expected and sql_side.note is None
        assert searcher.load_engine(library.open_reader())
        indexed = searcher.search(library, ListRequest(2, selection), lambda: False)
        assert list(indexed.ids) == expected
    finally:
        searcher.close()


def test_words_go_to_the_index_on_every_front_end(library: Store) -> None:
    selection = Selection(View.ALL, "difusion", SortKey.RELEVANCE)  # a typo: index only
    found = select_ids(library, selection)
    assert found and selection_ids(library, selection) == []
    searcher = Searcher()
    try:
        assert searcher.load_engine(library.open_reader())
        result = searcher.search(library, ListRequest(1, selection), lambda: False)
        assert list(result.ids) == found
    finally:
        searcher.close()


def test_the_whole_library_exports_with_its_log_and_anything_else_by_selection(
    library: Store,
) -> None:
    assert export_ids(library, Selection(sort=SortKey.ADDED)) is None
    assert export_ids(library, Selection(sort=SortKey.TITLE)) == selection_ids(
        library, Selection(sort=SortKey.TITLE)
    )
    starred = Selection(sort=SortKey.ADDED).with_state(starred=True)
    assert export_ids(library, starred) == selection_ids(library, starred)
    assert sorted(export_ids(library, starred) or []) == [3, 12, 40, 77]


def test_cli_list_options_are_the_selection_clauses(library: Store, db_path: Path) -> None:
    """``readq list --status read --not-starred`` and ``-q "is:read -is:starred"`` are one
    selection: the same papers in the same order, with or without words."""
    runner = CliRunner()

    def ids(*args: str) -> list[int]:
        out = runner.invoke(cli, ["--db", str(db_path), "list", "--json", *args])
        assert out.exit_code == 0, out.output
        return [paper["id"] for paper in json.loads(out.output)]

    by_options = ids("--status", "read", "--not-starred", "--sort", "title")
    by_query = ids("-q", "is:read -is:starred", "--sort", "title")
    assert by_options == by_query
    expected = selection_ids(library, Selection(query="is:read -is:starred", sort=SortKey.TITLE))
    assert by_options == expected and len(expected) == 3
    assert ids("--status", "read", "-q", "neural", "--sort", "added") == select_ids(
        library, Selection(query="neural is:read", sort=SortKey.ADDED)
    )
