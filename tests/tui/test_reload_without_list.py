"""The library poll may fire while the main screen has no list (composing, or torn down at
exit): a reload then does nothing instead of raising (seen as a failure at a test's exit)."""

from __future__ import annotations

from pathlib import Path

from support.tui_helpers import build_library, make_app, settle

from readq.tui.screens.main import MainScreen
from readq.tui.widgets.paper_list import PaperList


async def test_a_reload_with_no_list_on_the_screen_does_nothing(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        main = app.main_screen
        assert isinstance(main, MainScreen)
        await main.query(PaperList).remove()
        app.reload_main()  # raised NoMatches before the guard
        await pilot.pause()
        assert app.is_running
