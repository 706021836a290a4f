"""The writer's catch-up of the saved index after a big ingest, split over two processes
(:meth:`readq.search.sync.Sync.append_bulk` with ``split``): the same index as one process
builds, whether the other process helps, fails or answers something that does not fit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support.searchlib import answers, make_papers, same_index

from readq.models import Source, Status
from readq.search import SearchEngine, cache, sync, upkeep
from readq.search.query import Field
from readq.store import Store

Collect = Callable[[], dict[str, object] | None]


@pytest.fixture
def behind(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A library whose saved index holds 300 papers, with 500 more committed since (a note,
    a status and a star among them), and thresholds low enough for a split catch-up."""
    store.ingest(make_papers(300), Source("gen", "gen.txt", "2025-01-01"), "test")
    store.set_status([3, 10], Status.READ)
    assert upkeep.update(store).outcome is upkeep.Outcome.BUILT
    store.ingest(make_papers(500, seed=9), Source("gen", "more.txt", "2025-01-02"), "test")
    store.save_note(420, "a note on the ferry")
    store.set_starred([350], True)
    monkeypatch.setattr(sync, "BULK_MIN", 100)
    monkeypatch.setattr(sync, "SPLIT_MIN", 200)
    monkeypatch.setattr(cache, "_idle_cpu", lambda own=0.0: True)
    return store


def catch_up(store: Store) -> SearchEngine:
    engine = cache.load(store, orders=True, split=True)
    assert engine is not None
    return engine


def check_same_as_one_process(store: Store, engine: SearchEngine) -> None:
    single = SearchEngine.load(store)
    try:
        same_index(single, engine)
        assert answers(engine) == answers(single)
    finally:
        single.close()


def spy_on_parts(
    monkeypatch: pytest.MonkeyPatch, answer: Callable[[int, int], Collect]
) -> list[tuple[int, int]]:
    calls: list[tuple[int, int]] = []

    def start(_db: Path) -> Callable[[int, int], Collect]:
        def start_other(split_id: int, first_doc: int) -> Collect:
            calls.append((split_id, first_doc))
            return answer(split_id, first_doc)

        return start_other

    monkeypatch.setattr(cache, "_start_part", start)
    return calls


def test_a_real_second_process_scans_the_newer_share(
    behind: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_start = cache._start_part
    parts: list[dict[str, object] | None] = []

    def recorded(split_id: int, first_doc: int) -> Collect:
        collect = real_start(Path(behind.path))(split_id, first_doc)
        return lambda: parts.append(collect()) or parts[-1]

    calls = spy_on_parts(monkeypatch, recorded)
    engine = catch_up(behind)
    try:
        assert calls == [(576, 575)]
        # The other process compacted its frequent words into bit sets itself.
        part = parts[0]
        assert part is not None
        abstracts = part["main"][int(Field.ABSTRACT)]  # type: ignore[index]
        assert any(isinstance(posting, int) for posting in abstracts.values())
        assert len(engine) == 800
        check_same_as_one_process(behind, engine)
    finally:
        engine.close()


def test_the_split_gives_the_other_process_the_newer_share(
    behind: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def scan(split_id: int, first_doc: int) -> Collect:
        reader = behind.open_reader()
        try:
            part = SearchEngine.scan_part(reader, split_id, first_doc)
        finally:
            reader.close()
        return lambda: part

    calls = spy_on_parts(monkeypatch, scan)
    engine = catch_up(behind)
    try:
        # 500 new papers (ids 301-800): this process scans 55% of them, docs 300-574.
        assert calls == [(576, 575)]
        check_same_as_one_process(behind, engine)
    finally:
        engine.close()


@pytest.mark.parametrize("answer", ["nothing", "wrong first document", "overlapping papers"])
def test_an_other_process_that_fails_or_does_not_fit_changes_nothing(
    behind: Store, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    def bad(split_id: int, first_doc: int) -> Collect:
        if answer == "nothing":
            return lambda: None
        reader = behind.open_reader()
        try:
            if answer == "wrong first document":
                part = SearchEngine.scan_part(reader, split_id, first_doc + 1)
            else:
                part = SearchEngine.scan_part(reader, split_id - 5, first_doc)
        finally:
            reader.close()
        return lambda: part

    calls = spy_on_parts(monkeypatch, bad)
    engine = catch_up(behind)
    try:
        assert len(calls) == 1
        assert len(engine) == 800
        check_same_as_one_process(behind, engine)
    finally:
        engine.close()


def test_a_busy_machine_or_a_small_catch_up_scans_in_one_process(
    behind: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = spy_on_parts(monkeypatch, lambda _s, _f: lambda: None)
    monkeypatch.setattr(cache, "_idle_cpu", lambda own=0.0: False)
    engine = catch_up(behind)
    engine.close()
    monkeypatch.setattr(cache, "_idle_cpu", lambda own=0.0: True)
    monkeypatch.setattr(sync, "SPLIT_MIN", 501)
    engine = catch_up(behind)
    try:
        assert calls == []
        check_same_as_one_process(behind, engine)
    finally:
        engine.close()


def test_the_writer_discounts_its_own_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Right after an ingest the 1-minute load average still counts the writer and its parser
    child; that load is over by the time the index is caught up."""
    monkeypatch.setattr(cache.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(cache.os, "getloadavg", lambda: (0.9, 0.5, 0.3))
    assert not cache._idle_cpu()
    assert cache._idle_cpu(own=1.0)
    monkeypatch.setattr(cache.os, "getloadavg", lambda: (2.5, 2.0, 1.0))
    assert not cache._idle_cpu(own=1.0)


def test_a_writer_without_a_saved_index_builds_it_in_two_processes(
    behind: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No usable saved index (deleted here): the writer builds it, split like the TUI's
    child build, and saves it."""
    cache.default_path(behind).unlink()
    monkeypatch.setattr(cache, "SPLIT_MIN", 200)
    real_start = cache._start_part
    calls = spy_on_parts(monkeypatch, lambda s, f: real_start(Path(behind.path))(s, f))
    report = upkeep.update(behind)
    assert (report.outcome, report.papers) == (upkeep.Outcome.BUILT, 800)
    assert len(calls) == 1
    engine = cache.load(behind)
    assert engine is not None
    try:
        check_same_as_one_process(behind, engine)
    finally:
        engine.close()
