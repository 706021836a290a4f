"""A start with a saved index (as right after ``readq ingest``): the whole list, the counts and
a query typed at once wait for the index instead of scanning the library in SQL, which at 1M
papers took seconds and held the index back; the library check starts after the index."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.searchlib import saved
from support.tui_helpers import build_library, main_of, make_app, settle

from readq.library import searcher as searcher_module
from readq.store import Store


async def test_the_whole_list_and_counts_come_from_the_saved_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, store = build_library(tmp_path)
    saved(store)
    whole_sql_lists: list[object] = []
    real_list_ids = searcher_module.list_ids

    def list_ids(reader: Store, selection: object, limit: int | None = None) -> list[int]:
        if limit is None:
            whole_sql_lists.append(selection)
        return real_list_ids(reader, selection, limit)  # type: ignore[arg-type]

    def no_sql_counts(self: Store) -> object:
        raise AssertionError("counted in SQL")

    monkeypatch.setattr(searcher_module, "list_ids", list_ids)
    monkeypatch.setattr(Store, "stats", no_sql_counts)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert app.searcher.engine is not None
        assert app.searcher.settled.is_set()
        screen = main_of(app)
        assert len(screen.paper_list.ids) == 10
        assert screen.total == 10
    assert whole_sql_lists == []


async def test_a_query_typed_at_once_is_answered_by_the_saved_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No approximate SQL answer is computed while the saved index loads."""
    paths, store = build_library(tmp_path)
    saved(store)
    sql_answers: list[object] = []
    real = searcher_module.sql_search

    def sql_search(*args: object, **kwargs: object) -> object:
        sql_answers.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(searcher_module, "sql_search", sql_search)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("/", *"paper")
        await settle(pilot, app)
        screen = main_of(app)
        assert screen.filter_text == "paper"
        assert app.searcher.engine is not None
        assert screen._list_note is None  # not "approximate"
    assert sql_answers == []


async def test_a_query_typed_before_the_first_screen_starts_the_index_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index used to start loading only when a list was painted: a filter typed before
    the first screen cancelled that screen and then waited for an index nothing had started,
    until the wait gave up (5 s) and an approximate SQL answer came instead (seen in tmux at
    100k papers: `/difusion` right after start answered "0 papers, approximate" at 5.7 s)."""
    import threading
    import time

    from readq.tui.screens import main_list

    paths, store = build_library(tmp_path)
    saved(store)
    release = threading.Event()
    real_first_screen = main_list.list_ids

    def slow_first_screen(*args: object, **kwargs: object) -> list[int]:
        release.wait(10)  # the first screen is not ready before the filter is typed
        return real_first_screen(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(main_list, "list_ids", slow_first_screen)
    app = make_app(paths, store)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("/", *"difusion")  # a typo: only the index finds it
            deadline = time.monotonic() + 3.0
            while app.searcher.engine is None and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert app.searcher.engine is not None  # loaded with no screen painted
            release.set()
            await settle(pilot, app)
            screen = main_of(app)
            assert screen.filter_text == "difusion"
            assert screen._list_note is None  # the index's answer, not "approximate"
            assert len(screen.paper_list.ids) == 2  # both diffusion papers
    finally:
        release.set()
