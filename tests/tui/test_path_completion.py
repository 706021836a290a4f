"""Tab in the ingest dialog's path field completes as a shell does: one match is taken,
several are listed and cycled, and no match keeps the focus in the field."""

from __future__ import annotations

from pathlib import Path

from support.tui_helpers import build_library, make_app, settle
from textual.widgets import Static

from readq.tui.widgets.path_input import PathInput, path_candidates


def _files(folder: Path) -> None:
    folder.mkdir()
    for name in (
        "hf_daily.txt",
        "hf_trending.txt",
        "hf_search.txt",
        "arxiv.txt",
        ".hidden",
        "notes_a.md",
        "notes_b.md",
    ):
        (folder / name).write_text("x", encoding="utf-8")
    (folder / "hf_old").mkdir()


def test_candidates_are_every_match_sorted_directories_marked(tmp_path: Path) -> None:
    _files(tmp_path / "d")
    base = f"{tmp_path}/d/"
    assert path_candidates(base + "hf_") == [
        base + "hf_daily.txt",
        base + "hf_old/",
        base + "hf_search.txt",
        base + "hf_trending.txt",
    ]
    assert path_candidates(base + "zz") == []
    assert path_candidates(base + ".h") == [base + ".hidden"]


async def test_tab_lists_cycles_and_never_leaves_the_field(tmp_path: Path) -> None:
    _files(tmp_path / "d")
    paths, store = build_library(tmp_path / "lib")
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("i")
        await pilot.pause()
        field = app.screen.query_one("#path", PathInput)
        listed = app.screen.query_one("#candidates", Static)
        base = f"{tmp_path}/d/"
        field.value = base + "hf_"
        field.cursor_position = len(field.value)
        await pilot.press("tab")  # several: the list shows, the text stays (nothing shared)
        await pilot.pause()
        assert listed.display and field.has_focus
        shown = str(listed.render())
        for name in ("hf_daily.txt", "hf_old/", "hf_search.txt", "hf_trending.txt"):
            assert name in shown
        assert field.value == base + "hf_daily.txt"
        await pilot.press("tab")
        assert field.value == base + "hf_old/"
        await pilot.press("tab", "tab", "tab")
        assert field.value == base + "hf_daily.txt"  # round again
        # Typed text that matches nothing: Tab says so and keeps the focus here.
        field.value = base + "zz"
        field.cursor_position = len(field.value)
        await pilot.press("tab")
        await pilot.pause()
        assert field.has_focus and field.value == base + "zz"
        assert "No file or directory" in str(listed.render())
        # One match: taken at once, the list goes.
        field.value = base + "ar"
        field.cursor_position = len(field.value)
        await pilot.press("tab")
        await pilot.pause()
        assert field.value == base + "arxiv.txt" and not listed.display
        # A shared start is completed first, then the matches are cycled.
        field.value = base + "no"
        field.cursor_position = len(field.value)
        await pilot.press("tab")
        await pilot.pause()
        assert field.value == base + "notes_" and listed.display
        await pilot.press("tab")
        assert field.value == base + "notes_a.md"
        await pilot.press("tab")
        assert field.value == base + "notes_b.md"
