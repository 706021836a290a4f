"""Keystrokes repaint, they do not re-arrange the screen (a layout pass costs tens of ms)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.tui_helpers import build_library, main_of, make_app, settle, show_note
from textual.screen import Screen


@pytest.fixture
def layout_passes(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every screen layout pass made while the test runs."""
    passes: list[object] = []
    original = Screen._refresh_layout

    def counting(self: Screen[object], *args: object, **kwargs: object) -> None:
        passes.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    return passes


async def test_typing_a_filter_and_moving_need_no_layout(
    tmp_path: Path, layout_passes: list[object]
) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        await pilot.press("slash", "d")  # the message line appears under the filter: one layout
        await settle(pilot, app)
        await pilot.pause(0.2)
        layout_passes.clear()
        for key in "iffusion":
            await pilot.press(key)
            await settle(pilot, app)
        await pilot.pause(0.2)  # the detail pane follows after its debounce
        assert layout_passes == []
        top = screen.paper_list.current_id
        assert top is not None and screen.detail.paper is not None
        assert screen.detail.paper.id == top
        assert "Diffusion" in screen.detail.plain_text()
        await pilot.press("enter")
        await settle(pilot, app)
        layout_passes.clear()
        await pilot.press("j")
        await pilot.pause(0.2)
        await pilot.press("k")
        await pilot.pause(0.2)
        assert layout_passes == []
        assert screen.detail.paper is not None and screen.detail.paper.id == top


async def test_a_long_note_scrolls_to_its_last_line(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        note = "\n\n".join(f"paragraph {n}" for n in range(60)) + "\n\nTHE END"
        detail = show_note(app, store, note).detail
        await pilot.pause()
        assert "THE END" not in detail.plain_text()  # folded: the abstract stays in reach
        await pilot.press("z")
        assert detail.virtual_size.height > detail.scrollable_content_region.height
        detail.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        height = detail.scrollable_content_region.height
        shown = [detail.render_line(y).text.strip() for y in range(height)]
        assert "THE END" in shown


async def test_a_theme_change_recolours_the_list_and_the_detail(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        before = (screen.paper_list.base_style, screen.detail.base_style)
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause(0.3)
        after = (screen.paper_list.base_style, screen.detail.base_style)
        assert after[0] != before[0] and after[1] != before[1]
        assert after[0] == screen.paper_list.rich_style
        first = next(iter(screen.detail.render_line(0)))
        assert first.style is not None and first.style.bgcolor == after[1].bgcolor
