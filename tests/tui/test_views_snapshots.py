"""SVG snapshots of the tab line with saved views at three sizes: the To-read view in queue
order, and a saved view shown (the other tabs shrink to key and count at 80 columns).

Update with ``pytest tests/tui/test_views_snapshots.py --snapshot-update`` after a deliberate
change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.tui_helpers import build_library, make_app
from textual.pilot import Pilot

from readq.library import Library
from readq.models import Status
from readq.tui.app import ReadqApp

SIZES = {"80x24": (80, 24), "120x40": (120, 40), "200x50": (200, 50)}


def _app(tmp_path: Path) -> ReadqApp:
    paths, store = build_library(tmp_path)
    ids = [p.id for p in store.list_papers()]
    store.set_status(ids[:5], Status.TO_READ)
    store.queue_move(ids[3], "top")
    library = Library(store)
    for name, query in (
        ("reading group", "diffusion OR tokenizer"),
        ("survey", "is:to-read"),
        ("speech", "whisper"),
        ("robots", "robots OR laundry"),
    ):
        library.add_view(name, query)
    return make_app(paths, store)


async def _settled(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("key", ["2", "7"])
def test_snapshot_tabs_with_saved_views(
    snap_compare: Any, tmp_path: Path, size: str, key: str
) -> None:
    async def open_view(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press(key)
        await _settled(pilot)
        await pilot.pause(0.2)

    assert snap_compare(_app(tmp_path), terminal_size=SIZES[size], run_before=open_view)
