"""The note history shows what each revision changed against the one before it: revisions
that differ only at their end no longer look alike."""

from __future__ import annotations

from pathlib import Path

from support.tui_helpers import build_library, make_app, settle
from textual.widgets import Static

from readq.tui.screens.note_history import NoteHistoryScreen

START = "\n".join(f"line {n} of the same long start" for n in range(12))


async def test_the_preview_is_a_diff_against_the_previous_revision(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    pid = store.list_papers()[0].id
    store.save_note(pid, START + "\nends with apples", kind="external")
    store.save_note(pid, START + "\nends with pears", kind="external")
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.push_screen(NoteHistoryScreen(pid))
        await pilot.pause()
        history = app.screen
        assert isinstance(history, NoteHistoryScreen)
        preview = history.query_one("#history-text", Static)
        shown = str(preview.render())
        assert "-ends with apples" in shown and "+ends with pears" in shown
        assert "line 0 of" not in shown  # far from the change: not repeated
        assert "line 11 of the same long start" in shown  # context next to it
        await pilot.press("down")
        await pilot.pause()
        first = str(preview.render())
        assert first.startswith("First revision:") and "ends with apples" in first
