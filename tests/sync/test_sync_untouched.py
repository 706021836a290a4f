"""A field a paper reached sync with untouched (the default ingest gave it) never beats a
user's edit made on another device, whatever the clocks and the sync order (issue 19)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from synclib import comparable, fictional, ingest, open_library, pid_of, run

SKEW = [0.0, 7200.0, -3600.0]
"""Device clocks hours apart (device 2 is behind): constant, so stamps move by counters."""


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_notes_written_on_two_devices_reach_the_third_in_any_order(
    tmp_path: Path, order: tuple[int, ...]
) -> None:
    """Three devices ingest one paper; devices 1 and 2 each write a note, device 0 none.
    Device 0's empty note is a default, not an edit: it must not overwrite device 2's note
    (its clock is behind), and every device keeps the same current note and the same
    conflict copy of the other."""
    folder = tmp_path / "Shared"
    folder.mkdir()
    now = 1_800_000_000.0
    stores = [open_library(tmp_path, f"d{i}") for i in range(3)]
    try:
        for i, store in enumerate(stores):
            ingest(store, [fictional(3)], listing=f"list{i}.txt")
        for i in (1, 2):
            stores[i].save_note(
                pid_of(stores[i], "2612.10003"), f"note from {i}", coalesce_seconds=0
            )
        for _ in range(3):
            for i in order:
                run(stores[i], folder, clock=lambda i=i: now + SKEW[i])  # type: ignore[misc]
        for store in stores:
            texts = sorted(
                (str(t), str(k))
                for t, k in store.conn.execute("SELECT text, kind FROM note_revisions")
            )
            assert ("note from 1", "save") in texts
            assert ("note from 2", "save") in texts
            assert sum(k == "conflict" for _, k in texts) == 1
            note = store.conn.execute("SELECT note FROM papers").fetchone()[0]
            assert note in ("note from 1", "note from 2")
        views = [comparable(s) for s in stores]
        for view in views[1:]:
            assert view == views[0]
    finally:
        for store in stores:
            store.close()


def test_a_fresh_copy_does_not_undo_an_older_edit_elsewhere(tmp_path: Path) -> None:
    """Device 1 (clock behind) stars a paper and syncs; device 0 ingests the same paper
    later, untouched, and syncs: the star stays on both (the fresh copy's "not starred" is
    no edit)."""
    folder = tmp_path / "Shared"
    folder.mkdir()
    now = 1_800_000_000.0
    stores = [open_library(tmp_path, f"d{i}") for i in range(2)]
    skew = [0.0, -3600.0]
    try:
        ingest(stores[1], [fictional(5)], listing="list1.txt")
        stores[1].set_starred([pid_of(stores[1], "2612.10005")], True)
        run(stores[1], folder, clock=lambda: now + skew[1])
        ingest(stores[0], [fictional(5)], listing="list0.txt")
        for i in (0, 1, 0):
            run(stores[i], folder, clock=lambda i=i: now + skew[i])  # type: ignore[misc]
        for store in stores:
            starred = store.conn.execute("SELECT starred FROM papers").fetchone()[0]
            assert starred == 1
        assert comparable(stores[0]) == comparable(stores[1])
    finally:
        for store in stores:
            store.close()
