"""The Library facade: writes, the busy -> queued policy, undo/redo and its failure paths, and
the ingest/export jobs, without a terminal."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from readq.export import ExportFormat, ExportResult
from readq.ingest import FileReport
from readq.library import Level, Library, StateOutcome, export_report, ingest_report
from readq.library.undo import NoteChange, StateChange
from readq.models import ScrapedPaper, Source, Status
from readq.store import IngestResult, PaperState, Store, UnknownPaperError


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    """A library of three fictional papers, all new and unstarred."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(db_path)
    papers = [
        ScrapedPaper(f"Paper {i}", f"Abstract number {i} of a fictional study of lamps. " * 3)
        for i in range(3)
    ]
    store.ingest(papers, Source("s", "/s", "2026-01-01"), "hf")
    lib = Library(store)
    try:
        yield lib
    finally:
        lib.close(timeout=5.0)


def _holder(path: Path) -> sqlite3.Connection:
    """Another process's writer: holds the library's write lock until rolled back."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_mark_writes_records_and_undo_redo_reverse_it(library: Library) -> None:
    outcome = library.mark([1, 2, 1], Status.READ, "Mark read")
    assert outcome.ok and not outcome.queued
    assert outcome.before == (
        PaperState(1, Status.NEW, False),
        PaperState(2, Status.NEW, False),
    )
    assert outcome.ids == [1, 2]
    assert [s.status for s in library.states([1, 2])] == [Status.READ, Status.READ]

    undone = library.undo()
    assert undone.error is None and not undone.waiting
    assert isinstance(undone.change, StateChange) and undone.change.description == "Mark read"
    assert [s.status for s in library.states([1, 2])] == [Status.NEW, Status.NEW]

    redone = library.redo()
    assert isinstance(redone.change, StateChange)
    assert [s.status for s in library.states([1, 2])] == [Status.READ, Status.READ]
    assert library.redo().change is None  # nothing left to redo


def test_star_value_and_star(library: Library) -> None:
    assert library.star_value([1, 2]) is True
    library.star([1], True)
    assert library.star_value([1, 2]) is True  # not all starred yet: the key stars
    outcome = library.star([1, 2], True)
    assert outcome.after == (PaperState(1, Status.NEW, True), PaperState(2, Status.NEW, True))
    assert library.star_value([1, 2]) is False


def test_a_write_error_is_raised_for_the_cli_and_returned_for_the_tui(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UnknownPaperError):
        library.mark([99], Status.READ)

    def refuse(ids: object, status: object) -> list[PaperState]:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(library.store, "set_status", refuse)
    with pytest.raises(sqlite3.OperationalError):
        library.mark([1], Status.READ)
    outcome = library.mark([1], Status.READ, queue_when_busy=True)
    assert isinstance(outcome.error, sqlite3.OperationalError) and not outcome.ok
    assert not outcome.queued and library.writer.pending == 0  # not busy: never queued
    assert library.undo().change is None  # a refused write is not undoable


def test_a_busy_library_queues_the_change_and_saves_it_later(library: Library) -> None:
    holder = _holder(library.path)
    try:
        first = library.mark([1], Status.READ, "Mark read", queue_when_busy=True)
        second = library.star([2], True, queue_when_busy=True)
        assert first.ok and first.queued and first.first_in_queue
        assert second.queued and not second.first_in_queue  # one notice per wait
        assert first.after == (PaperState(1, Status.READ, False),)
        assert library.writer.pending == 2
        assert not library.writes_settled(0.05)
        assert library.undo().waiting  # undo never runs before the queued writes
    finally:
        holder.rollback()
        holder.close()
    assert library.writes_settled(10.0)
    assert [(s.id, s.status, s.starred) for s in library.states([1, 2])] == [
        (1, Status.READ, False),
        (2, Status.NEW, True),
    ]
    assert library.states([1])[0].read_at is not None  # the queued mark dated the read
    assert isinstance(library.undo().change, StateChange)  # the star, queued last
    assert library.states([2]) == [PaperState(2, Status.NEW, False)]


def test_a_queued_change_that_finally_fails_leaves_the_undo_history(db_path: Path) -> None:
    delivered: list[Callable[[], None]] = []
    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(db_path)
    store.ingest([ScrapedPaper("Only paper", "An abstract " * 8)], Source("s", "/s", "x"), "hf")
    library = Library(store, deliver=delivered.append)
    failed: list[tuple[StateOutcome, Exception]] = []
    holder = _holder(db_path)
    try:
        outcome = library.mark(
            [1],
            Status.READ,
            queue_when_busy=True,
            on_queued_failure=lambda o, e: failed.append((o, e)),
        )
        assert outcome.queued
        # The other writer deletes the paper before the queued write gets the lock.
        holder.execute("DELETE FROM paper_sources WHERE paper_id = 1")
        holder.execute("DELETE FROM papers WHERE id = 1")
        holder.commit()
    finally:
        holder.close()
    assert library.writes_settled(10.0)
    assert failed == []  # delivered on the front end's thread, not the writer's
    for callback in delivered:
        callback()
    assert len(failed) == 1 and failed[0][0] is outcome
    assert isinstance(failed[0][1], UnknownPaperError)
    assert library.undo().change is None  # it never reached the library: nothing to undo
    library.close(timeout=5.0)


def test_an_undo_the_library_refuses_stays_undoable(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    library.mark([1], Status.READ)

    def refuse(states: object) -> list[PaperState]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(library.store, "restore_states", refuse)
    failed = library.undo()
    assert isinstance(failed.error, sqlite3.OperationalError) and failed.change is None
    monkeypatch.undo()
    assert isinstance(library.undo().change, StateChange)
    assert library.states([1])[0].status is Status.NEW


def test_a_note_edit_is_one_undo_step(library: Library) -> None:
    library.store.save_note(1, "first", kind="external")
    library.store.save_note(1, "second", kind="external")
    library.record_note_edit(1, "first")
    undone = library.undo()
    assert isinstance(undone.change, NoteChange)
    assert library.store.note_state(1)[0] == "first"
    library.redo()
    assert library.store.note_state(1)[0] == "second"


def test_ingest_and_export_jobs_use_their_own_connections(library: Library, tmp_path: Path) -> None:
    reports = library.ingest_job(None, "")
    assert reports[0].error == "<pasted>: is empty"
    target = tmp_path / "out.json"
    done = library.export_job(lambda reader: [1, 2], "json", str(target))
    assert done.papers == 2 and target.exists()
    assert '"Paper 1"' in target.read_text(encoding="utf-8")


def test_reports_say_what_each_job_did() -> None:
    ok = ingest_report(
        [FileReport("a.txt", "a.txt", "hf", IngestResult(papers=3, new=2, merged=1))]
    )
    assert ok.level is Level.OK and ok.text == "a.txt: 3 papers, 2 new, 1 merged"
    bad = ingest_report([FileReport("b.txt", "b.txt", error="b.txt: is empty", warnings=["w"])])
    assert bad.level is Level.ERROR and bad.text == "b.txt: is empty\nw"
    nothing = export_report(ExportResult(ExportFormat.JSON, 0, "x.json"))
    assert nothing.level is Level.WARNING and nothing.text.startswith("Nothing exported")
    kept = export_report(ExportResult(ExportFormat.OBSIDIAN, 2, "/v", kept=("a.md",)))
    assert kept.level is Level.WARNING
    assert kept.text == (
        "Exported 2 papers to /v. 1 file(s) not updated because you changed readq's part of "
        "them (between the readq:begin and readq:end lines): a.md"
    )


def test_undo_of_a_mark_restores_the_read_date(library: Library) -> None:
    library.mark([1], Status.READ, "Mark read")
    (read,) = library.states([1])
    assert read.read_at is not None
    library.mark([1], Status.TO_READ, "Mark to read")
    assert library.states([1])[0].read_at is None
    library.undo()
    assert library.states([1]) == [read]
    library.redo()
    assert library.states([1])[0].read_at is None
