"""The command palette lists each readq command once: its description, then its key."""

from __future__ import annotations

from pathlib import Path

from support.tui_helpers import build_library, make_app, settle
from textual.command import CommandList


async def test_the_palette_shows_each_command_once(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        options = app.screen.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        mark = next(p for p in prompts if p.startswith("Mark read, go to next"))
        assert mark.splitlines() == ["Mark read, go to next", "key: r"]
        # No command's second line repeats its first (which read as every command twice).
        for prompt in prompts:
            lines = prompt.splitlines()
            assert len(lines) != 2 or not lines[0].startswith(lines[1]), prompt
