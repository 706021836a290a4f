"""A paper emptied from the trash on one device and ingested on others ends the same
everywhere, whichever device syncs first (issue 19: any devices, any order, converge)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from synclib import comparable, fictional, ingest, open_library, pid_of, run

SKEW = [0.0, 7200.0, -3600.0]
"""Device clocks hours apart; each is constant, so the hybrid clock moves by counters only."""


@pytest.mark.parametrize(
    ("devices", "first"),
    [(n, f) for n in (2, 3) for f in range(n)],
)
def test_emptied_trash_beats_an_older_ingest_in_any_order(
    tmp_path: Path, devices: int, first: int
) -> None:
    """Device 1 trashes paper P, syncs, then empties the trash (a deletion for good); the
    others had ingested P before without editing it. The deletion is captured in the same
    sync that then reads the others' older copy of P: that copy must not make P again on
    device 1 while every other device purges it."""
    folder = tmp_path / "Shared"
    folder.mkdir()
    now = 1_800_000_000.0
    stores = [open_library(tmp_path, f"d{i}") for i in range(devices)]
    try:
        for i, store in enumerate(stores):
            ingest(store, [fictional(2), fictional(3)], listing=f"list{i}.txt")
        stores[1].trash([pid_of(stores[1], "2612.10002")])
        run(stores[1], folder, clock=lambda: now + SKEW[1])
        stores[1].empty_trash()
        order = [first, *(i for i in range(devices) if i != first)]
        for i in itertools.islice(itertools.cycle(order), 3 * devices):
            run(stores[i], folder, clock=lambda i=i: now + SKEW[i])  # type: ignore[misc]
        for store in stores:
            arxiv = {r[0] for r in store.conn.execute("SELECT arxiv_id FROM papers").fetchall()}
            assert arxiv == {"2612.10003"}  # P gone for good, the other paper kept
        views = [comparable(s) for s in stores]
        for view in views[1:]:
            assert view == views[0]
    finally:
        for store in stores:
            store.close()


@pytest.mark.parametrize("devices", [2, 3])
def test_a_paper_ingested_again_after_emptying_the_trash_reaches_every_device(
    tmp_path: Path, devices: int
) -> None:
    """Device 0 trashes P, syncs, empties the trash and ingests P again before its next
    sync: that sync sends the deletion for good and the new copy together; the copy is
    later than the deletion on every device (it was ingested after it)."""
    folder = tmp_path / "Shared"
    folder.mkdir()
    stores = [open_library(tmp_path, f"d{i}") for i in range(devices)]
    try:
        ingest(stores[0], [fictional(1)], listing="list0.txt")
        stores[0].trash([pid_of(stores[0], "2612.10001")])
        run(stores[0], folder, clock=lambda: 1_800_000_000.0)
        stores[0].empty_trash()
        ingest(stores[0], [fictional(1)], listing="list0.txt")
        for _ in range(3):
            for i in range(devices):
                run(stores[i], folder, clock=lambda: 1_800_000_000.0)
        for store in stores:
            row = store.conn.execute("SELECT deleted_at FROM papers").fetchall()
            assert row == [(None,)]  # the new copy, out of the trash, on every device
        views = [comparable(s) for s in stores]
        for view in views[1:]:
            assert view == views[0]
    finally:
        for store in stores:
            store.close()
