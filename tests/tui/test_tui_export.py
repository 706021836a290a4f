"""Pilot tests of the export key: ``x`` exports the papers of the current view and filter."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from support.tui_helpers import TITLES, build_library, make_app, settle
from textual.pilot import Pilot
from textual.widgets import Input

from readq.export import ExportFormat
from readq.tui.app import ReadqApp
from readq.tui.screens.confirm import ConfirmScreen
from readq.tui.screens.export import ExportScreen
from readq.tui.screens.main import MainScreen


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative export paths land in the test's directory."""
    monkeypatch.chdir(tmp_path)


def main_screen(app: ReadqApp) -> MainScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


def export_screen(app: ReadqApp) -> ExportScreen:
    screen = app.screen
    assert isinstance(screen, ExportScreen), screen
    return screen


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def messages(app: ReadqApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def screen_text(app: ReadqApp) -> str:
    """What the terminal shows now, as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text(styles=False)


async def wait_for(pilot: Pilot[Any], app: ReadqApp, needle: str, timeout: float = 5) -> bool:
    """Wait until a notification containing ``needle`` was sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await settle(pilot, app)
        if any(needle in m for m in messages(app)):
            return True
        await pilot.pause(0.05)
    return False


async def filter_by(pilot: Pilot[Any], app: ReadqApp, text: str) -> None:
    """Type ``text`` into the filter and go back to the list."""
    await pilot.press("slash", *text, "enter")
    await settle(pilot, app)


async def test_x_exports_the_filtered_view_as_csv(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await filter_by(pilot, app, "diffusion")
        shown = list(main_screen(app).paper_list.ids)
        assert 0 < len(shown) < len(TITLES)
        await pilot.press("x")
        await pilot.pause()
        dialog = export_screen(app)
        assert dialog.format is ExportFormat.JSON
        assert dialog.path_input.value.endswith(".json")
        await pilot.press("c")
        await pilot.pause()
        assert export_screen(app).format is ExportFormat.CSV
        name = dialog.path_input.value
        assert name.startswith("readq-") and name.endswith(".csv")
        await pilot.press("enter")
        assert await wait_for(pilot, app, "Exported"), messages(app)
        target = tmp_path / name
        rows = read_csv(target)
        assert [int(r["id"]) for r in rows] == shown
        assert [r["title"] for r in rows] == [store.get(i).title for i in shown]
        assert all("Diffusion" in r["title"] for r in rows)
        noun = "paper" if len(shown) == 1 else "papers"
        assert f"Exported {len(shown)} {noun} to {target}" in messages(app)
        assert not isinstance(app.screen, ExportScreen)


async def test_bibtex_with_arrows_and_an_edited_path(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("x")
        await pilot.pause()
        dialog = export_screen(app)
        await pilot.press("down")  # json -> bibtex, the name follows
        await pilot.pause()
        assert dialog.format is ExportFormat.BIBTEX
        assert dialog.path_input.value.endswith(".bib")
        dialog.path_input.value = "mine.bib"  # edited: a format change keeps it
        await pilot.press("down", "up")
        await pilot.pause()
        assert dialog.format is ExportFormat.BIBTEX
        assert dialog.path_input.value == "mine.bib"
        await pilot.press("enter")
        assert await wait_for(pilot, app, "Exported"), messages(app)
        text = (tmp_path / "mine.bib").read_text(encoding="utf-8")
        assert text.count("@") == len(TITLES)
        assert "Sparse Lanterns" in text
        assert f"Exported {len(TITLES)} papers to {tmp_path / 'mine.bib'}" in messages(app)


async def test_obsidian_suggests_a_directory(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await filter_by(pilot, app, "lanterns")
        await pilot.press("x", "o")
        await pilot.pause()
        dialog = export_screen(app)
        name = dialog.path_input.value
        assert name.endswith("-vault")
        await pilot.press("enter")
        assert await wait_for(pilot, app, "Exported 1 paper to"), messages(app)
        assert (tmp_path / name).is_dir()
        assert any(p.suffix == ".md" for p in (tmp_path / name).iterdir())


async def test_escape_cancels_and_writes_nothing(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    before = set(tmp_path.iterdir())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("x", "c")
        await pilot.pause()
        export_screen(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, MainScreen)
        # Also from the path input.
        await pilot.press("x", "tab")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, MainScreen)
    assert set(tmp_path.iterdir()) == before
    assert not any("Export" in m for m in messages(app))


async def test_an_existing_file_is_only_replaced_after_yes(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    target = tmp_path / "out.csv"
    target.write_text("precious\n", encoding="utf-8")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("x", "c")
        await pilot.pause()
        export_screen(app).path_input.value = "out.csv"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: back in the dialog, nothing written
        await settle(pilot, app)
        dialog = export_screen(app)
        assert target.read_text(encoding="utf-8") == "precious\n"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert await wait_for(pilot, app, "Exported"), messages(app)
        assert len(read_csv(target)) == len(TITLES)
        assert not dialog.is_attached


async def test_errors_are_reported_in_one_line(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    (tmp_path / "adir").mkdir()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("x", "c")
        await pilot.pause()
        dialog = export_screen(app)
        dialog.path_input.value = "adir"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # refused in the dialog
        assert any("directory" in m for m in messages(app))
        dialog.path_input.value = "missing/out.csv"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert any("No such directory" in m for m in messages(app))
        await pilot.press("escape")
        # A failure in the worker: the export itself raises.
        import readq.export as export_module

        def broken(*_args: object, **_kwargs: object) -> object:
            raise OSError("disk full\nsecond line")

        original = export_module.export_papers
        export_module.export_papers = broken  # type: ignore[assignment]
        try:
            await pilot.press("x", "enter")
            assert await wait_for(pilot, app, "Export failed"), messages(app)
        finally:
            export_module.export_papers = original
        failure = next(m for m in messages(app) if "Export failed" in m)
        assert failure == "Export failed: disk full second line"


async def test_markup_in_paths_and_titles_is_literal(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path, ["[bold]x[/] Lanterns", "Plain Paper"])
    app = make_app(paths, store)
    (tmp_path / "[bold]x[").mkdir()  # so that the path "[bold]x[/].csv" holds the markup
    async with app.run_test(size=(160, 30), notifications=True) as pilot:
        await settle(pilot, app)
        await filter_by(pilot, app, "lanterns")
        await pilot.press("x", "c")
        await pilot.pause()
        export_screen(app).path_input.value = "[bold]x[/].csv"
        await pilot.press("enter")
        assert await wait_for(pilot, app, "Exported"), messages(app)
        target = tmp_path / "[bold]x[/].csv"
        assert [r["title"] for r in read_csv(target)] == ["[bold]x[/] Lanterns"]
        notification = next(n for n in app._notifications if "Exported" in str(n.message))
        assert not notification.markup
        deadline = time.monotonic() + 3
        while "[bold]x[/].csv" not in screen_text(app) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert "[bold]x[/].csv" in screen_text(app)


async def test_x_is_in_the_help_and_the_palette(tmp_path: Path) -> None:
    from readq.tui.keys import MAIN_KEYS

    assert any(k.keys == "x" and k.action == "export" for k in MAIN_KEYS)
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        commands = list(app.get_system_commands(app.screen))
        assert any(c.title.startswith("Export the papers") and c.help == "key: x" for c in commands)
        await app.run_action("export", main_screen(app))
        await pilot.pause()
        export_screen(app)


async def test_an_empty_view_exports_nothing_and_says_so(tmp_path: Path) -> None:
    """Issue 12 item 20: `x` on a view showing no papers writes no file and says why."""
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await filter_by(pilot, app, "zzqqxx")
        assert len(main_screen(app).paper_list.ids) == 0
        before = sorted(p.name for p in tmp_path.iterdir())
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        assert any(m.startswith("Nothing to export") for m in messages(app)), messages(app)
        # The view emptied between the dialog and the export (another readq marked them):
        main = main_screen(app)
        await pilot.press("escape")  # clears the filter
        await settle(pilot, app)
        assert len(main.paper_list.ids) == len(TITLES)
        await pilot.press("x", "c")
        await pilot.pause()
        name = export_screen(app).path_input.value
        main.filter_text = "zzqqxx"  # what the worker recomputes now matches nothing
        await pilot.press("enter")
        assert await wait_for(pilot, app, "Nothing exported"), messages(app)
        assert not (tmp_path / name).exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == before


async def test_vault_files_the_user_edited_are_named_in_the_toast(tmp_path: Path) -> None:
    """Issue 12 item 2 in the TUI: an Obsidian export keeps a file whose readq section the
    user edited, and the toast names it."""
    paths, store = build_library(tmp_path)
    vault = tmp_path / "vault"
    from readq.export import export_papers

    export_papers(store, None, "obsidian", vault)
    lantern = vault / "Sparse Lanterns for Token Routing.md"
    edited = lantern.read_text().replace("> A made-up", "> My own words. A made-up")
    lantern.write_text(edited)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("x", "o")
        await pilot.pause()
        export_screen(app).path_input.value = str(vault)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert await wait_for(pilot, app, "not updated"), messages(app)
        toast = next(m for m in messages(app) if "not updated" in m)
        assert f"Exported {len(TITLES) - 1} papers" in toast
        assert "Sparse Lanterns for Token Routing.md" in toast
    assert lantern.read_text() == edited
