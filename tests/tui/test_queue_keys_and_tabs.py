"""Pilot tests of saved views and the queue keys: views are tabs after the five built-in ones
with live counts on 6-9 (the trash is on 0 and T), V saves the view and filter in two keys
plus a name, the To-read view opens in queue order, and [ ] { } move the paper in the queue
(u undoes); each checks the store too."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from support.tui_helpers import TITLES, build_library, main_of, make_app, settle
from textual.widgets import Static

from readq.library import Library
from readq.models import SortKey, Status
from readq.tui.app import ReadqApp
from readq.tui.screens.trash import TrashScreen


def _tabs(app: ReadqApp) -> str:
    content = main_of(app).query_one("#tabs", Static).render()
    return content.plain if isinstance(content, Text) else str(content)


async def test_saved_views_are_tabs_on_6_to_9_with_live_counts(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    library = Library(store)
    library.add_view("Diffusion", "diffusion")
    library.add_view("queued", "is:to-read")
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        tabs = _tabs(app)
        assert " 6 Diffusion 2 " in tabs and " 7 queued 0 " in tabs
        await pilot.press("6")
        await settle(pilot, app)
        screen = main_of(app)
        assert screen.saved is not None and screen.saved.name == "Diffusion"
        shown = [store.get(i).title for i in screen.paper_list.ids]
        assert sorted(shown) == sorted(t for t in TITLES if "Diffusion" in t)
        assert "▸6 Diffusion 2" in _tabs(app)
        await pilot.press("t")  # mark the first one to read: the queued view counts it
        await settle(pilot, app)
        assert " 7 queued 1 " in _tabs(app)
        await pilot.press("8")  # no view there: a hint, nothing changes
        await settle(pilot, app)
        assert screen.saved is not None and screen.saved.name == "Diffusion"
        await pilot.press("1")
        await settle(pilot, app)
        assert screen.saved is None and "▸1 Inbox" in _tabs(app)


async def test_the_trash_is_on_0_and_T(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("0")
        await settle(pilot, app)
        assert isinstance(app.screen, TrashScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("T")
        await settle(pilot, app)
        assert isinstance(app.screen, TrashScreen)


async def test_V_saves_the_view_and_filter_as_a_tab(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("V")  # no filter: nothing to save
        await settle(pilot, app)
        assert store.views() == []
        await pilot.press("slash", *"lanterns", "enter")
        await settle(pilot, app)
        await pilot.press("V", *"my lanterns", "enter")
        await settle(pilot, app)
        (view,) = store.views()
        assert (view.name, view.query) == ("my lanterns", "is:new lanterns")
        screen = main_of(app)
        assert screen.saved == view and screen.filter_text == ""
        assert "▸6 my lanterns 1" in _tabs(app)
        assert [store.get(i).title for i in screen.paper_list.ids] == [TITLES[0]]


async def test_V_then_enter_saves_under_a_name_made_from_the_filter(tmp_path: Path) -> None:
    """Two keys: the offered name is the filter's words (unique), selected."""
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"lanterns", "enter")
        await settle(pilot, app)
        await pilot.press("V", "enter")
        await settle(pilot, app)
        assert [(v.name, v.query) for v in store.views()] == [("lanterns", "is:new lanterns")]
        await pilot.press("1", "slash", *"lanterns", "enter")
        await settle(pilot, app)
        await pilot.press("V", "enter")
        await settle(pilot, app)
        assert [v.name for v in store.views()] == ["lanterns", "lanterns 2"]


async def test_queue_keys_move_the_paper_and_u_undoes(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    ids = [int(r[0]) for r in store.conn.execute("SELECT id FROM papers ORDER BY id")]
    store.set_status(ids[:4], Status.TO_READ)
    a, b, c, d = ids[:4]
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        screen = main_of(app)
        assert screen.sort is SortKey.QUEUE and "sort: queue" in _tabs(app)
        assert list(screen.paper_list.ids) == [a, b, c, d]
        await pilot.press("j", "right_square_bracket")  # b down
        await settle(pilot, app)
        assert store.queue_ids() == [a, c, b, d]
        assert screen.paper_list.current_id == b
        await pilot.press("left_square_bracket", "left_square_bracket")  # b up twice: top
        await settle(pilot, app)
        assert store.queue_ids() == [b, a, c, d]
        await pilot.press("right_curly_bracket")  # to the bottom
        await settle(pilot, app)
        assert store.queue_ids() == [a, c, d, b]
        assert list(screen.paper_list.ids) == [a, c, d, b]
        await pilot.press("left_curly_bracket")
        await settle(pilot, app)
        assert store.queue_ids() == [b, a, c, d]
        await pilot.press("u")
        await settle(pilot, app)
        assert store.queue_ids() == [a, c, d, b]
        assert list(screen.paper_list.ids) == [a, c, d, b]
        # Another sort: [ and ] say how to use them, { still works.
        await pilot.press("S")
        await settle(pilot, app)
        assert screen.sort is not SortKey.QUEUE
        before = store.queue_ids()
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        assert store.queue_ids() == before
        # Marking a paper to read from the Inbox puts it at the bottom of the queue.
        await pilot.press("1")
        await settle(pilot, app)
        await pilot.press("t")
        await settle(pilot, app)
        assert len(store.queue_ids()) == 5 and store.queue_ids()[:4] == before


async def test_tabs_fit_at_80_columns(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    library = Library(store)
    for name in ("reading group", "survey draft", "owls and herons", "weekend"):
        library.add_view(name, "diffusion")
    app = make_app(paths, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("7")
        await settle(pilot, app)
        tabs = _tabs(app)
        assert "▸7 survey draft 2" in tabs and " 9:2 " in tabs and "…" not in tabs
        assert Text(tabs).cell_len <= 80


async def _palette(pilot: object, app: ReadqApp, text: str) -> None:
    """Run the palette command whose prompt starts with ``text``."""
    from textual.command import CommandList
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("ctrl+p")
    await pilot.pause(0.3)
    await pilot.press(*text)
    await pilot.pause(0.5)
    options = app.screen.query_one(CommandList)
    prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    index = next(i for i, p in enumerate(prompts) if p.startswith(text))
    options.highlighted = index
    await pilot.press("enter")
    await settle(pilot, app)


async def test_palette_opens_and_removes_views_and_applies_a_suggested_order(
    tmp_path: Path,
) -> None:
    from readq.tui.screens.confirm import ConfirmScreen

    paths, store = build_library(tmp_path)
    ids = [int(r[0]) for r in store.conn.execute("SELECT id FROM papers ORDER BY id")]
    store.set_status(ids[:4], Status.TO_READ)
    library = Library(store)
    library.add_view("Diffusion", "diffusion")
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        await _palette(pilot, app, "Saved view: Diffusion")
        assert screen.saved is not None and screen.saved.name == "Diffusion"
        await _palette(pilot, app, "Remove saved view: Diffusion")
        assert isinstance(app.screen, ConfirmScreen)  # asks first
        await pilot.press("y")
        await settle(pilot, app)
        assert store.views() == [] and screen.saved is None
        before = store.queue_ids()
        expected = list(library.suggest_queue("oldest").ids)
        assert expected != before
        await _palette(pilot, app, "Queue: suggested order, oldest first")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Suggested order (not applied)" in app.screen.question
        assert store.queue_ids() == before  # shown, not applied yet
        await pilot.press("y")
        await settle(pilot, app)
        assert store.queue_ids() == expected
        await pilot.press("u")  # one step back to the whole previous order
        await settle(pilot, app)
        assert store.queue_ids() == before
