"""Pilot tests of the feedback toasts and the library-management keys: each change says what
it did to which paper and how to undo it (one toast at a time), `d` moves to the trash, `T`
shows it and restores, `R` renames, `e` confirms; each checks the store too."""

from __future__ import annotations

import stat
import sys
from contextlib import nullcontext
from pathlib import Path

import pytest
from support.tui_helpers import TITLES, build_library, main_of, make_app, settle

from readq.models import Status
from readq.tui.app import ReadqApp


def _feedback(app: ReadqApp) -> list[str]:
    """The change toasts on screen now (the ones naming an undo or redo key)."""
    return [
        str(n.message)
        for n in app._notifications
        if "undoes" in str(n.message) or "redoes" in str(n.message) or "Note" in str(n.message)
    ]


async def test_a_mark_says_what_it_did_and_a_burst_shows_one_toast(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        first = screen.paper_list.current_id
        assert first is not None and store.get(first).title == TITLES[0]
        await pilot.press("r")
        await settle(pilot, app)
        assert store.get(first).status is Status.READ
        assert _feedback(app) == ["Marked read: Sparse Lanterns for Token… — u undoes"]
        await pilot.press("t", "s", "N")
        await settle(pilot, app)
        shown = _feedback(app)
        assert len(shown) == 1 and shown[0].startswith("Back to new: ")
        await pilot.press("u")
        await settle(pilot, app)
        assert _feedback(app) == [
            shown[0]
            .replace("Back to new", "Undid Back to new")
            .replace("u undoes", "ctrl+r redoes")
        ]


async def test_bulk_marks_name_the_count(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("space", "space", "t")
        await settle(pilot, app)
        assert _feedback(app) == ["Marked to read: 2 papers — u undoes"]
        assert store.stats().by_status[Status.TO_READ] == 2


async def test_d_moves_to_the_trash_u_restores_and_t_shows_the_trash(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        first = screen.paper_list.current_id
        assert first is not None
        await pilot.press("d")
        await settle(pilot, app)
        assert store.trashed_ids() == [first]
        assert first not in list(screen.paper_list.ids)
        assert _feedback(app) == ["Moved to trash: Sparse Lanterns for Token… — u undoes"]
        await pilot.press("u")
        await settle(pilot, app)
        assert store.trashed_ids() == []
        assert first in list(screen.paper_list.ids)
        assert _feedback(app)[0].startswith("Undid Moved to trash: Sparse Lanterns")
        # The trash view: delete again, open it, restore with Enter.
        await pilot.press("d")
        await settle(pilot, app)
        await pilot.press("T")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "TrashScreen"
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is screen
        assert store.trashed_ids() == []
        assert first in list(screen.paper_list.ids)
        assert _feedback(app) == ["Restored from trash: Sparse Lanterns for Token… — u undoes"]
        # The filter finds it again (the index was told).
        await pilot.press("slash", *"lanterns")
        await settle(pilot, app)
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert list(screen.paper_list.ids) == [first]


async def test_a_deleted_paper_leaves_the_filter_results(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        await pilot.press("slash", *"lanterns", "enter")
        await settle(pilot, app)
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert len(screen.paper_list.ids) == 1
        await pilot.press("d")
        await settle(pilot, app)
        await pilot.press("escape", "slash", *"lanterns")
        await settle(pilot, app)
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert list(screen.paper_list.ids) == []


async def test_r_capital_renames_through_a_dialog(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        first = screen.paper_list.current_id
        assert first is not None
        await pilot.press("E")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "RenameScreen"
        await pilot.press("ctrl+u", *"[b]Bright[/] Lanterns")
        await pilot.press("enter")
        await settle(pilot, app)
        assert store.get(first).title == "[b]Bright[/] Lanterns"
        assert _feedback(app) == ["Renamed: [b]Bright[/] Lanterns — u undoes"]
        await pilot.press("u")
        await settle(pilot, app)
        assert store.get(first).title == TITLES[0]


def _editor(tmp_path: Path) -> str:
    script = tmp_path / "fake-editor.py"
    script.write_text(
        "import sys\npath = sys.argv[1]\nopen(path, 'a', encoding='utf-8').write('edited')\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return f"{sys.executable} {script}"


async def test_e_confirms_the_saved_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", _editor(tmp_path))
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    monkeypatch.setattr(app, "suspend", nullcontext)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        first = main_of(app).paper_list.current_id
        assert first is not None
        await pilot.press("e")
        await settle(pilot, app)
        assert store.get(first).note == "edited"
        assert _feedback(app) == ["Saved the note: Sparse Lanterns for Token… — u undoes"]


async def test_a_burst_of_marks_between_two_frames_leaves_one_toast(tmp_path: Path) -> None:
    """Keys handled back to back, before the app processes any message (as `t t t` typed fast
    in a terminal), still replace the toast rather than stack them."""
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        for _ in range(3):
            screen.action_mark("to-read")
        await settle(pilot, app)
        assert store.stats().by_status[Status.TO_READ] == 3
        shown = _feedback(app)
        assert len(shown) == 1 and shown[0].startswith("Marked to read: ")
