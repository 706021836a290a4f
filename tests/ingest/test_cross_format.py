"""One fictional paper ("Gradient Lanterns", arXiv 2612.04011) pasted from every page shape
that shows it ends as one stored paper that knows its id (readq/ingest/__init__.py with
today's store; the store's id-first rule and the upgrade of names, version and partial
abstracts are identity-store's part of issue 14)."""

from __future__ import annotations

import pytest
from pages import FIXTURES, LANTERNS, LANTERNS_ID

from readq.ingest import ingest_paths
from readq.store import Store
from readq.textclean import normalise_key

LANTERNS_SHAPES = [
    "hf_daily.txt",
    "hf_trending.txt",
    "arxiv_list_new.txt",
    "arxiv_list_recent.txt",
    "arxiv_search.txt",
    "arxiv_abs.txt",
    "arxiv_email.txt",
    "hf_paper.txt",
    "hf_collection.txt",
    "scholar.txt",
]


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_the_shared_paper_is_stored_once_with_its_id(store: Store, order: str) -> None:
    names = LANTERNS_SHAPES if order == "forward" else LANTERNS_SHAPES[::-1]
    reports = ingest_paths(store, [str(FIXTURES / name) for name in names])
    assert all(r.ok for r in reports), [r.error for r in reports]
    key = normalise_key(LANTERNS)
    (lanterns,) = [p for p in store.list_papers() if normalise_key(p.title) == key]
    assert lanterns.arxiv_id == LANTERNS_ID
    assert {s.name for s in lanterns.sources} == set(LANTERNS_SHAPES)
    assert lanterns.abstract  # from whichever page came first with one
