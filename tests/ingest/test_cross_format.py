"""One fictional paper ("Gradient Lanterns", arXiv 2612.04011) pasted from every page shape
that shows it ends as one stored paper with its id, the newest version, the full author
names (never Scholar's initials), the full abstract (never a truncated preview) and the
properly cased title, in whatever order the pages arrive (readq/ingest with the store's
one matching rule)."""

from __future__ import annotations

import random

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


FULL_NAMES = ("Ada Quill", "Bram Osei", "Chen Varga", "Dara Lindqvist", "Emeka Tan")


@pytest.mark.parametrize("order", ["forward", "backward", "shuffled"])
def test_the_shared_paper_is_stored_once_with_its_id(store: Store, order: str) -> None:
    names = {
        "forward": LANTERNS_SHAPES,
        "backward": LANTERNS_SHAPES[::-1],
        "shuffled": random.Random(14).sample(LANTERNS_SHAPES, len(LANTERNS_SHAPES)),
    }[order]
    reports = ingest_paths(store, [str(FIXTURES / name) for name in names])
    assert all(r.ok for r in reports), [r.error for r in reports]
    key = normalise_key(LANTERNS)
    (lanterns,) = [p for p in store.list_papers() if normalise_key(p.title) == key]
    assert lanterns.arxiv_id == LANTERNS_ID
    assert {s.name for s in lanterns.sources} == set(LANTERNS_SHAPES)
    assert lanterns.title == LANTERNS  # Scholar's lower-cased copy never wins
    assert lanterns.author_names == FULL_NAMES
    assert lanterns.authors == len(FULL_NAMES)
    assert lanterns.arxiv_version == 3  # the digest's replacement
    assert lanterns.categories[0] == "cs.LG"
    assert not lanterns.abstract_partial
    assert lanterns.abstract.startswith("We study how tiny transformers")
    assert "carry digits" in lanterns.abstract  # the whole abstract, not a preview
