"""SVG snapshots of the main screen (fixed size, fixed fictional data, no clock text).

Update with ``pytest tests/test_tui_snapshots.py --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from tui_helpers import build_library, make_app

from readq.models import Status
from readq.tui.app import ReadqApp

SIZE = (110, 30)


def _app(tmp_path: Path) -> ReadqApp:
    paths, store = build_library(tmp_path)
    ids = [p.id for p in store.list_papers()]
    store.set_status(ids[2:4], Status.READ)
    store.set_status(ids[4:5], Status.TO_READ)
    store.set_starred([ids[0], ids[5]], True)
    store.save_note(ids[0], "## Plan\n- read *section 2*\n- [ ] try it")
    return make_app(paths, store)


async def _settled(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def test_snapshot_inbox(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=SIZE, run_before=_settled)


def test_snapshot_filter_highlights(snap_compare: Any, tmp_path: Path) -> None:
    async def type_filter(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press("5", "slash", *"diffusion")
        await _settled(pilot)

    assert snap_compare(_app(tmp_path), terminal_size=SIZE, run_before=type_filter)


def test_snapshot_help(snap_compare: Any, tmp_path: Path) -> None:
    async def open_help(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press("question_mark")
        await _settled(pilot)

    assert snap_compare(_app(tmp_path), terminal_size=SIZE, run_before=open_help)
