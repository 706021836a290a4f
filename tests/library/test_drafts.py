"""The note-draft policy (``readq.library.drafts``) driven by hand: edits, a fake clock, ticks.

No Textual here: what the TUI's timer and toasts do with these outcomes is tested through
Pilot in ``tests/tui/test_note_editor.py`` and end to end in ``tests/reliability/``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from readq.library import Level, Library
from readq.library.drafts import AUTOSAVE_BUSY_MS, CLOSE_BUSY_MS, Drafts, notice_for
from readq.models import ScrapedPaper, Source
from readq.notes import AUTOSAVE_DELAY, RetryPolicy, SaveOutcome, SaveStatus, recovery_path
from readq.notes import write_recovery as write_recovery_file
from readq.store import Store

SRC = Source("a.txt", "/a.txt", "2026-01-01")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ids(store: Store) -> list[int]:
    """Two fictional papers."""
    papers = [ScrapedPaper("Lantern Kettles", "On kettles. " * 4), ScrapedPaper("Wombat Maps", "")]
    return store.ingest(papers, SRC, "hf").new_ids


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def saved_sessions() -> list[tuple[int, str]]:
    return []


@pytest.fixture
def drafts(
    store: Store, tmp_path: Path, clock: Clock, saved_sessions: list[tuple[int, str]]
) -> Drafts:
    def record(paper_id: int, before: str) -> None:
        saved_sessions.append((paper_id, before))

    return Drafts(store, tmp_path / "data", on_session_saved=record, clock=clock)


@pytest.fixture
def locked(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's writer holding the library's write lock."""
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


def test_an_edit_is_written_after_a_pause_in_typing_and_not_before(
    drafts: Drafts, store: Store, ids: list[int], clock: Clock, tmp_path: Path
) -> None:
    pid = ids[0]
    assert drafts.next_deadline() is None
    drafts.edit(pid, "first words")
    # The draft file follows every change at once; the library waits for the pause.
    assert recovery_path(tmp_path / "data", pid).read_text(encoding="utf-8") == "first words"
    assert drafts.next_deadline() == pytest.approx(clock.now + AUTOSAVE_DELAY)
    clock.now += AUTOSAVE_DELAY / 2
    assert drafts.tick() == []
    assert store.note_state(pid)[0] == ""
    clock.now += AUTOSAVE_DELAY
    [outcome] = drafts.tick()
    assert outcome.paper_id == pid and outcome.save.status is SaveStatus.SAVED
    assert outcome.stored and outcome.notice is None
    assert store.note_state(pid)[0] == "first words"
    assert not recovery_path(tmp_path / "data", pid).exists()
    assert drafts.next_deadline() is None and not drafts.unsaved


def test_tick_takes_an_explicit_time(drafts: Drafts, ids: list[int], clock: Clock) -> None:
    drafts.edit(ids[0], "words")
    assert drafts.tick(clock.now) == []
    [outcome] = drafts.tick(clock.now + AUTOSAVE_DELAY)
    assert outcome.save.status is SaveStatus.SAVED


def test_opening_another_note_writes_the_open_draft_first(
    drafts: Drafts, store: Store, ids: list[int]
) -> None:
    drafts.edit(ids[0], "unsaved yet")
    opened = drafts.open(ids[1])
    assert [(o.paper_id, o.save.status) for o in opened.flushed] == [(ids[0], SaveStatus.SAVED)]
    assert store.note_state(ids[0])[0] == "unsaved yet"
    assert opened.session.paper_id == ids[1] and opened.notice is None


def test_closing_writes_and_ends_the_session_as_one_undo_step(
    drafts: Drafts,
    store: Store,
    ids: list[int],
    clock: Clock,
    saved_sessions: list[tuple[int, str]],
) -> None:
    pid = ids[0]
    store.save_note(pid, "before", base_revision=None, kind="external")
    drafts.open(pid)
    drafts.edit(pid, "before, then more")
    clock.now += 1
    drafts.tick()  # an autosave mid-session is not an undo step
    assert saved_sessions == []
    drafts.edit(pid, "before, then more, and the end")
    outcome = drafts.close(pid)
    assert outcome.save.status is SaveStatus.SAVED and outcome.stored
    assert store.note_state(pid)[0] == "before, then more, and the end"
    assert saved_sessions == [(pid, "before")]
    assert drafts.sessions == {}


def test_a_session_that_changed_nothing_is_no_undo_step(
    drafts: Drafts, ids: list[int], saved_sessions: list[tuple[int, str]]
) -> None:
    drafts.open(ids[0])
    drafts.edit(ids[0], "typed")
    drafts.edit(ids[0], "")
    assert drafts.close(ids[0]).save.status is SaveStatus.CLEAN
    assert saved_sessions == [] and drafts.sessions == {}


def test_another_writers_lock_fails_the_autosave_fast_says_so_once_then_saves(
    drafts: Drafts,
    store: Store,
    ids: list[int],
    clock: Clock,
    locked: sqlite3.Connection,
    saved_sessions: list[tuple[int, str]],
) -> None:
    pid = ids[0]
    drafts.retry = RetryPolicy(initial=1.0, factor=2.0, maximum=4.0, busy_maximum=2.0)
    drafts.open(pid)
    drafts.edit(pid, "patient words")
    clock.now += 1
    started = time.monotonic()
    [first] = drafts.tick()
    waited = time.monotonic() - started
    # The autosave waits AUTOSAVE_BUSY_MS for the lock, not the store's full busy timeout.
    assert AUTOSAVE_BUSY_MS / 1000 * 0.8 <= waited < 1.5
    assert first.save.status is SaveStatus.FAILED and first.save.busy
    assert first.notice is not None and first.notice.title == "Note waiting"
    assert first.notice.level is Level.WARNING and not first.stored
    assert drafts.unsaved and drafts.next_deadline() == pytest.approx(clock.now + 1.0)
    clock.now += 1.0
    [second] = drafts.tick()
    assert second.save.status is SaveStatus.FAILED and second.notice is None  # said once
    # Closing waits CLOSE_BUSY_MS, then the draft stays open and keeps retrying.
    started = time.monotonic()
    closing = drafts.close(pid)
    assert time.monotonic() - started < CLOSE_BUSY_MS / 1000 + 1.0
    assert closing.save.status is SaveStatus.FAILED and pid in drafts.sessions
    assert saved_sessions == []
    locked.execute("ROLLBACK")  # the other writer is done
    clock.now += 5.0
    [saved] = drafts.tick()
    assert saved.save.status is SaveStatus.SAVED and saved.stored
    assert saved.notice is not None and saved.notice.title == "Note saved"
    assert store.note_state(pid)[0] == "patient words"
    # The closed session ended with that write, as one undo step.
    assert drafts.sessions == {} and saved_sessions == [(pid, "")]


def test_a_note_changed_elsewhere_is_a_conflict_notice(
    drafts: Drafts, store: Store, ids: list[int], clock: Clock, db_path: Path
) -> None:
    pid = ids[0]
    drafts.edit(pid, "mine")
    clock.now += 1
    drafts.tick()
    with Store.open(db_path) as other:
        _, revision = other.note_state(pid)
        other.save_note(pid, "theirs", base_revision=revision, kind="external")
    drafts.edit(pid, "mine, more")
    clock.now += 1
    [outcome] = drafts.tick()
    assert outcome.save.status is SaveStatus.CONFLICT and outcome.stored
    assert outcome.notice is not None and outcome.notice.title == "Note conflict"
    assert outcome.notice.level is Level.WARNING
    assert store.note_state(pid)[0] == "mine, more"


def test_a_draft_left_by_an_earlier_run_is_recovered_with_a_notice(
    drafts: Drafts, store: Store, ids: list[int], clock: Clock, tmp_path: Path
) -> None:
    pid = ids[0]
    write_recovery_file(tmp_path / "data", pid, "typed before a crash")
    opened = drafts.open(pid)
    assert opened.session.text == "typed before a crash"
    assert opened.notice is not None and opened.notice.title == "Unsaved draft recovered"
    assert str(recovery_path(tmp_path / "data", pid)) in opened.notice.text
    assert drafts.next_deadline() is not None  # unsaved: the autosave writes it
    clock.now += 1
    [outcome] = drafts.tick()
    assert outcome.save.status is SaveStatus.SAVED
    assert store.note_state(pid)[0] == "typed before a crash"


def test_shutdown_keeps_a_copy_writes_everything_once_and_stops_autosaves(
    drafts: Drafts, store: Store, ids: list[int], tmp_path: Path
) -> None:
    drafts.edit(ids[0], "one")
    drafts.open(ids[1])  # writes "one"
    drafts.edit(ids[1], "two")
    outcomes = drafts.shutdown(15)
    assert outcomes is not None
    assert [(o.paper_id, o.save.status) for o in outcomes] == [
        (ids[0], SaveStatus.CLEAN),
        (ids[1], SaveStatus.SAVED),
    ]
    assert store.note_state(ids[1])[0] == "two"
    assert drafts.signalled == 15 and drafts.next_deadline() is None
    assert drafts.shutdown(1) is None  # a second signal does nothing more
    assert not drafts.unsaved


def test_shutdown_under_a_lock_leaves_the_draft_in_its_recovery_file(
    drafts: Drafts, store: Store, ids: list[int], tmp_path: Path, locked: sqlite3.Connection
) -> None:
    pid = ids[0]
    drafts.edit(pid, "last words")
    recovery_path(tmp_path / "data", pid).unlink()  # only the shutdown's copy counts here
    outcomes = drafts.shutdown(1)
    assert outcomes is not None and outcomes[0].save.status is SaveStatus.FAILED
    assert recovery_path(tmp_path / "data", pid).read_text(encoding="utf-8") == "last words"


def test_restore_writes_the_draft_first_then_follows_the_revision(
    drafts: Drafts, store: Store, ids: list[int]
) -> None:
    pid = ids[0]
    first = store.save_note(pid, "old text", base_revision=None, kind="external")
    drafts.edit(pid, "being typed")
    outcomes = drafts.restore(pid, first.revision_id)
    assert [o.save.status for o in outcomes] == [SaveStatus.SAVED, SaveStatus.SAVED]
    assert all(o.stored for o in outcomes)
    texts = [r.text for r in store.note_revisions(pid)]
    assert "being typed" in texts  # what was typed is in the history too
    assert store.note_state(pid)[0] == "old text"
    assert drafts.sessions[pid].text == "old text"


def test_restoring_an_unknown_revision_is_an_error_notice(
    drafts: Drafts, store: Store, ids: list[int]
) -> None:
    outcomes = drafts.restore(ids[0], 987654)
    assert outcomes[-1].save.status is SaveStatus.FAILED
    notice = outcomes[-1].notice
    assert notice is not None and notice.level is Level.ERROR
    assert notice.text.startswith("Could not restore the revision:")


def test_replace_writes_an_external_editors_text_now(
    drafts: Drafts, store: Store, ids: list[int]
) -> None:
    outcome = drafts.replace(ids[0], "from $EDITOR")
    assert outcome.save.status is SaveStatus.SAVED
    assert store.note_state(ids[0])[0] == "from $EDITOR"


def test_flush_all_reports_whether_every_draft_is_in(
    drafts: Drafts, ids: list[int], locked: sqlite3.Connection
) -> None:
    drafts.edit(ids[0], "a")
    with drafts.store.busy_timeout(50):
        ok, outcomes = drafts.flush_all()
    assert not ok and outcomes[0].save.status is SaveStatus.FAILED


@pytest.mark.parametrize(
    ("save", "title", "level"),
    [
        (SaveOutcome(SaveStatus.SAVED), None, None),
        (SaveOutcome(SaveStatus.CLEAN), None, None),
        (SaveOutcome(SaveStatus.SAVED, failures=2), "Note saved", Level.OK),
        (SaveOutcome(SaveStatus.CONFLICT, conflict_revision_id=3), "Note conflict", Level.WARNING),
        (SaveOutcome(SaveStatus.FAILED, busy=True, failures=1), "Note waiting", Level.WARNING),
        (SaveOutcome(SaveStatus.FAILED, busy=True, failures=2), None, None),
        (
            SaveOutcome(SaveStatus.FAILED, error="disk full", failures=3),
            "Note not saved",
            Level.ERROR,
        ),
    ],
)
def test_what_each_write_tells_the_user(
    save: SaveOutcome, title: str | None, level: Level | None
) -> None:
    notice = notice_for(save)
    if title is None:
        assert notice is None
    else:
        assert notice is not None and (notice.title, notice.level) == (title, level)
        assert notice.text == save.message


def test_the_library_gives_drafts_whose_sessions_are_undo_steps(
    store: Store, ids: list[int], tmp_path: Path
) -> None:
    library = Library(store)
    drafts = library.drafts(tmp_path / "data")
    drafts.edit(ids[0], "a note")
    drafts.close(ids[0])
    assert store.note_state(ids[0])[0] == "a note"
    outcome = library.undo()
    assert outcome.error is None and outcome.change is not None
    assert outcome.message().startswith("Undid Edited the note")
    assert store.note_state(ids[0])[0] == ""


def test_the_drafts_policy_needs_no_textual() -> None:
    import subprocess
    import sys

    code = "import sys, readq.library.drafts; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
