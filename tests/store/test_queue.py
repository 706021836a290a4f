"""The to-read queue in the store: moves write one row (renumbering only when a gap is used
up, order kept), the bottom rule for papers becoming to-read, places dropped on leaving, and
saved views' names."""

from __future__ import annotations

import pytest

from readq.models import ScrapedPaper, Source, Status
from readq.store import QueueError, QueueSlot, Store, UnknownPaperError, ViewError


def _library(store: Store, n: int = 6) -> list[int]:
    """``n`` fictional papers, all new; their ids in page order."""
    store.ingest(
        [
            ScrapedPaper(f"Fictional Lantern Study {i}", f"A made-up abstract {i}.")
            for i in range(n)
        ],
        Source("hf.txt", "/l/hf.txt", "2026-01-01"),
        "hf",
    )
    return sorted(int(r[0]) for r in store.conn.execute("SELECT id FROM papers"))


def test_papers_marked_to_read_join_the_bottom_in_the_order_given(store: Store) -> None:
    a, b, c, d, *_ = _library(store)
    store.set_status([c, a], Status.TO_READ)
    store.set_status([d], Status.TO_READ)
    store.set_status([b, a], Status.TO_READ)  # a is already queued: it keeps its place
    assert store.queue_ids() == [c, a, d, b]


def test_leaving_the_queue_drops_the_place_and_coming_back_is_the_bottom(store: Store) -> None:
    a, b, c, *_ = _library(store)
    store.set_status([a, b, c], Status.TO_READ)
    store.set_status([a], Status.READ)
    assert store.queue_ids() == [b, c]
    assert store.queue_slots([a]) == [QueueSlot(a, None)]
    store.set_status([a], Status.TO_READ)
    assert store.queue_ids() == [b, c, a]
    store.set_status([b], Status.NEW)
    assert store.queue_ids() == [c, a]


def test_moves_to_top_bottom_before_and_after(store: Store) -> None:
    a, b, c, d, *_ = _library(store)
    store.set_status([a, b, c, d], Status.TO_READ)
    assert store.queue_move(d, "top") == QueueSlot(d, 4.0)
    assert store.queue_ids() == [d, a, b, c]
    store.queue_move(d, "bottom")
    assert store.queue_ids() == [a, b, c, d]
    store.queue_move(d, "before", b)
    assert store.queue_ids() == [a, d, b, c]
    store.queue_move(a, "after", b)
    assert store.queue_ids() == [d, b, a, c]
    store.queue_move(c, "before", d)
    assert store.queue_ids() == [c, d, b, a]
    store.queue_move(c, "after", a)
    assert store.queue_ids() == [d, b, a, c]


def test_a_move_writes_one_row_and_a_used_up_gap_renumbers_keeping_the_order(
    store: Store,
) -> None:
    a, b, c, d, *_ = _library(store)
    store.set_status([a, b, c, d], Status.TO_READ)
    # Huge places leave no room between neighbours after a few halvings (a float has 53 bits):
    # the queue is renumbered, in its order, and the move then lands where it was asked.
    store.conn.executemany(
        "UPDATE papers SET queue_pos = ? WHERE id = ?",
        [(1e15, a), (1e15 + 0.125, b), (1e15 + 0.25, c), (1e15 + 0.375, d)],
    )
    expected = [a, b, c, d]
    for step in range(12):
        mover = d if step % 2 == 0 else c
        store.queue_move(mover, "before", b)
        expected.remove(mover)
        expected.insert(expected.index(b), mover)
        assert store.queue_ids() == expected
    places = [s.position for s in store.queue_slots([a, b, c, d])]
    assert max(p for p in places if p is not None) < 1e15  # renumbered: 1, 2, 3, ...


def test_moves_refuse_papers_outside_the_queue(store: Store) -> None:
    a, b, c, *_ = _library(store)
    store.set_status([a, b], Status.TO_READ)
    with pytest.raises(QueueError, match=f"#{c} is not in the to-read queue"):
        store.queue_move(c, "top")
    with pytest.raises(QueueError, match=f"#{c} is not in the to-read queue"):
        store.queue_move(a, "before", c)
    with pytest.raises(QueueError, match="itself"):
        store.queue_move(a, "before", a)
    with pytest.raises(UnknownPaperError):
        store.queue_move(999, "top")
    store.trash([b])
    with pytest.raises(QueueError, match="in the trash"):
        store.queue_move(b, "top")
    assert store.queue_ids() == [a]


def test_undo_states_put_the_place_back(store: Store) -> None:
    a, b, c, *_ = _library(store)
    store.set_status([a, b, c], Status.TO_READ)
    before = store.set_status([b], Status.READ)
    assert store.queue_ids() == [a, c]
    store.restore_states(before)
    assert store.queue_ids() == [a, b, c]


def test_restoring_a_place_of_a_paper_no_longer_to_read_keeps_it_out(store: Store) -> None:
    a, b, *_ = _library(store)
    store.set_status([a, b], Status.TO_READ)
    old = store.queue_move(b, "top")
    store.set_status([b], Status.READ)
    store.restore_queue_slots([old])
    assert store.queue_ids() == [a]
    assert store.queue_slots([b]) == [QueueSlot(b, None)]


def test_set_queue_order_puts_those_first_and_keeps_the_rest(store: Store) -> None:
    a, b, c, d, e, _f = _library(store)
    store.set_status([a, b, c, d], Status.TO_READ)
    before = store.set_queue_order([c, e, a])  # e is not queued: ignored
    assert store.queue_ids() == [c, a, b, d]
    store.restore_queue_slots(before)
    assert store.queue_ids() == [a, b, c, d]


def test_reingest_never_touches_queue_places(store: Store) -> None:
    a, _b, c, *_ = _library(store)
    store.set_status([c, a], Status.TO_READ)
    store.queue_move(a, "top")
    slots = store.queue_slots()
    _library(store)  # the same listing again
    assert store.queue_slots() == slots and store.queue_ids() == [a, c]


def test_saved_view_names_are_unique_whatever_their_case(store: Store) -> None:
    store.add_view("Reading group", "tag:rg OR owls")
    with pytest.raises(ViewError, match="already exists"):
        store.add_view("reading GROUP", "other")
    with pytest.raises(ViewError, match="needs a name"):
        store.add_view("  ", "x")
    with pytest.raises(ViewError, match="cannot hold"):
        store.add_view("[b]bold", "x")
    with pytest.raises(ViewError, match="at most"):
        store.add_view("n" * 31, "x")
    store.add_view("Survey", "year:>=2024")
    assert [(v.name, v.position) for v in store.views()] == [("Reading group", 1), ("Survey", 2)]
    assert store.remove_view("READING group").name == "Reading group"
    with pytest.raises(ViewError, match="no saved view"):
        store.remove_view("reading group")
    assert [v.name for v in store.views()] == ["Survey"]
