"""Typos, case and prefixes find their papers in the real listings (skipped when absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from readq.ingest import ingest_paths
from readq.search import SearchEngine
from readq.store import Store


@pytest.fixture
def engine(store: Store, seeds: list[Path]) -> SearchEngine:
    ingest_paths(store, [str(p) for p in seeds])
    return SearchEngine.load(store)


@pytest.mark.parametrize(
    ("query", "pattern"),
    [
        ("difusion", r"\bdiffusion"),
        ("trasnformer", r"\btransformer"),
        ("lora", r"\blora\b"),
        ("diff", r"\bdiff"),
    ],
)
def test_typo_and_prefix_cases_find_their_papers(
    store: Store, engine: SearchEngine, query: str, pattern: str
) -> None:
    regex = re.compile(pattern, re.IGNORECASE)
    rows = store.conn.execute("SELECT id, title, abstract FROM papers").fetchall()
    expected = {int(r[0]) for r in rows if regex.search(r[1]) or regex.search(r[2])}
    in_titles = {int(r[0]) for r in rows if regex.search(r[1])}
    assert expected, f"the seeds have no paper matching {pattern!r}"
    result = engine.search(query)
    assert expected <= set(result)
    if in_titles:  # the best result has the word in its title
        assert result[0] in in_titles
