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
