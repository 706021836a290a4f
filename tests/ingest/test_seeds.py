"""Integration over the real listings in ../shared/seeds (skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

from readq.ingest import ingest_paths
from readq.models import Status
from readq.store import Store

# 166 Hugging Face entries with 18 repeats (17 papers in two files, one in three) = 148
# unique titled papers, plus 10 untitled arXiv abstracts that match none of them.
UNIQUE_PAPERS = 158


def test_seeds_dedupe_to_the_unique_papers(store: Store, seeds: list[Path]) -> None:
    reports = ingest_paths(store, [str(p) for p in seeds])
    assert all(r.ok for r in reports), [r.error for r in reports]
    assert store.count() == UNIQUE_PAPERS
    assert sum(r.result.papers for r in reports if r.result) == 176
    assert sum(r.result.merged for r in reports if r.result) == 18
    thrice = [p for p in store.list_papers() if len(p.sources) == 3]
    assert len(thrice) == 1
    twice = [p for p in store.list_papers() if len(p.sources) == 2]
    assert len(twice) == 16
    formats = sorted({r.format for r in reports})
    assert formats == ["arxiv", "hf"]
    assert sum(p.title_derived for p in store.list_papers()) == 10


def test_second_ingest_adds_nothing_and_keeps_user_state(store: Store, seeds: list[Path]) -> None:
    ingest_paths(store, [str(p) for p in seeds])
    store.set_status([1, 2], Status.READ)
    store.set_starred([3], True)
    store.save_note(4, "keep me")
    before = json.dumps([p.to_json() for p in store.list_papers()])
    reports = ingest_paths(store, [str(p) for p in seeds])
    assert sum(r.result.new for r in reports if r.result) == 0
    assert sum(r.result.updated for r in reports if r.result) == 0
    assert json.dumps([p.to_json() for p in store.list_papers()]) == before


def test_seed_metadata_is_parsed(store: Store, seeds: list[Path]) -> None:
    ingest_paths(store, [str(p) for p in seeds])
    papers = store.list_papers()
    assert sum(p.authors is not None for p in papers) > 80
    assert {p.org for p in papers if p.org} == {"Apple", "StepFun"}
    assert all(p.published is None or p.published[:4] in {"2021", "2022", "2023", "2024", "2025"}
               for p in papers)  # fmt: skip
    assert max(p.upvotes or 0 for p in papers) >= 6
