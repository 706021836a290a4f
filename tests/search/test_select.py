"""``readq.search.select``: the CLI's and export's one-shot search saves the index it had to
build, so that the next ``readq list --query`` loads it instead of building again."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.searchlib import make_papers

from readq.models import SortKey, Source
from readq.paths import search_cache_path
from readq.search import SearchEngine, Selection, select_ids
from readq.store import Store


def test_a_build_is_saved_for_the_next_search(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.ingest(make_papers(200), Source("gen", "gen.txt", "2025-01-01"), "test")
    path = search_cache_path(Path(store.path))
    assert not path.exists()  # a library no writer saved the index of (an older readq's)
    first = select_ids(store, Selection(query="lora adapter", sort=SortKey.TITLE))
    assert first and path.is_file()

    def no_build(*_args: object, **_kwargs: object) -> SearchEngine:
        raise AssertionError("built again although the first search saved the index")

    monkeypatch.setattr(SearchEngine, "load", no_build)
    assert select_ids(store, Selection(query="lora adapter", sort=SortKey.TITLE)) == first


def test_a_query_without_words_needs_no_index(store: Store) -> None:
    store.ingest(make_papers(20), Source("gen", "gen.txt", "2025-01-01"), "test")
    assert select_ids(store, Selection(query="is:new", sort=SortKey.ADDED))
    assert not search_cache_path(Path(store.path)).exists()
