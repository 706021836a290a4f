"""The note draft logic (readq.notes): debounce, coalescing, conflicts, faults, recovery."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from readq.models import ScrapedPaper, Source
from readq.notes import (
    AUTOSAVE_DELAY,
    NoteSession,
    RetryPolicy,
    SaveStatus,
    read_recovery,
    recovery_path,
    write_recovery,
)
from readq.store import Store, StoreError

SRC = Source("a.txt", "/a.txt", "2026-01-01")


@pytest.fixture
def pid(store: Store) -> int:
    """One paper in the library."""
    result = store.ingest([ScrapedPaper("A paper", "Its abstract. " * 5)], SRC, "hf")
    return result.new_ids[0]


def test_debounce_waits_for_quiet(store: Store, pid: int) -> None:
    session = NoteSession.open(store, pid)
    assert session.next_deadline() is None
    session.edit("h", 10.0)
    session.edit("he", 10.1)
    assert session.next_deadline() == pytest.approx(10.1 + AUTOSAVE_DELAY)
    assert not session.due(10.3)
    assert session.due(10.1 + AUTOSAVE_DELAY)
    outcome = session.flush(store, 10.5)
    assert outcome.status is SaveStatus.SAVED
    assert store.note_state(pid) == ("he", outcome.revision_id)
    assert not session.unsaved
    assert session.flush(store, 10.6).status is SaveStatus.CLEAN


def test_editing_back_to_the_saved_text_is_clean(store: Store, pid: int) -> None:
    session = NoteSession.open(store, pid)
    session.edit("x", 1.0)
    session.edit("", 1.1)
    assert not session.unsaved
    assert session.next_deadline() is None


def test_autosaves_coalesce_within_a_minute_then_start_a_new_revision(
    store: Store, pid: int
) -> None:
    session = NoteSession.open(store, pid)
    session.edit("one", 0.0)
    first = session.flush(store, 1.0).revision_id
    session.edit("one two", 2.0)
    assert session.flush(store, 3.0).revision_id == first
    assert [r.text for r in store.note_revisions(pid)] == ["one two"]
    # More than COALESCE_SECONDS after the revision was started: a new one.
    session.edit("one two three", 70.0)
    second = session.flush(store, 71.0).revision_id
    assert second != first
    assert [r.text for r in store.note_revisions(pid)] == ["one two three", "one two"]


def test_a_new_session_never_overwrites_an_earlier_revision_in_place(
    store: Store, pid: int
) -> None:
    store.save_note(pid, "from the shell", base_revision=None)
    session = NoteSession.open(store, pid)
    session.edit("from the shell, then the TUI", 0.0)
    session.flush(store, 1.0)
    texts = [r.text for r in store.note_revisions(pid)]
    assert texts == ["from the shell, then the TUI", "from the shell"]


def test_conflict_keeps_both_texts_and_continues_from_the_new_revision(
    store: Store, pid: int, db_path: Path
) -> None:
    session = NoteSession.open(store, pid)
    session.edit("mine", 0.0)
    session.flush(store, 1.0)
    with Store.open(db_path) as other:
        _, rev = other.note_state(pid)
        other.save_note(pid, "theirs", base_revision=rev, kind="external")
    session.edit("mine, more", 2.0)
    outcome = session.flush(store, 3.0)
    assert outcome.status is SaveStatus.CONFLICT
    assert outcome.message is not None and "changed elsewhere" in outcome.message
    revisions = store.note_revisions(pid)
    kinds = {r.text: r.kind for r in revisions}
    assert kinds["theirs"] in {"conflict", "external"}
    assert any(r.kind == "conflict" and r.text == "theirs" for r in revisions)
    assert store.note_state(pid) == ("mine, more", outcome.revision_id)
    # Continue from the new revision: no second conflict.
    session.edit("mine, more, again", 4.0)
    assert session.flush(store, 5.0).status is SaveStatus.SAVED
    assert store.note_state(pid)[0] == "mine, more, again"


class FlakyStore:
    """Wraps a Store; ``save_note`` raises ``error`` while ``failing`` is set."""

    def __init__(self, store: Store, error: BaseException) -> None:
        self.store = store
        self.error = error
        self.failing = True
        self.calls = 0

    def save_note(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        if self.failing:
            raise self.error
        return self.store.save_note(*args, **kwargs)  # type: ignore[arg-type]

    def note_state(self, paper_id: int) -> tuple[str, int | None]:
        return self.store.note_state(paper_id)


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database is locked"),
        sqlite3.OperationalError("database or disk is full"),
        OSError(28, "No space left on device"),
        StoreError("this connection is read-only"),
    ],
)
def test_failed_write_keeps_the_draft_writes_a_recovery_file_and_retries(
    store: Store, pid: int, tmp_path: Path, error: BaseException
) -> None:
    data_dir = tmp_path / "data"
    flaky = FlakyStore(store, error)
    retry = RetryPolicy(2.0, 2.0, 5.0, busy_maximum=5.0)
    session = NoteSession.open(store, pid, data_dir=data_dir, retry=retry)
    session.edit("precious words", 0.0)
    outcome = session.flush(flaky, 0.3)  # type: ignore[arg-type]
    assert outcome.status is SaveStatus.FAILED
    assert outcome.retry_in == 2.0
    assert outcome.message is not None and "precious words" not in outcome.message
    assert session.unsaved and session.text == "precious words"
    assert recovery_path(data_dir, pid).read_text(encoding="utf-8") == "precious words"
    # Not retried before its time; backoff grows and is capped.
    assert not session.due(1.0)
    assert session.next_deadline() == pytest.approx(2.3)
    assert session.flush(flaky, 1.0).status is SaveStatus.FAILED  # type: ignore[arg-type]
    assert flaky.calls == 1
    assert session.flush(flaky, 2.3).retry_in == 4.0  # type: ignore[arg-type]
    assert session.flush(flaky, 6.3).retry_in == 5.0  # type: ignore[arg-type]
    # Typing during failures updates the draft and the copy on the next attempt.
    session.edit("precious words, more", 7.0)
    session.flush(flaky, 11.3)  # type: ignore[arg-type]
    assert recovery_path(data_dir, pid).read_text(encoding="utf-8") == "precious words, more"
    flaky.failing = False
    outcome = session.flush(flaky, 16.3)  # type: ignore[arg-type]
    assert outcome.status is SaveStatus.SAVED
    assert store.note_state(pid)[0] == "precious words, more"
    assert not recovery_path(data_dir, pid).exists()
    assert session.retry_at is None and session.failures == 0


def test_a_write_that_only_met_another_writers_lock_waits_calmly_and_not_long(
    store: Store, pid: int, tmp_path: Path
) -> None:
    """An ingest in another terminal holds the lock: nothing is wrong, so the message says
    who holds it (not "not saved: database is locked"), retries stay short, and the save that
    finally lands says so."""
    data_dir = tmp_path / "data"
    flaky = FlakyStore(store, sqlite3.OperationalError("database is locked"))
    session = NoteSession.open(
        store, pid, data_dir=data_dir, retry=RetryPolicy(2.0, 2.0, 30.0, busy_maximum=3.0)
    )
    session.edit("patient words", 0.0)
    first = session.flush(flaky, 0.3)  # type: ignore[arg-type]
    assert first.status is SaveStatus.FAILED and first.busy and first.failures == 1
    assert first.message is not None
    assert "Another readq is writing" in first.message and "locked" not in first.message
    assert str(recovery_path(data_dir, pid)) in first.message
    assert first.retry_in == 2.0
    second = session.flush(flaky, 2.3)  # type: ignore[arg-type]
    assert second.busy and second.failures == 2 and second.retry_in == 3.0  # capped at 3 s
    assert session.flush(flaky, 5.3).retry_in == 3.0  # type: ignore[arg-type]
    flaky.failing = False
    saved = session.flush(flaky, 8.3)  # type: ignore[arg-type]
    assert saved.status is SaveStatus.SAVED and saved.failures == 3
    assert saved.message == "Note saved."
    assert store.note_state(pid)[0] == "patient words"
    # A save that never failed says nothing.
    session.edit("patient words, again", 9.0)
    assert session.flush(store, 10.0).message is None


def test_force_flush_ignores_the_retry_wait(store: Store, pid: int) -> None:
    flaky = FlakyStore(store, sqlite3.OperationalError("database is locked"))
    session = NoteSession.open(store, pid)
    session.edit("x", 0.0)
    session.flush(flaky, 1.0)  # type: ignore[arg-type]
    flaky.failing = False
    assert session.flush(flaky, 1.1, force=True).status is SaveStatus.SAVED  # type: ignore[arg-type]
    assert store.note_state(pid)[0] == "x"


def test_a_recovery_file_is_offered_back_and_removed_once_saved(
    store: Store, pid: int, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    store.save_note(pid, "stored text")
    write_recovery(data_dir, pid, "unsaved draft")
    session = NoteSession.open(store, pid, data_dir=data_dir)
    assert session.recovered is not None
    assert session.recovered.text == "unsaved draft"
    assert session.text == "unsaved draft"
    assert session.unsaved
    assert session.flush(store, 1.0).status is SaveStatus.SAVED
    assert store.note_state(pid)[0] == "unsaved draft"
    assert [r.text for r in store.note_revisions(pid)] == ["unsaved draft", "stored text"]
    assert read_recovery(data_dir, pid) is None


def test_a_recovery_file_matching_the_library_is_dropped(
    store: Store, pid: int, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    store.save_note(pid, "same")
    write_recovery(data_dir, pid, "same")
    session = NoteSession.open(store, pid, data_dir=data_dir)
    assert session.recovered is None and not session.unsaved
    assert read_recovery(data_dir, pid) is None


def test_a_recovery_path_that_is_not_a_file_is_ignored(
    store: Store, pid: int, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    recovery_path(data_dir, pid).mkdir(parents=True)
    session = NoteSession.open(store, pid, data_dir=data_dir)
    assert session.recovered is None


def test_a_real_read_only_library_fails_without_losing_the_draft(
    db_path: Path, store: Store, pid: int, tmp_path: Path
) -> None:
    reader = store.open_reader()
    try:
        session = NoteSession.open(reader, pid, data_dir=tmp_path / "data")
        session.edit("kept", 0.0)
        outcome = session.flush(reader, 1.0)
    finally:
        reader.close()
    assert outcome.status is SaveStatus.FAILED
    assert read_recovery(tmp_path / "data", pid) is not None


def test_reload_takes_the_library_text(store: Store, pid: int) -> None:
    session = NoteSession.open(store, pid)
    result = store.save_note(pid, "restored", kind="restore")
    session.reload(store)
    assert (session.text, session.base_revision) == ("restored", result.revision_id)
    assert not session.unsaved


def test_retry_policy() -> None:
    policy = RetryPolicy(initial=2.0, factor=2.0, maximum=30.0)
    assert [policy.delay(n) for n in range(0, 7)] == [0.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_core_notes_module_does_not_import_textual() -> None:
    code = "import sys, readq.notes; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_hour_of_retries_neither_overflows_nor_skips_the_copy(
    store: Store, pid: int, tmp_path: Path
) -> None:
    """A lock held for an hour means ~1,200 busy retries: the backoff stays capped (2 ** 1024
    used to overflow) and every attempt writes the recovery copy first."""
    assert RetryPolicy().delay(5000) == 30.0
    assert RetryPolicy().delay(5000, busy=True) == 3.0
    data_dir = tmp_path / "data"
    flaky = FlakyStore(store, sqlite3.OperationalError("database is locked"))
    session = NoteSession.open(store, pid, data_dir=data_dir)
    session.failures = 1500
    session.edit("still here after an hour", 0.0)
    outcome = session.flush(flaky, 1.0)  # type: ignore[arg-type]
    assert outcome.status is SaveStatus.FAILED and outcome.retry_in == 3.0
    assert recovery_path(data_dir, pid).read_text(encoding="utf-8") == "still here after an hour"
