"""The per-paper state alone: paper ids to documents (with and without gaps), views, counts."""

from __future__ import annotations

from array import array

from readq.models import Status
from readq.search.state import PaperState


def state_of(ids: list[int], status: list[int], starred: list[int]) -> PaperState:
    state = PaperState()
    state.ids = array("q", ids)
    state.status = bytearray(status)
    state.starred = bytearray(starred)
    state.index.n = len(ids)
    state.notes = {1: "a note"}
    state.rebuild_state_bits()
    return state


def test_documents_of_ids_without_gaps() -> None:
    state = state_of([5, 6, 7], [0, 1, 2], [0, 0, 1])
    assert state.id_span() == (5, 3)
    assert state.doc(6) == 1 and state.doc(4) is None and state.doc(8) is None
    assert state.docs_of([(7,), (5, "x"), (99,)]) == [2, 0]
    assert state.bits_of([(7,), (5,)]) == 0b101


def test_documents_of_ids_with_gaps() -> None:
    state = state_of([2, 9, 40], [0, 0, 0], [0, 0, 0])
    assert state.id_span() is None
    assert state.doc(9) == 1 and state.doc(10) is None
    assert state.docs_of([(40,), (3,), (2,)]) == [2, 0]


def test_views_and_counts_leave_out_the_trash() -> None:
    state = state_of([1, 2, 3, 4], [0, 1, 1, 2], [1, 0, 1, 0])
    assert state.view_bits(None) == 0b1111
    assert state.view_bits(Status.TO_READ) == 0b0110
    assert state.view_bits("starred") == 0b0101
    state.alive &= ~0b0100  # paper 3 in the trash
    assert state.view_bits(Status.TO_READ) == 0b0010
    stats = state.stats(0b1111)
    assert stats.total == 3 and stats.starred == 1 and stats.with_notes == 1
    assert stats.by_status == {Status.NEW: 1, Status.TO_READ: 1, Status.READ: 1}


def test_appended_documents_get_their_bits() -> None:
    state = state_of([1, 2], [0, 0], [0, 0])
    state.ids.extend([3, 4])
    state.status.extend([2, 1])
    state.starred.extend([1, 0])
    state.notes[3] = "later"
    state.index.n = 4
    state.add_state_bits(2)
    assert state.alive == 0b1111
    assert state.status_bits[Status.READ] == 0b0100
    assert state.status_bits[Status.TO_READ] == 0b1000
    assert state.starred_bits == 0b0100 and state.note_bits == 0b1010
