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


def _copies(*dates: tuple[str, str, int]) -> list[ScrapedPaper]:
    """One fictional paper as several copies in one listing, each with its own inferred date
    (year-less text, as a Hugging Face page gives it) and upvotes."""
    abstract = "We study quiet gondolas and robust ferries at length, in a made-up abstract."
    return [
        ScrapedPaper(
            "Quiet Gondolas for Robust Ferries",
            abstract,
            published=published,
            published_text=text,
            upvotes=upvotes,
        )
        for published, text, upvotes in dates
    ]


def _row(store: Store) -> tuple[object, ...]:
    return tuple(store.conn.execute("SELECT published, upvotes, updated_at FROM papers").fetchone())


def test_re_ingesting_a_listing_whose_copies_of_a_paper_differ_changes_nothing(
    store: Store,
) -> None:
    """Two copies of one paper in a listing set its inferred date one way and back on every
    ingest of it: after the first, the paper is as it was, so it is neither counted as
    updated nor stamped as changed (the search index and sync would take it for a change)."""
    listing = _copies(("2026-10-16", "Oct 16", 3), ("2026-10-17", "Oct 17", 5))
    source = Source("daily", "daily.txt", "2026-12-01")
    assert store.ingest(listing, source, "hf").new == 1
    first = _row(store)
    assert first[:2] == ("2026-10-17", 5)  # the later copy wins
    for _ in range(2):
        result = store.ingest(listing, source, "hf")
        assert (result.new, result.merged, result.updated) == (0, 1, 0)
        assert _row(store) == first


def test_copies_that_change_a_paper_after_all_still_count(store: Store) -> None:
    source = Source("daily", "daily.txt", "2026-12-01")
    store.ingest(_copies(("2026-10-17", "Oct 17", 5)), source, "hf")
    before = _row(store)
    listing = _copies(("2026-10-16", "Oct 16", 3), ("2026-10-18", "Oct 18", 9))
    result = store.ingest(listing, source, "hf")
    assert (result.merged, result.updated) == (1, 1)
    after = _row(store)
    assert after[:2] == ("2026-10-18", 9) and after[2] != before[2]
