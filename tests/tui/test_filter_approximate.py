"""The filter before the index has loaded: the same query language, answered by SQL, with
the filter bar saying so; malformed queries are errors there too."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.tui_helpers import TITLES, build_library, main_of, make_app, settle

from readq.library.searcher import Searcher


def _message(app: object) -> str:
    from textual.widgets import Static

    screen = main_of(app)  # type: ignore[arg-type]
    widget = screen.filter_bar.query_one("#filter-message", Static)
    return str(widget.render())


async def test_filter_answers_exactly_and_says_approximate_while_the_index_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Searcher, "load_engine", lambda self, reader, is_cancelled=None: False)
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        await pilot.press("5", "slash", *"diffusion")
        await settle(pilot, app)
        assert app.searcher.engine is None
        assert len(screen.paper_list.ids) == 2
        assert "2 papers match" in _message(app)
        assert "approximate (index loading)" in _message(app)

        await pilot.press("ctrl+u", *"-diffusion")
        await settle(pilot, app)
        assert len(screen.paper_list.ids) == len(TITLES) - 2  # an exclusion, not a word

        await pilot.press("ctrl+u", *"(gardens OR lullabies) year:>=2025")
        await settle(pilot, app)
        assert len(screen.paper_list.ids) == 2

        await pilot.press("ctrl+u", *"is:new")
        await settle(pilot, app)
        assert len(screen.paper_list.ids) == len(TITLES)
        assert "approximate" not in _message(app)  # filters alone are exact

        await pilot.press("ctrl+u", *"org:")
        await settle(pilot, app)
        assert "'org:' needs a value" in _message(app)
