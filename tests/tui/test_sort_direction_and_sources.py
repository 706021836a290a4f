"""Pilot tests for the keys of issue 16's order and sources: ``R`` reverses the sort (the
header says which way, the choice is remembered), the read sort lists the latest read
first, and ``F`` shows the files a paper came from while the pane says when and what kind."""

from __future__ import annotations

from pathlib import Path

from support.tui_helpers import TITLES, build_library, make_app, settle

from readq.library.settings import load_settings
from readq.models import Status
from readq.tui.app import ReadqApp
from readq.tui.screens.main import MainScreen
from readq.tui.widgets.detail import paper_header


def _main(app: ReadqApp) -> MainScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


def _header(screen: MainScreen) -> str:
    from textual.widgets import Static

    return " ".join(str(w.render()) for w in screen.query(Static) if "sort:" in str(w.render()))


async def test_r_reverses_the_list_says_so_and_is_remembered(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = _main(app)
        forward = list(screen.paper_list.ids)
        assert store.get(forward[0]).title == TITLES[0]  # the page's top paper first
        assert "sort: added " in _header(screen) + " "  # the usual direction: the name alone
        await pilot.press("R")
        await settle(pilot, app)
        assert list(screen.paper_list.ids) == forward[::-1]
        assert "sort: added, oldest first" in _header(screen)
        await pilot.press("slash", *"lanterns OR kites OR attention", "enter")
        await settle(pilot, app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert list(screen.paper_list.ids) == forward[::-1]
    assert load_settings(paths.config_file).reverse is True
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        assert list(_main(app).paper_list.ids) == forward[::-1]  # remembered


async def test_the_read_sort_lists_the_latest_read_first(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = _main(app)
        first, second = screen.paper_list.ids[0], screen.paper_list.ids[1]
        await pilot.press("r")  # the first paper read, then the next one
        await settle(pilot, app)
        await pilot.press("r")
        await settle(pilot, app)
        await pilot.press("4")  # the Read view
        await settle(pilot, app)
        while screen.sort.value != "read":
            await pilot.press("S")
            await settle(pilot, app)
        assert list(screen.paper_list.ids) == [second, first]
        assert store.get(first).status is Status.READ and store.get(first).read_at
        await pilot.press("u")  # undo the second mark: its read date goes with it
        await settle(pilot, app)
        assert store.get(second).read_at is None
        assert list(screen.paper_list.ids) == [first]


async def test_f_shows_the_files_and_the_pane_says_where_and_when(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = _main(app)
        pane = screen.detail
        assert pane.paper is not None
        header = paper_header(pane.paper).plain
        (line,) = [row for row in header.splitlines() if row.startswith("From: ")]
        assert line.startswith("From: Hugging Face daily papers, ") and "(F: files)" in line
        assert "fixture" not in line  # the file name is one key away, not in the pane
        await pilot.press("F")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("Hugging Face daily papers" in m and "\n  fixture" in m for m in messages)
