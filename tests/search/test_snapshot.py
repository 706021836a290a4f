"""The engine's state as plain values and back, and the checks a saved state must pass."""

from __future__ import annotations

from array import array

import pytest

from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.search import build, snapshot
from readq.search.documents import LibraryRows
from readq.search.matching import WordMatcher
from readq.search.orders import SortOrders
from readq.search.state import PaperState
from readq.store import Store

Parts = tuple[PaperState, WordMatcher, SortOrders]


def parts(store: Store) -> Parts:
    state = PaperState()
    rows = LibraryRows(store)
    return state, WordMatcher(state), SortOrders(state, rows)


@pytest.fixture
def built(store: Store) -> Parts:
    store.ingest(
        [ScrapedPaper("Wombat Burrows", "Digging.", published="2024"), ScrapedPaper("Emu", "Run.")],
        Source("t", "t.txt", "2025-01-01"),
        "test",
    )
    store.set_status([2], Status.READ)
    store.save_note(1, "gondola")
    state, words, orders = parts(store)
    build.build(state, LibraryRows(store), None)
    words.warm()
    orders.get(SortKey.TITLE)
    orders.get(SortKey.QUEUE)
    return state, words, orders


def test_round_trip(store: Store, built: Parts) -> None:
    saved = snapshot.export_state(*built)
    state, words, orders = parts(store)
    snapshot.restore(state, words, orders, saved)
    original, original_words, original_orders = built
    for name in ("ids", "status", "starred", "year", "hash", "sort_hash", "notes", "alive"):
        assert getattr(state, name) == getattr(original, name), name
    assert state.status_bits == original.status_bits and state.year_bits == original.year_bits
    assert state.note_bits == original.note_bits and state.last_updated == original.last_updated
    assert dict(state.index.main[next(iter(state.index.main))]) == dict(
        original.index.main[next(iter(original.index.main))]
    )
    assert orders.computed == {SortKey.TITLE: original_orders.computed[SortKey.TITLE]}  # no queue
    assert words.pinned == original_words.pinned
    assert words.pinned_sets() == original_words.pinned_sets()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("ids", array("i", [1, 2]), "bad per-paper arrays"),
        ("status", bytearray([0]), "disagree with the index"),
        ("status", bytearray([0, 7]), "bad status codes"),
        ("alive", "3", "bad engine state"),
        ("orders", {"title": array("I", [0, 1, 2])}, "bad sort order"),
    ],
)
def test_a_state_that_does_not_add_up_is_refused(
    store: Store, built: Parts, key: str, value: object, message: str
) -> None:
    saved = dict(snapshot.export_state(*built))
    saved[key] = value
    with pytest.raises(ValueError, match=message):
        snapshot.restore(*parts(store), saved)
