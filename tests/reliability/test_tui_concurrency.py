"""Cases 5 (first half) and 6: the TUI writing while another process writes the library.

Case 5: a real ``readq ingest`` subprocess runs while a Pilot-run TUI marks papers and autosaves
a note in a loop. Case 6: two TUIs (two ``ReadqApp`` instances in one test, each with its own
connection, as two processes would have) on one library.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

from relutil import READQ, REPO, child_env, integrity, query, write_listing
from textual.pilot import Pilot

from readq.library.undo import StateChange
from readq.models import ScrapedPaper, Source, Status
from readq.paths import Paths
from readq.search.selection import View
from readq.store import Store
from readq.tui.app import ReadqApp
from readq.tui.screens.main import MainScreen
from readq.tui.screens.note_editor import NoteEditorScreen

POLL = 0.5
"""The apps' ``PRAGMA data_version`` poll interval in these tests (the real one is 1 s)."""


def _library(tmp_path: Path, count: int) -> Paths:
    """A library of ``count`` fictional papers at ``tmp_path/data/readq.db``."""
    paths = Paths(db=tmp_path / "data" / "readq.db", config_dir=tmp_path / "config")
    paths.db.parent.mkdir(parents=True, exist_ok=True)
    papers = [
        ScrapedPaper(f"Concurrency paper {i:03d}", f"A made-up abstract about topic {i}. " * 3)
        for i in range(count)
    ]
    with Store.open(paths.db) as store:
        store.ingest(papers, Source("seed.txt", "/seed.txt", "2026-01-01"), "hf")
    return paths


def _app(paths: Paths, config: str) -> ReadqApp:
    """An app on its own connection (and own settings file), recording URLs."""
    own = Paths(db=paths.db, config_dir=paths.config_dir.parent / config)
    return ReadqApp(own, url_opener=lambda _url: True, poll_seconds=POLL)


def _main(app: ReadqApp) -> MainScreen:
    screen = app.main_screen
    assert isinstance(screen, MainScreen)
    return screen


async def _settle(pilot: Pilot[int], app: ReadqApp) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def _count(db: Path) -> int:
    """How many papers the library holds (a connection of its own)."""
    value = query(db, "SELECT count(*) FROM papers")[0][0]
    assert isinstance(value, int)
    return value


def _messages(app: ReadqApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


# ---------------------------------------------------------------------------- case 5


async def test_case05_readq_ingest_while_the_tui_marks_and_autosaves(tmp_path: Path) -> None:
    paths = _library(tmp_path, 120)
    files = 8
    listings = [write_listing(tmp_path / f"in{k}.txt", f"batch{k}", 3000) for k in range(files)]
    app = _app(paths, "cfg")
    notes: dict[int, str] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot, app)
        screen = _main(app)
        await pilot.press("5")  # the All view: marked papers stay listed
        await _settle(pilot, app)
        ingest = subprocess.Popen(
            [*READQ, "--db", str(paths.db), "ingest", *map(str, listings)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
            cwd=str(REPO),
        )
        while _count(paths.db) == 120:  # start once the ingest has committed its first file
            assert ingest.poll() is None, ingest.communicate()
            await asyncio.sleep(0.01)
        rounds = overlapping = presses = 0
        longest = 0.0
        # The TUI writes in a loop while the ingest runs (and one round after it ended).
        while ingest.poll() is None or rounds < 2:
            for _ in range(4):
                mid_ingest = ingest.poll() is None and _count(paths.db) != 120
                started = time.monotonic()
                await pilot.press("r")
                longest = max(longest, time.monotonic() - started)
                overlapping += mid_ingest
                presses += 1
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, NoteEditorScreen)
            await pilot.press(*f"round {rounds};")
            notes[app.screen.paper_id] = app.screen.editor.text
            await pilot.pause(0.4)  # past the 300 ms autosave
            await pilot.press("escape")
            await pilot.pause()
            rounds += 1
            assert rounds < 200
        out, err = ingest.communicate(timeout=60)
        ended = time.monotonic()
        assert ingest.returncode == 0, err
        # The TUI shows the ingested papers within a couple of seconds (data_version poll).
        total = 120 + files * 3000
        while screen.counts[View.ALL] != total or len(screen.paper_list.ids) != total:
            assert time.monotonic() - ended < 3.0, (screen.counts[View.ALL], total)
            await asyncio.sleep(0.05)
        shown_after = time.monotonic() - ended
        messages = _messages(app)
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        changes = [c for c in app.undo.undo_stack if isinstance(c, StateChange)]
    # An autosave that meets the ingest's lock (under load) waits and says so as a warning;
    # nothing the ingest or the TUI reports is an error.
    assert not errors, errors
    combined = out + err + "\n".join(messages)
    assert "locked" not in combined.lower(), combined
    assert "not saved" not in combined.lower(), combined
    # At least one mark was made after the ingest's first commit, before it ended. (Measured:
    # such a mark waits for the rest of the ingest, see README: `longest` was ~4 s.)
    assert overlapping >= 1, (rounds, overlapping, longest)
    assert shown_after < 2.5
    assert query(paths.db, "SELECT count(*) FROM papers") == [(total,)]
    for k in range(files):  # every paper of every listing is there
        rows = query(
            paths.db, "SELECT count(*) FROM papers WHERE abstract LIKE ?", (f"%batch{k}%",)
        )
        assert rows == [(3000,)]
    statuses = dict(query(paths.db, "SELECT id, status FROM papers"))
    assert len(changes) == presses  # every r press made (and committed) its mark
    marked = {i for change in changes for i in change.ids}
    assert marked and all(statuses[i] == Status.READ.value for i in marked), marked
    stored = dict(query(paths.db, "SELECT id, note FROM papers WHERE note != ''"))
    assert stored == notes
    assert integrity(paths.db) == "ok"
    app.library.store.close()


# ---------------------------------------------------------------------------- case 6


async def _wait(pilot: Pilot[int], app: ReadqApp, check: object, timeout: float = 2.5) -> float:
    """Wait until ``check()`` is true (while both apps run); how long it took."""
    assert callable(check)
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, "not seen in time"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


def _row(app: ReadqApp, index: int) -> str:
    """The rendered text of list row ``index`` (the list starts at the top)."""
    return _main(app).paper_list.render_line(index).text


async def test_case06_two_tuis_see_each_other_and_keep_both_notes(tmp_path: Path) -> None:
    paths = _library(tmp_path, 20)
    app_a = _app(paths, "cfg-a")
    app_b = _app(paths, "cfg-b")
    async with (
        app_a.run_test(size=(120, 40)) as pilot_a,
        app_b.run_test(size=(120, 40)) as pilot_b,
    ):
        for pilot, app in ((pilot_a, app_a), (pilot_b, app_b)):
            await _settle(pilot, app)
            await pilot.press("5")  # All view: marked papers stay listed
            await _settle(pilot, app)
        main_a, main_b = _main(app_a), _main(app_b)
        paper = main_a.paper_list.current_id
        assert paper is not None and main_b.paper_list.current_id == paper
        assert "✓" not in _row(app_b, 0)

        # A marks the top paper read: B's list row and detail pane show it.
        await pilot_a.press("r")
        seen_b = await _wait(
            pilot_b,
            app_b,
            lambda: (
                "✓" in _row(app_b, 0)
                and main_b.detail.paper is not None
                and main_b.detail.paper.status is Status.READ
            ),
        )
        # B stars it: A shows the star.
        await pilot_b.press("s")
        seen_a = await _wait(pilot_a, app_a, lambda: "★" in _row(app_a, 0))

        # The same note edited in both.
        await pilot_a.press("k")  # A moved on after marking: back to the paper
        await _settle(pilot_a, app_a)
        assert main_a.paper_list.current_id == paper
        await pilot_a.press("n")
        await pilot_b.press("n")
        await pilot_a.pause()
        await pilot_b.pause()
        editor_a, editor_b = app_a.screen, app_b.screen
        assert isinstance(editor_a, NoteEditorScreen) and editor_a.paper_id == paper
        assert isinstance(editor_b, NoteEditorScreen) and editor_b.paper_id == paper
        await pilot_a.press(*"text from A")
        await pilot_a.pause(0.5)  # A's autosave is in
        await pilot_b.press(*"text from B")
        await pilot_b.pause(0.5)  # B's autosave meets A's revision: a conflict
        await pilot_a.press(*", more")
        await pilot_a.pause(0.5)  # A's next autosave meets B's revision
        await pilot_a.press("escape")
        await pilot_b.press("escape")
        await pilot_a.pause()
        await pilot_b.pause()
        messages_a, messages_b = _messages(app_a), _messages(app_b)
        assert app_a.is_running and app_b.is_running
    with Store.open(paths.db, migrate=False) as store:
        revisions = store.note_revisions(paper)
        current = store.note_state(paper)[0]
        state = store.states([paper])[0]
    texts = {r.text for r in revisions}
    assert {"text from A", "text from B", "text from A, more"} <= texts, revisions
    assert any(r.kind == "conflict" for r in revisions), revisions
    assert current == "text from A, more"
    assert state.status is Status.READ and state.starred
    assert any("changed elsewhere" in m for m in messages_b), messages_b
    assert any("changed elsewhere" in m for m in messages_a), messages_a
    assert seen_b < 2.0 and seen_a < 2.0
    app_a.library.store.close()
    app_b.library.store.close()
