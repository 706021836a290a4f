"""A new list repaints only the screen lines whose row changed.

Why: each keystroke in the filter sets a new list. Redrawing every visible line (and the
header and message line) with each one was most of a keystroke's time at 100k papers, while
the search itself takes about a millisecond; rows that keep their paper, highlights and
cursor state are now left as painted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.tui_helpers import build_library, main_of, make_app, settle
from textual.strip import Strip

from readq.tui.widgets.paper_list import PaperList


class Painted:
    """Counts the list lines Textual asks the list to draw (by screen line)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lines: list[int] = []
        original = PaperList.render_line

        def render_line(widget: PaperList, y: int) -> Strip:
            self.lines.append(y)
            return original(widget, y)

        monkeypatch.setattr(PaperList, "render_line", render_line)

    def take(self) -> list[int]:
        """The lines drawn since the last call, sorted, without repeats."""
        drawn = sorted(set(self.lines))
        self.lines.clear()
        return drawn


async def test_only_changed_rows_are_repainted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, app)
        plist = main_of(app).paper_list
        ids = list(plist.ids)
        assert len(ids) == 10 and plist.cursor == 0
        painted = Painted(monkeypatch)
        height = plist.scrollable_content_region.height
        assert height >= 2 * len(ids)  # every row is on screen

        plist.set_ids(list(ids))  # the same list again (a keystroke that changed nothing)
        await pilot.pause()
        assert painted.take() == []

        swapped = list(ids)
        swapped[3], swapped[4] = swapped[4], swapped[3]
        plist.set_ids(swapped)  # two rows trade places: their four lines only
        await pilot.pause()
        assert painted.take() == [6, 7, 8, 9]

        plist.set_ids(swapped[:-1])  # the last row leaves: its lines become blank
        await pilot.pause()
        assert painted.take() == [18, 19]

        plist.set_ids(ids)
        await pilot.pause()
        painted.take()
        plist.set_ids(ids[1:])  # every row moves up one, the last one leaves
        await pilot.pause()
        assert painted.take() == list(range(20))

        # The highlight is part of what a row shows: a new match repaints the rows it marks.
        first_title = store.get(ids[1]).title

        def highlight(paper_id: int, title: str) -> list[tuple[int, int]]:
            return [(0, 4)] if title == first_title else []

        plist.set_ids(ids[1:], highlight=highlight)
        await pilot.pause()
        assert painted.take() == [0, 1]
        lines = [plist.render_line(y).text for y in range(2)]
        assert first_title[:20] in lines[0]


async def test_the_header_and_message_are_not_redrawn_when_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Static

    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        await pilot.press("slash", *"diffusion")
        await settle(pilot, app)
        updates: list[str] = []
        original = Static.update

        def update(widget: Static, *args: object, **kwargs: object) -> None:
            updates.append(widget.id or "")
            original(widget, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Static, "update", update)
        screen.request_list()  # the same answer again
        await settle(pilot, app)
        assert "tabs" not in updates
        assert "filter-message" not in updates

        await pilot.press("backspace")  # "diffusio": same papers, new filter text
        await settle(pilot, app)
        assert "tabs" in updates  # the header shows the filter
