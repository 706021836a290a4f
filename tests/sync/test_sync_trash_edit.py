"""A paper changed on the device where it lies in the trash stays in the trash everywhere:
only a change made where it is not deleted counts as an edit after the deletion (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest
from synclib import comparable, fictional, ingest, open_library, pid_of, run


@pytest.mark.parametrize("devices", [2, 3])
@pytest.mark.parametrize("first", [0, 1])
def test_a_rename_in_the_trash_does_not_bring_the_paper_back(
    tmp_path: Path, devices: int, first: int
) -> None:
    """Device 0 trashes a paper, syncs, then renames it in the trash. The others must not
    read the rename as an edit after the deletion (which would take the paper out of the
    trash there while device 0 keeps it in)."""
    folder = tmp_path / "Shared"
    folder.mkdir()
    now = 1_800_000_000.0
    skew = [0.0, 7200.0, -3600.0]
    stores = [open_library(tmp_path, f"d{i}") for i in range(devices)]
    try:
        ingest(stores[0], [fictional(1)], listing="list0.txt")
        pid = pid_of(stores[0], "2612.10001")
        stores[0].trash([pid])
        run(stores[0], folder, clock=lambda: now + skew[0])
        stores[0].rename(pid, "Renamed in the trash")
        order = [first, *(i for i in range(devices) if i != first)]
        for _ in range(3):
            for i in order:
                run(stores[i], folder, clock=lambda i=i: now + skew[i])  # type: ignore[misc]
        for store in stores:
            title, deleted = store.conn.execute("SELECT title, deleted_at FROM papers").fetchone()
            assert title == "Renamed in the trash"
            assert deleted is not None
        views = [comparable(s) for s in stores]
        for view in views[1:]:
            assert view == views[0]
    finally:
        for store in stores:
            store.close()


def test_an_edit_elsewhere_after_the_deletion_still_brings_it_back(tmp_path: Path) -> None:
    """The other half of the rule: device 1, which has the paper out of the trash, stars it
    after device 0 trashed it; the paper comes back on both."""
    folder = tmp_path / "Shared"
    folder.mkdir()
    now = [1_800_000_000.0]
    stores = [open_library(tmp_path, f"d{i}") for i in range(2)]
    try:
        for i, store in enumerate(stores):
            ingest(store, [fictional(1)], listing=f"list{i}.txt")
        run(stores[0], folder, clock=lambda: now[0])
        run(stores[1], folder, clock=lambda: now[0])
        stores[0].trash([pid_of(stores[0], "2612.10001")])
        run(stores[0], folder, clock=lambda: now[0])
        now[0] += 60.0  # the star is a minute after the deletion, on a device not told of it
        stores[1].set_starred([pid_of(stores[1], "2612.10001")], True)
        for i in (1, 0, 1):
            run(stores[i], folder, clock=lambda: now[0])
        for store in stores:
            starred, deleted = store.conn.execute(
                "SELECT starred, deleted_at FROM papers"
            ).fetchone()
            assert starred == 1
            assert deleted is None
        assert comparable(stores[0]) == comparable(stores[1])
    finally:
        for store in stores:
            store.close()
