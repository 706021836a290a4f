"""The writer's catch-up of the saved index after a big ingest, split over two processes
(:meth:`readq.search.sync.Sync.append_bulk` with ``split``): the same index as one process
makes, whether the other process helps, fails, hangs, cannot be started or answers something
that does not fit, and whatever the library did between the two processes' snapshots."""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from support.searchlib import answers, finished, make_papers, same_index, scanned_part

from readq.models import Source, Status
from readq.search import SearchEngine, cache, sync, upkeep
from readq.search.build import Collect
from readq.search.index import bitmap_threshold
from readq.search.query import Field
from readq.store import Store

OLD, NEW = 300, 3000
MINE = NEW * 55 // 100
"""Papers 301-3300 are new: this process scans 1,650 of them (ids 301-1950), the other the
rest (ids 1951-3300, documents 1950-3299)."""
SPLIT = (OLD + MINE + 1, OLD + MINE)
RARE = "zorblax"
"""A word only in the newest 90 papers: more than the other process's part alone would make
a bit set of (1,350 documents: 64), fewer than the whole library does (3,300: 103). It must
stay an array."""


@pytest.fixture
def behind(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A library whose saved index holds 300 papers, with 3,000 more committed since (notes,
    a status, a star and a paper in the trash among the other process's share), and a split
    threshold low enough for them."""
    store.ingest(make_papers(OLD), Source("gen", "gen.txt", "2025-01-01"), "test")
    store.set_status([3, 10], Status.READ)
    assert upkeep.update(store).outcome is upkeep.Outcome.BUILT
    papers = make_papers(NEW, seed=9)
    papers[-90:] = [dataclasses.replace(p, abstract=f"{p.abstract} {RARE}") for p in papers[-90:]]
    store.ingest(papers, Source("gen", "more.txt", "2025-01-02"), "test")
    store.save_note(420, "a note on the ferry")
    store.save_note(3000, "a note in the other share")
    store.set_starred([2500], True)
    store.set_status([2600], Status.TO_READ)
    store.trash([2700])
    monkeypatch.setattr(sync, "BULK_MIN", 100)
    monkeypatch.setattr(sync, "SPLIT_MIN", 200)
    monkeypatch.setattr(cache, "_idle_cpu", lambda own=0.0: True)
    return store


def catch_up(store: Store, *, split: bool = True) -> SearchEngine:
    engine = cache.load(store, orders=True, split=split)
    assert engine is not None
    return engine


def check_same_as_one_process(store: Store, engine: SearchEngine) -> None:
    """The same index as the one-process catch-up, and the same answers as a fresh build."""
    single = catch_up(store, split=False)
    fresh = SearchEngine.load(store)
    try:
        same_index(single, engine)
        assert answers(engine) == answers(single) == answers(fresh)
    finally:
        single.close()
        fresh.close()


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

        def wait(*, abort: bool = False) -> dict[str, object] | None:
            parts.append(collect(abort=abort))
            return parts[-1]

        return wait

    calls = spy_on_parts(monkeypatch, recorded)
    engine = catch_up(behind)
    try:
        assert calls == [SPLIT]
        part = parts[0]
        assert part is not None
        # The other process compacted its frequent words into bit sets itself, by the
        # threshold of the whole library: the rare word stays an array.
        abstracts = part["main"][int(Field.ABSTRACT)]  # type: ignore[index]
        assert any(isinstance(posting, int) for posting in abstracts.values())
        assert len(abstracts[RARE]) == 90
        assert bitmap_threshold(MINE) < 90 <= bitmap_threshold(OLD + NEW)
        assert not isinstance(engine._state.index.main[Field.ABSTRACT][RARE], int)
        assert len(engine) == OLD + NEW - 1  # one in the trash
        check_same_as_one_process(behind, engine)
    finally:
        engine.close()


@pytest.mark.parametrize("compact", [True, False], ids=["compacted", "as-scanned"])
def test_a_part_computed_in_process_gives_the_same_index(
    behind: Store, monkeypatch: pytest.MonkeyPatch, compact: bool
) -> None:
    calls = spy_on_parts(monkeypatch, lambda s, f: scanned_part(behind, s, f, compact=compact))
    engine = catch_up(behind)
    try:
        assert calls == [SPLIT]
        check_same_as_one_process(behind, engine)
    finally:
        engine.close()


@pytest.mark.parametrize("answer", ["nothing", "wrong first document", "overlapping papers"])
def test_an_other_process_that_fails_or_does_not_fit_changes_nothing(
    behind: Store, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    def bad(split_id: int, first_doc: int) -> Collect:
        if answer == "nothing":
            return finished(None)
        if answer == "wrong first document":
            return scanned_part(behind, split_id, first_doc + 1)
        return scanned_part(behind, split_id - 5, first_doc)

    calls = spy_on_parts(monkeypatch, bad)
    engine = catch_up(behind)
    try:
        assert len(calls) == 1
        check_same_as_one_process(behind, engine)
    finally:
        engine.close()


@pytest.mark.parametrize("change", ["a paper added", "a paper of the other share deleted"])
def test_the_library_changing_between_the_two_snapshots(
    behind: Store, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """Another process writes after this process's snapshot began and before the other's:
    the index ends up as a one-process catch-up of the library as it is now."""
    writer = Store.open(Path(behind.path), migrate=False)

    def changed_first(split_id: int, first_doc: int) -> Collect:
        if change == "a paper added":
            writer.ingest(make_papers(1, seed=77), Source("gen", "late.txt", "2025-01-03"), "t")
        else:
            writer.conn.execute("DELETE FROM papers WHERE id = 3100")
        return scanned_part(behind, split_id, first_doc)

    spy_on_parts(monkeypatch, changed_first)
    try:
        engine = catch_up(behind)
        try:
            check_same_as_one_process(behind, engine)
        finally:
            engine.close()
    finally:
        writer.close()


def test_a_part_that_cannot_be_started_is_scanned_here(
    behind: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_process(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        raise OSError(11, "Resource temporarily unavailable")

    real_popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", no_process)
    report = upkeep.update(behind)
    assert (report.outcome, report.papers) == (upkeep.Outcome.CAUGHT_UP, OLD + NEW - 1)
    monkeypatch.setattr(subprocess, "Popen", real_popen)
    engine = cache.load(behind)
    assert engine is not None
    try:
        check_same_as_one_process(behind, engine)
    finally:
        engine.close()


def test_a_part_that_hangs_is_killed_and_scanned_here(
    behind: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other process never answers (here: ``sleep``): it is killed after a few times
    this process's own share (patience shortened for the test) and the share scanned here."""
    real_popen = subprocess.Popen
    started: list[subprocess.Popen[bytes]] = []

    def sleeper(args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        started.append(real_popen(["sleep", "60"], **kwargs))  # type: ignore[call-overload]
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", sleeper)
    monkeypatch.setattr(cache, "_PART_PATIENCE", 0.0)
    monkeypatch.setattr(cache, "_PART_GRACE", 0.5)
    engine = catch_up(behind)
    try:
        assert len(started) == 1 and started[0].returncode is not None
        monkeypatch.setattr(subprocess, "Popen", real_popen)
        check_same_as_one_process(behind, engine)
    finally:
        engine.close()


def test_a_busy_machine_or_a_small_catch_up_scans_in_one_process(
    behind: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = spy_on_parts(monkeypatch, lambda _s, _f: finished(None))
    monkeypatch.setattr(cache, "_idle_cpu", lambda own=0.0: False)
    catch_up(behind).close()
    monkeypatch.setattr(cache, "_idle_cpu", lambda own=0.0: True)
    monkeypatch.setattr(sync, "SPLIT_MIN", NEW + 1)
    catch_up(behind).close()
    assert calls == []


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
    assert (report.outcome, report.papers) == (upkeep.Outcome.BUILT, OLD + NEW - 1)
    assert len(calls) == 1
    engine = cache.load(behind)
    fresh = SearchEngine.load(behind)
    assert engine is not None
    try:
        same_index(fresh, engine)
    finally:
        engine.close()
        fresh.close()
