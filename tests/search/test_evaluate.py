"""Query evaluation alone: ranking buckets and per-word tiers, over a state built from a small
fictional library."""

from __future__ import annotations

import pytest

from readq.models import ScrapedPaper, SortKey, Source
from readq.search import build
from readq.search.documents import LibraryRows
from readq.search.evaluate import (
    OTHER_EXACT,
    TITLE_EXACT,
    TITLE_PREFIX,
    TITLE_TYPO,
    Evaluator,
    Tier,
    rank,
)
from readq.search.matching import WordMatcher
from readq.search.orders import SortOrders
from readq.search.query import Field, parse_query
from readq.search.state import PaperState
from readq.store import Store


def test_rank_sums_scores_and_keeps_the_score_of_an_unmatched_alternative() -> None:
    first = [Tier(TITLE_EXACT, 0b001), Tier(OTHER_EXACT, 0b010)]
    second = [Tier(TITLE_EXACT, 0b010)]
    # doc 1 scores 3 + 6, doc 0 scores 6 (the second word did not match it), doc 2 nothing.
    assert rank(0b111, [first, second], None) == [0b010, 0b001, 0b100]
    assert rank(0b111, [], None) == [0b111]


@pytest.fixture
def evaluator(store: Store) -> Evaluator:
    store.ingest(
        [
            ScrapedPaper("Wombat Burrows", "Digging."),  # doc 0
            ScrapedPaper("Wombats Everywhere", "Wombat census."),  # doc 1
            ScrapedPaper("Wombta Typos", "Nothing."),  # doc 2
            ScrapedPaper("Emu", "The wombat next door."),  # doc 3
        ],
        Source("t", "t.txt", "2025-01-01"),
        "test",
    )
    state = PaperState()
    rows = LibraryRows(store)
    build.build(state, rows, None)
    return Evaluator(state, rows, WordMatcher(state), SortOrders(state, rows))


def test_term_tiers_are_disjoint_and_best_first(evaluator: Evaluator) -> None:
    tiers = evaluator.term_tiers("wombat", frozenset(Field), None)
    assert [(t.score, t.bits) for t in tiers] == [
        (TITLE_EXACT, 0b0001),
        (TITLE_PREFIX, 0b0010),  # doc 1 also has "wombat" in its abstract: the title wins
        (TITLE_TYPO, 0b0100),
        (OTHER_EXACT, 0b1000),
    ]
    assert [t.bits for t in evaluator.term_tiers("wombat", frozenset({Field.ABSTRACT}), None)] == [
        0b1010
    ]


def test_run_buckets_by_rank_then_sort(evaluator: Evaluator) -> None:
    found = evaluator.run(parse_query("wombat"), SortKey.RELEVANCE, None, None)
    assert found.buckets == [0b0001, 0b0010, 0b0100, 0b1000]
    assert found.matched == 0b1111 and found.order is None
    assert [m.token for m in found.matchers] == ["wombat"]
    reverse = evaluator.run(parse_query("wombat -emu"), SortKey.TITLE, None, None, reverse=True)
    assert reverse.buckets == [0b0100, 0b0010, 0b0001]  # worst first, "Emu" left out
    assert list(reverse.order or []) == list(evaluator.orders.get(SortKey.TITLE))[::-1]
