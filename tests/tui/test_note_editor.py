"""The note editor in the TUI (Pilot): typing, autosave, leaving, switching, history, restore,
conflicts, failed writes and recovery, ``$EDITOR``, and the SIGTERM flush."""

from __future__ import annotations

import sqlite3
import stat
import sys
from contextlib import nullcontext
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from readq.models import ScrapedPaper, Source
from readq.notes import RetryPolicy, read_recovery, recovery_path, write_recovery
from readq.paths import Paths
from readq.store import Store
from readq.tui.app import ReadqApp
from readq.tui.screens.main import MainScreen
from readq.tui.screens.note_editor import NoteEditorScreen, make_text_area
from readq.tui.screens.note_history import NoteHistoryScreen

SRC = Source("a.txt", "/a.txt", "2026-01-01")


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    """A library with three papers, and a config dir, both under tmp."""
    db = tmp_path / "data" / "readq.db"
    db.parent.mkdir(parents=True)
    with Store.open(db) as store:
        store.ingest(
            [ScrapedPaper(f"Paper {n}", f"Abstract of paper {n}. " * 5) for n in (1, 2, 3)],
            SRC,
            "hf",
        )
    return Paths(db=db, config_dir=tmp_path / "config")


def note_of(paths: Paths, paper_id: int) -> str:
    """The stored note, read on a connection of its own."""
    with Store.open(paths.db) as store:
        return store.note_state(paper_id)[0]


async def until(pilot: Pilot[object], check: object, timeout: float = 5.0) -> None:
    """Pause until ``check()`` is true (fails after ``timeout`` seconds)."""
    waited = 0.0
    while not check():  # type: ignore[operator]
        await pilot.pause(0.05)
        waited += 0.05
        assert waited < timeout, "timed out"


async def open_editor(app: ReadqApp, pilot: Pilot[object]) -> int:
    """Wait for the list, press ``n``; returns the paper id being edited."""
    await until(pilot, lambda: isinstance(app.screen, MainScreen))
    main = app.screen
    assert isinstance(main, MainScreen)
    await until(pilot, lambda: main.paper_list.current_id is not None)
    paper_id = main.paper_list.current_id
    assert paper_id is not None
    await pilot.press("n")
    await until(pilot, lambda: isinstance(app.screen, NoteEditorScreen))
    assert isinstance(app.focused, TextArea)
    return paper_id


async def test_typing_autosaves_within_half_a_second(paths: Paths) -> None:
    app = ReadqApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        pid = await open_editor(app, pilot)
        await pilot.press(*"# Hello", "enter", *"world")
        await pilot.pause(0.6)
        assert note_of(paths, pid) == "# Hello\nworld"
        # Still editing: one revision for the session so far.
        with Store.open(paths.db) as store:
            assert len(store.note_revisions(pid)) == 1


async def test_escape_saves_at_once_and_the_detail_pane_renders_the_note(paths: Paths) -> None:
    app = ReadqApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        pid = await open_editor(app, pilot)
        await pilot.press(*"**bold** note")
        await pilot.press("escape")  # no pause: leaving writes it
        assert note_of(paths, pid) == "**bold** note"
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        main = app.screen
        assert isinstance(main, MainScreen)
        await until(pilot, lambda: main.detail.note_text == "**bold** note")
        shown = main.detail.plain_text()
        assert "bold note" in shown and "**" not in shown  # rendered as Markdown


async def test_quitting_while_typing_keeps_the_text(paths: Paths) -> None:
    app = ReadqApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        pid = await open_editor(app, pilot)
        await pilot.press(*"last words")
        app.exit()
    assert note_of(paths, pid) == "last words"


async def test_switching_paper_saves_the_previous_note(paths: Paths) -> None:
    app = ReadqApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        first = await open_editor(app, pilot)
        await pilot.press(*"about the first")
        await pilot.press("ctrl+down")
        screen = app.screen
        assert isinstance(screen, NoteEditorScreen)
        await until(pilot, lambda: screen.paper_id != first)
        second = screen.paper_id
        assert note_of(paths, first) == "about the first"
        assert screen.editor.text == ""
        await pilot.press(*"about the second")
        await pilot.press("ctrl+up")
        await until(pilot, lambda: screen.paper_id == first)
        assert screen.editor.text == "about the first"
        assert note_of(paths, second) == "about the second"


async def test_history_shows_revisions_and_restores_one(paths: Paths) -> None:
    with Store.open(paths.db) as store:
        pid = store.list_papers()[0].id
        store.save_note(pid, "version one", kind="external")
        store.save_note(pid, "version two", kind="external")
    app = ReadqApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await open_editor(app, pilot) == pid
        await pilot.press(*" and more")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, NoteHistoryScreen))
        history = app.screen
        assert isinstance(history, NoteHistoryScreen)
        # The draft was written before the history was shown.
        assert [r.text for r in history.revisions] == [
            "version two and more",
            "version two",
            "version one",
        ]
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: isinstance(app.screen, NoteEditorScreen))
        editor = app.screen
        assert isinstance(editor, NoteEditorScreen)
        await until(pilot, lambda: editor.editor.text == "version one")
        with Store.open(paths.db) as store:
            revisions = store.note_revisions(pid)
        assert revisions[0].kind == "restore" and revisions[0].text == "version one"
        # Typing after a restore continues from the restored text, without a conflict.
        await pilot.press(*", again")
        await pilot.pause(0.6)
        assert note_of(paths, pid) == "version one, again"
        with Store.open(paths.db) as store:
            assert not [r for r in store.note_revisions(pid) if r.kind == "conflict"]


async def test_a_save_from_another_connection_mid_edit_is_kept_as_a_conflict(
    paths: Paths,
) -> None:
    app = ReadqApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        pid = await open_editor(app, pilot)
        await pilot.press(*"mine")
        await pilot.pause(0.6)
        with Store.open(paths.db) as other:
            _, rev = other.note_state(pid)
            other.save_note(pid, "theirs", base_revision=rev, kind="external")
        await pilot.press(*" and more")
        await pilot.pause(0.6)
        with Store.open(paths.db) as store:
            revisions = store.note_revisions(pid)
            current = store.note_state(pid)[0]
        assert current == "mine and more"
        assert any(r.kind == "conflict" and r.text == "theirs" for r in revisions)
        messages = [n.message for n in app._notifications]
        assert any("changed elsewhere" in m for m in messages)
        # Continue from the new revision: further typing makes no new conflict.
        await pilot.press(*"!")
        await pilot.pause(0.6)
        with Store.open(paths.db) as store:
            assert len([r for r in store.note_revisions(pid) if r.kind == "conflict"]) == 1
            assert store.note_state(pid)[0] == "mine and more!"


async def test_a_failed_write_keeps_the_draft_writes_a_recovery_file_and_retries(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = ReadqApp(paths)
    app.notes.retry = RetryPolicy(initial=0.3, factor=2.0, maximum=1.0)
    real_save = app.library.store.save_note
    failing = True

    def flaky_save(*args: object, **kwargs: object) -> object:
        if failing:  # a real failure (a lock held by another writer is a calm wait)
            raise sqlite3.OperationalError("disk I/O error")
        return real_save(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app.library.store, "save_note", flaky_save)
    async with app.run_test(size=(120, 40)) as pilot:
        pid = await open_editor(app, pilot)
        await pilot.press(*"do not lose me")
        await pilot.pause(0.6)
        assert note_of(paths, pid) == ""
        assert recovery_path(paths.data_dir, pid).read_text(encoding="utf-8") == "do not lose me"
        assert any("Note not saved" in n.message for n in app._notifications)
        # Leaving the editor does not throw the draft away.
        await pilot.press("escape")
        assert app.notes.unsaved
        failing = False
        await until(pilot, lambda: note_of(paths, pid) == "do not lose me")
        assert read_recovery(paths.data_dir, pid) is None
        assert not app.notes.unsaved


async def test_a_recovery_file_is_offered_back_on_open(paths: Paths) -> None:
    with Store.open(paths.db) as store:
        pid = store.list_papers()[0].id
        store.save_note(pid, "stored")
    write_recovery(paths.data_dir, pid, "unsaved from last time")
    app = ReadqApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await open_editor(app, pilot) == pid
        screen = app.screen
        assert isinstance(screen, NoteEditorScreen)
        assert screen.editor.text == "unsaved from last time"
        assert any("Recovered a draft" in n.message for n in app._notifications)
        await pilot.pause(0.6)
        assert note_of(paths, pid) == "unsaved from last time"
    with Store.open(paths.db) as store:
        assert [r.text for r in store.note_revisions(pid)] == ["unsaved from last time", "stored"]
    assert read_recovery(paths.data_dir, pid) is None


async def test_every_change_is_in_the_draft_file_before_the_database_save(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 item 21: each keystroke is on disk (drafts/<id>.md) at once, long before the
    debounced save; a text back to the saved one, or a save, removes the file."""
    import readq.tui.drafts as drafts_module

    app = ReadqApp(paths)
    saves: list[str] = []
    real_save = app.library.store.save_note

    def counting_save(paper_id: int, text: str, **kwargs: object) -> object:
        saves.append(text)
        return real_save(paper_id, text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app.library.store, "save_note", counting_save)
    monkeypatch.setattr(drafts_module.NoteKeeper, "_schedule", lambda self: None)  # no save
    async with app.run_test(size=(120, 40)) as pilot:
        pid = await open_editor(app, pilot)
        for typed in ("k", "ke", "kep", "kept"):
            await pilot.press(typed[-1])
            await pilot.pause()
            assert recovery_path(paths.data_dir, pid).read_text(encoding="utf-8") == typed
        assert saves == [] and note_of(paths, pid) == ""
        await pilot.press(*["backspace"] * 4)  # back to the stored (empty) note
        await pilot.pause()
        assert read_recovery(paths.data_dir, pid) is None
        await pilot.press(*"saved")
        await pilot.pause()
        assert read_recovery(paths.data_dir, pid) is not None
        await pilot.press("escape")  # the save removes the draft file
        assert note_of(paths, pid) == "saved"
        assert read_recovery(paths.data_dir, pid) is None


def editor_script(tmp_path: Path) -> str:
    """A fake $EDITOR: appends a line to the file it is given (which ends with a newline)."""
    script = tmp_path / "fake-editor.py"
    script.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "text = open(path, encoding='utf-8').read()\n"
        "open(path, 'w', encoding='utf-8').write(text + 'from the editor')\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return f"{sys.executable} {script}"


async def test_ctrl_o_edits_the_note_in_the_external_editor(
    paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", editor_script(tmp_path))
    app = ReadqApp(paths)
    monkeypatch.setattr(app, "suspend", nullcontext)
    async with app.run_test(size=(120, 40)) as pilot:
        pid = await open_editor(app, pilot)
        await pilot.press(*"typed")
        await pilot.press("ctrl+o")
        screen = app.screen
        assert isinstance(screen, NoteEditorScreen)
        await until(pilot, lambda: screen.editor.text == "typed\nfrom the editor")
        assert note_of(paths, pid) == "typed\nfrom the editor"


async def test_e_on_the_list_edits_the_note_in_the_external_editor(
    paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", editor_script(tmp_path))
    monkeypatch.delenv("EDITOR", raising=False)
    app = ReadqApp(paths)
    monkeypatch.setattr(app, "suspend", nullcontext)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        main = app.screen
        assert isinstance(main, MainScreen)
        await until(pilot, lambda: main.paper_list.current_id is not None)
        pid = main.paper_list.current_id
        assert pid is not None
        await pilot.press("e")
        await until(pilot, lambda: note_of(paths, pid) == "from the editor")


async def test_a_failing_external_editor_changes_nothing(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "false")
    app = ReadqApp(paths)
    monkeypatch.setattr(app, "suspend", nullcontext)
    async with app.run_test(size=(120, 40)) as pilot:
        pid = await open_editor(app, pilot)
        await pilot.press(*"kept")
        await pilot.press("ctrl+o")
        await pilot.pause(0.2)
        assert any("exited with status" in n.message for n in app._notifications)
        screen = app.screen
        assert isinstance(screen, NoteEditorScreen)
        assert screen.editor.text == "kept"
        assert note_of(paths, pid) == "kept"


async def test_sigterm_handler_flushes_and_exits_143(paths: Paths) -> None:
    app = ReadqApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        pid = await open_editor(app, pilot)
        await pilot.press(*"before the signal")
        app.notes.handle_signal(15)
        assert note_of(paths, pid) == "before the signal"
    assert app.return_code == 143


async def test_note_text_is_never_parsed_as_markup(paths: Paths) -> None:
    hostile = "[@click=app.quit]x[/] [/usr/bin] [link=file:///etc]"
    with Store.open(paths.db) as store:
        pid = store.list_papers()[0].id
        store.save_note(pid, hostile)
    app = ReadqApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await open_editor(app, pilot) == pid
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, NoteHistoryScreen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, NoteEditorScreen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.is_running


def test_text_area_falls_back_to_plain_text_without_a_markdown_grammar() -> None:
    area = make_text_area("# title")
    assert area.text == "# title"
    assert area.language in (None, "markdown")


async def test_a_long_lock_held_by_another_writer_never_freezes_typing(paths: Paths) -> None:
    import time

    app = ReadqApp(paths)
    app.notes.retry = RetryPolicy(initial=0.3, factor=2.0, maximum=0.6)
    blocker = sqlite3.connect(paths.db, isolation_level=None)
    async with app.run_test(size=(120, 40)) as pilot:
        pid = await open_editor(app, pilot)
        blocker.execute("BEGIN IMMEDIATE")  # like a long ingest in another terminal
        started = time.monotonic()
        await pilot.press(*"typed while locked")
        await pilot.pause(0.6)
        await pilot.press(*"!")
        assert time.monotonic() - started < 3.0  # not the 15 s busy timeout
        screen = app.screen
        assert isinstance(screen, NoteEditorScreen)
        assert screen.editor.text == "typed while locked!"
        # Said once, as a wait (not an error), however many retries met the lock.
        waiting = [n for n in app._notifications if n.title == "Note waiting"]
        assert len(waiting) == 1 and waiting[0].severity == "warning", waiting
        assert "Another readq is writing" in waiting[0].message
        assert not [n for n in app._notifications if n.severity == "error"]
        assert read_recovery(paths.data_dir, pid) is not None
        blocker.execute("ROLLBACK")
        await until(pilot, lambda: note_of(paths, pid) == "typed while locked!")
        await until(pilot, lambda: any(n.title == "Note saved" for n in app._notifications))
    blocker.close()


async def test_a_signal_while_the_library_is_locked_leaves_the_draft_in_its_recovery_file(
    paths: Paths,
) -> None:
    blocker = sqlite3.connect(paths.db, isolation_level=None)
    app = ReadqApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        pid = await open_editor(app, pilot)
        blocker.execute("BEGIN IMMEDIATE")
        await pilot.press(*"locked at the end")
        app.notes.handle_signal(1)
    blocker.execute("ROLLBACK")
    blocker.close()
    assert app.return_code == 129
    found = read_recovery(paths.data_dir, pid)
    assert found is not None and found.text == "locked at the end"
