"""Store.atomic: nestable transactions (a savepoint inside a transaction), as sqlite-utils'
Database.atomic(), so that a caller composes store writes without passing connections."""

from __future__ import annotations

import pytest

from readq.models import ScrapedPaper, Source, Status
from readq.store import Store, StoreError


def _library(store: Store) -> None:
    papers = [ScrapedPaper(f"Lamp study {i}", f"Abstract {i} about lamps. " * 4) for i in (1, 2)]
    store.ingest(papers, Source("s", "/s", "2026-01-01"), "hf")


def _statuses(store: Store) -> list[Status]:
    return [s.status for s in store.states([1, 2])]


def test_an_inner_failure_rolls_back_only_the_inner_block(store: Store) -> None:
    _library(store)
    with store.atomic():
        store.set_status([1], Status.READ)  # a write inside a write: a savepoint
        with pytest.raises(ValueError), store.atomic():
            store.set_status([2], Status.READ)
            raise ValueError("inner")
        assert _statuses(store) == [Status.READ, Status.NEW]
    assert _statuses(store) == [Status.READ, Status.NEW]
    assert not store.conn.in_transaction


def test_an_outer_failure_rolls_back_everything(store: Store) -> None:
    _library(store)
    with pytest.raises(ValueError), store.atomic():
        store.set_status([1], Status.READ)
        with store.atomic():
            store.set_starred([2], True)
        raise ValueError("outer")
    assert store.states([1, 2])[0].status is Status.NEW
    assert store.states([1, 2])[1].starred is False
    assert not store.conn.in_transaction
    store.set_status([2], Status.TO_READ)  # the store is usable again: depth is back to 0
    assert _statuses(store) == [Status.NEW, Status.TO_READ]


def test_a_reader_refuses_to_write(store: Store) -> None:
    reader = store.open_reader()
    try:
        with pytest.raises(StoreError), reader.atomic():
            pass
    finally:
        reader.close()
