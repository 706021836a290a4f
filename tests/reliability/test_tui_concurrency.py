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

from readq.models import ScrapedPaper, Source, Status
from readq.paths import Paths
from readq.store import Store
from readq.tui.app import ReadqApp
from readq.tui.listing import View
from readq.tui.screens.main import MainScreen
from readq.tui.screens.note_editor import NoteEditorScreen
from readq.tui.undo import StateChange

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
        changes = [c for c in app.undo.undo_stack if isinstance(c, StateChange)]
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
    app.store.close()
