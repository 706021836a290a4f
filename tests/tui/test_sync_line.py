"""The TUI syncs at start and after changes in a worker, and shows one sync line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from support.tui_helpers import build_library, main_of, make_app, settle

from readq.store import Store
from readq.sync import sync
from readq.tui import app as app_module


async def _wait_for(condition: object, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_sync_at_start_and_after_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "SYNC_START_SECONDS", 0.05)
    monkeypatch.setattr(app_module, "SYNC_DEBOUNCE_SECONDS", 0.2)
    folder = tmp_path / "Shared"
    folder.mkdir()
    paths, store = build_library(tmp_path)
    sync(store, folder, device_name="laptop")
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = Store.open(other_dir / "readq.db")
    sync(other, folder, device_name="desktop")
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _wait_for(lambda: (app.last_sync_line or "").startswith("synced"))
        line = main_of(app).query_one("#sync-line")
        assert line.display
        await pilot.pause(0.3)  # the sync's commit reloads the list (its workers restart)
        await pilot.press("s")  # star: a change, synced once the writes pause
        await _wait_for(lambda: "sent 1" in (app.last_sync_line or ""))
    sync(other, folder)
    assert other.conn.execute("SELECT count(*) FROM papers WHERE starred = 1").fetchone()[0] == 1
    other.close()


async def test_no_sync_line_without_a_folder(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert not main_of(app).query_one("#sync-line").display
        assert app.last_sync_line is None


async def test_a_sync_problem_is_shown_on_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "SYNC_START_SECONDS", 0.05)
    folder = tmp_path / "Shared"
    folder.mkdir()
    paths, store = build_library(tmp_path)
    sync(store, folder)
    (folder / "readq-sync" / "format.json").write_text('{"format": 9}\n')
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)):
        await _wait_for(lambda: "sync problem" in (app.last_sync_line or ""))
        assert "newer readq" in (app.last_sync_line or "")
