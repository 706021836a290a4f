"""A 100k-paper library opens and filters in a Pilot run (correctness only, no timing)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from support.tui_helpers import make_app, settle

from readq.models import Source, Status
from readq.paths import Paths
from readq.store import Store
from readq.tui.screens.main import MainScreen

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from screenshots.fictional import generated_papers

COUNT = 100_000


@pytest.fixture(scope="module")
def big_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 100k library for the module, built in one ingest call."""
    path = tmp_path_factory.mktemp("big") / "readq.db"
    with Store.open(path) as store:
        store.ingest(generated_papers(COUNT), Source("gen", "gen", "2025-01-01T00:00:00"), "hf")
    return path


async def test_100k_library_opens_and_filters(big_library: Path, tmp_path: Path) -> None:
    paths = Paths(db=big_library, config_dir=tmp_path / "config")
    store = Store.open(big_library)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = app.screen_stack[0]
        assert isinstance(screen, MainScreen)
        plist = screen.paper_list
        assert len(plist.ids) == COUNT
        assert screen.counts[screen.view] == COUNT
        # "added": the newest ingest first, from its page's top paper.
        (first_of_newest,) = store.conn.execute(
            "SELECT min(id) FROM papers WHERE added_at = (SELECT max(added_at) FROM papers)"
        ).fetchone()
        top = plist.ids[0]
        assert top == first_of_newest
        await pilot.press("G")
        assert plist.cursor == COUNT - 1
        await pilot.press("g", "r")
        await settle(pilot, app)
        assert store.get(top).status is Status.READ
        assert len(plist.ids) == COUNT - 1
        await pilot.press("slash", *"lantern origami")
        await settle(pilot, app)
        matches = list(plist.ids)
        assert 0 < len(matches) < COUNT
        for paper in store.get_many(matches[:50]):
            lowered = paper.title.lower() + " " + paper.abstract.lower()
            assert "lantern" in lowered and "origami" in lowered
        await pilot.press("enter", "j")
        assert plist.cursor == 1
    store.close()
