"""The write path of a big ingest: what it keeps in memory while it writes."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from readq.models import ScrapedPaper, Source
from readq.store import Store, _IngestBatch, scraped_values
from readq.textclean import dedupe_keys


def _rows(count: int, *, start: int = 0) -> list[tuple[object, ...]]:
    papers = [
        ScrapedPaper(
            f"Fictional paper number {i} on lantern routing",
            f"We study lantern routing problem number {i} in a fictional setting. " * 4,
        )
        for i in range(start, start + count)
    ]
    return [scraped_values(p, *dedupe_keys(p.title, p.abstract)) for p in papers]


def test_the_sets_that_grow_with_a_listing_are_not_walked_by_the_garbage_collector(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every full collection visits each member of a tracked set or list: with a million
    papers' key hashes, ids and merged ids in sets, collections took 2.9 of a 1M ingest's
    34.6 CPU-s. The growing containers hold ints in untracked shapes, in a first ingest (key
    hashes read once) and a re-ingest (merged and updated ids) alike."""
    seen: list[Any] = []
    original = _IngestBatch.run

    def spy(self: _IngestBatch, items: Any, seen_in_file: Any, *ids: Any) -> int:
        seen.extend(self.known.values() if self.known is not None else [])
        seen.extend(ids[:3])  # new, merged and updated ids
        return original(self, items, seen_in_file, *ids)

    monkeypatch.setattr(_IngestBatch, "run", spy)
    source = Source("s", "/s", "2026-01-01")
    store.ingest_rows(iter(_rows(30)), source, "hf", expected=30)
    changed = [(*row[:7], 99, *row[8:]) for row in _rows(30)]  # more upvotes: an update
    result = store.ingest_rows(iter(changed), source, "hf", expected=30)
    assert (result.merged, result.updated) == (30, 30)
    assert seen
    gc.collect()  # a dict that only holds ints is untracked at a collection, if not before
    # What a full collection visits in each (a set or list: every member; an array: none).
    visited = [len(gc.get_referents(c)) if gc.is_tracked(c) else 0 for c in seen]
    assert len(seen) == 2 * 7 and max(visited) <= 1, visited


def test_a_key_that_one_paper_has_is_found_without_asking_the_key_index(store: Store) -> None:
    """A re-ingest's repeats were each looked up in the title and abstract key indexes (at a
    million papers, ~20% of the batches' lookup time): the key hashes read at the start now
    say which paper has each key, and only a hash that several papers share is looked up."""
    source = Source("s", "/s", "2026-01-01")
    title = "Fictional twin titles on lantern routing"
    twins = [
        ScrapedPaper(
            title,
            f"Twin number {i} has an abstract of its own, long enough. " * 3,
            arxiv_id=f"2612.0000{i}",
        )
        for i in (1, 2)
    ]  # two papers (two arXiv ids) with one title key
    rows = [scraped_values(p, *dedupe_keys(p.title, p.abstract)) for p in twins] + _rows(40)
    first = store.ingest_rows(iter(rows), source, "hf", expected=42)
    assert first.new == 42 and first.possible_duplicates == ((2, 1),)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        result = store.ingest_rows(iter(rows), source, "hf", expected=42)
    finally:
        store.conn.set_trace_callback(None)
    assert (result.new, result.merged) == (0, 42)
    key_lookups = [s for s in statements if "_key IN (" in s]
    # One lookup: the twins' shared title key (each abstract key is one paper's own).
    assert len(key_lookups) == 1, key_lookups
    assert "title_key IN ('fictional twin titles on lantern routing')" in key_lookups[0]
