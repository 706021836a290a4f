"""Start-up work that the first rows do not need waits until they are painted."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from support.tui_helpers import build_library, main_of, make_app, settle

from readq import recovery
from readq.recovery import LibraryCheck


def test_the_library_check_starts_after_the_first_paint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[float] = []
    monkeypatch.setattr(recovery, "quick_check", lambda db: checked.append(time.monotonic()))
    painted = threading.Event()
    check = LibraryCheck(tmp_path / "readq.db", on_damage=lambda detail: None, after=painted)
    check.start()
    time.sleep(0.3)
    assert checked == []
    painted.set()
    check._thread.join(timeout=5)
    assert len(checked) == 1


async def test_the_app_signals_its_first_paint_and_then_counts(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert app.first_painted.is_set()
        screen = main_of(app)
        assert screen.total == 10
        assert len(screen.paper_list.ids) == 10


async def test_view_counts_come_from_the_index_once_it_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQL counts scan the whole table (1.3 s at 1M papers); the index counts bits."""
    from readq.store import Store

    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        while app.searcher.engine is None:
            await pilot.pause(0.05)
        screen = main_of(app)

        def no_sql_counts(self: Store) -> object:
            raise AssertionError("counted in SQL")

        monkeypatch.setattr(Store, "stats", no_sql_counts)
        inbox = screen.counts[screen.view]
        await pilot.press("r")
        await settle(pilot, app)
        await pilot.press("u")
        await settle(pilot, app)
        assert screen.counts[screen.view] == inbox
        assert app.return_code is None and app.is_running


async def test_quitting_during_an_index_build_does_not_wait_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual waits for worker threads on exit: q during a long first build used to hang
    until the build ended (seconds at 100k, minutes at 1M)."""
    from readq.search import SearchCancelled, cache

    started = threading.Event()

    def endless_build(reader: object, *, is_cancelled: object, child_min: int) -> object:
        started.set()
        assert callable(is_cancelled)
        while not is_cancelled():
            time.sleep(0.01)
        raise SearchCancelled()

    monkeypatch.setattr(cache, "load_or_build", endless_build)
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):  # not settle(): it waits for every worker, this one never ends
            if started.is_set():
                break
            await pilot.pause(0.02)
        assert started.is_set()
        quit_at = time.monotonic()
        await pilot.press("q")
    assert time.monotonic() - quit_at < 2.0
    assert app.return_code == 0


async def test_the_index_loads_without_waiting_for_the_whole_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index starts loading once the first screen is painted: a whole list that is slow
    to fetch (or cancelled by a filter typed at once, then answered slowly in SQL) no longer
    holds back the search that answers typos."""
    from readq.library.searcher import Searcher

    release = threading.Event()
    real = Searcher.search

    def slow_whole_list(self: Searcher, reader: object, request: object, cancel: object) -> object:
        if self.engine is None:
            release.wait(timeout=10)
        return real(self, reader, request, cancel)  # type: ignore[arg-type]

    monkeypatch.setattr(Searcher, "search", slow_whole_list)
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            for _ in range(150):  # not settle(): the whole list is held back on purpose
                if app.searcher.engine is not None:
                    break
                await pilot.pause(0.02)
            assert app.searcher.engine is not None, "the index waited for the whole list"
            assert not release.is_set()
        finally:
            release.set()
        await settle(pilot, app)
        assert len(main_of(app).paper_list.ids) == 10
