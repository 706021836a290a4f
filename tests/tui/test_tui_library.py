"""The TUI with real libraries: empty, changed by another process, ingest from the app."""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.fakeapi import FakeApi
from support.tui_helpers import TITLES, build_library, make_app, make_papers, settle
from textual.widgets import TextArea

from readq.models import Source
from readq.store import Store
from readq.tui.screens.main import MainScreen

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def main_screen(app: object) -> MainScreen:
    from readq.tui.app import ReadqApp

    assert isinstance(app, ReadqApp)
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


async def test_empty_library_greets(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path, [])
    app = make_app(paths, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        assert screen.query_one("#empty").display
        assert not screen.paper_list.display
        text = str(screen.query_one("#greeting").render())
        assert "Press  i  to ingest" in text and "readq ingest" in text


async def test_ingest_file_from_the_app(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path, [])
    app = make_app(paths, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("i")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "IngestScreen"
        await pilot.press(*str(FIXTURES / "hf_dai"))
        await pilot.pause(0.2)
        await pilot.press("tab")  # completes to hf_daily.txt
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert store.count() > 0
        screen = main_screen(app)
        assert len(screen.paper_list.ids) == store.count()
        assert not screen.query_one("#empty").display


async def test_ingest_pasted_text(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path, [])
    app = make_app(paths, store)
    text = (FIXTURES / "hf_daily.txt").read_text(encoding="utf-8")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#paste", TextArea).load_text(text)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert store.count() > 0


async def test_another_process_ingests_while_open(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        await pilot.press("slash", *"diffusion", "enter")
        await settle(pilot, app)
        await pilot.press("j")
        current = screen.paper_list.current_id
        assert current is not None
        other = Store.open(paths.db)
        other.ingest(
            make_papers(["Diffusion Lighthouses Arrive Later"]),
            Source("other", "other", "2025-02-01T00:00:00"),
            "hf",
        )
        other.close()
        for _ in range(20):
            await asyncio.sleep(0.1)
            await settle(pilot, app)
            if len(screen.paper_list.ids) == 3:
                break
        titles = {store.get(i).title for i in screen.paper_list.ids}
        assert "Diffusion Lighthouses Arrive Later" in titles
        assert screen.filter_text == "diffusion"
        assert screen.paper_list.current_id == current
        assert screen.counts[screen.view] == len(TITLES) + 1


async def test_a_paste_with_no_papers_keeps_the_dialog_and_the_text(tmp_path: Path) -> None:
    """Issue 12 item 20: before, the dialog closed and the pasted text was lost."""
    from readq.tui.screens.ingest import IngestScreen

    paths, store = build_library(tmp_path, [])
    app = make_app(paths, store)
    pasted = "Dear colleague,\nhere are my holiday photos.\nNot a listing at all.\n"
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#paste", TextArea).load_text(pasted)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, IngestScreen)
        assert app.screen.query_one("#paste", TextArea).text == pasted
        said = [n.message for n in app._notifications if n.message.startswith("Nothing")]
        assert said and "no papers found" in said[0] and "still here" in said[0]
        # Fixing the text (a real listing pasted over it) then ingests as usual.
        text = (FIXTURES / "hf_daily.txt").read_text(encoding="utf-8")
        app.screen.query_one("#paste", TextArea).load_text(text)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert not isinstance(app.screen, IngestScreen)
        assert store.count() > 0


async def test_the_ingest_dialog_adds_papers_by_arxiv_id(tmp_path: Path, api: FakeApi) -> None:
    """Issue 14: ids or links typed in the path field are fetched from the arXiv API."""
    paths, store = build_library(tmp_path, [])
    app = make_app(paths, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("i")
        await pilot.pause()
        await pilot.press(*"arXiv:2612.04011v2 https://arxiv.org/abs/2612.05522")
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.1)
            if store.count() == 2:
                break
        await settle(pilot, app)
        assert store.count() == 2
        assert {p.arxiv_id for p in store.list_papers()} == {"2612.04011", "2612.05522"}
        assert len(api.requests) == 1
        assert len(main_screen(app).paper_list.ids) == 2


def test_only_a_text_made_of_ids_is_taken_for_ids() -> None:
    from readq.tui.screens.ingest import arxiv_refs_in

    assert arxiv_refs_in(" 2612.04011, arxiv.org/pdf/2612.05522v1 ") == (
        "2612.04011",
        "arxiv.org/pdf/2612.05522v1",
    )
    assert arxiv_refs_in("~/Downloads/2612.04011.txt") == ()
    assert arxiv_refs_in("Title\n\nAbstract about 2612.04011") == ()
    assert arxiv_refs_in("") == ()
