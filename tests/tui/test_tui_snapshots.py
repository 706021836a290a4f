"""SVG snapshots of the main screen (fixed size, fixed fictional data, no clock text).

Update with ``pytest tests/tui/test_tui_snapshots.py --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.tui_helpers import build_library, make_app
from textual.pilot import Pilot

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


# --------------------------------------------------------------- every screen, three sizes
SIZES = {"80x24": (80, 24), "120x40": (120, 40), "200x50": (200, 50)}
LONG_TITLE = (
    "Whisper Networks for Speech: Long-Form Transcription Across Forty Languages Without "
    "Any Parallel Data or Alignment Supervision at All"
)


def _screens_app(tmp_path: Path) -> ReadqApp:
    """The snapshot library plus a long title, and a note with a history (fixed times)."""
    paths, store = build_library(tmp_path)
    ids = [p.id for p in store.list_papers()]
    store.conn.execute("UPDATE papers SET title = ? WHERE id = ?", (LONG_TITLE, ids[1]))
    store.set_status(ids[2:4], Status.READ)
    store.set_starred([ids[0]], True)
    store.save_note(ids[0], "## Plan\n- read *section 2*\n- [ ] try it", kind="external")
    store.save_note(
        ids[0], "## Plan\n- read *section 2* and *quiet* experts\n- [x] try it", kind="external"
    )
    store.conn.execute("UPDATE note_revisions SET created_at = '2025-01-02T09:00:00+00:00'")
    return make_app(paths, store)


async def _open(pilot: Pilot[Any], *keys: str) -> None:
    await _settled(pilot)
    for key in keys:
        await pilot.press(key)
        await _settled(pilot)
        await pilot.pause(0.2)


SCREEN_KEYS: dict[str, tuple[str, ...]] = {
    "main": (),
    "help": ("question_mark",),
    "ingest": ("i",),
    "export": ("x",),
    "note": ("n",),
    "history": ("n", "ctrl+r"),
}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", list(SCREEN_KEYS))
def test_snapshot_every_screen_at_three_sizes(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, screen: str, size: str
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    # The export dialog names the working directory and a time-stamped file: fix both.
    monkeypatch.chdir("/tmp")
    monkeypatch.setattr(
        "readq.tui.screens.export.suggested_name", lambda fmt: f"readq-export.{fmt.value}"
    )
    keys = SCREEN_KEYS[screen]

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot, *keys)

    assert snap_compare(_screens_app(tmp_path), terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", list(SIZES))
def test_snapshot_first_run_panel_fits(snap_compare: Any, tmp_path: Path, size: str) -> None:
    paths, store = build_library(tmp_path, [])
    assert snap_compare(make_app(paths, store), terminal_size=SIZES[size], run_before=_settled)
