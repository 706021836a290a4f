"""Helpers for the reliability suite's TUI cases: a library with known papers, a TUI on a pty."""

from __future__ import annotations

import time
from pathlib import Path

from support.ptyutil import READQ, PtyProcess, tui_env

from readq.models import ScrapedPaper, Source
from readq.store import Store

TITLE = "Pseudo-terminal reliability paper"


def make_library(db: Path, extra: list[ScrapedPaper] | None = None) -> int:
    """A library at ``db`` whose newest paper is :data:`TITLE` (the top row: it is ingested
    after ``extra``, which follows in page order with the lower ids); that paper's id."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(db) as store:
        if extra:
            store.ingest(extra, Source("e.txt", "/e.txt", "2026-01-01"), "hf")
        paper = ScrapedPaper(TITLE, "An abstract about terminals. " * 4)
        result = store.ingest([paper], Source("t.txt", "/t.txt", "2026-01-01"), "hf")
    return result.new_ids[-1]


def start_tui(db: Path, **kwargs: object) -> PtyProcess:
    """``readq --db DB`` on a 120x40 pty."""
    env = tui_env({"READQ_DB": str(db)})
    return PtyProcess([*READQ, "--db", str(db)], env=env, **kwargs)  # type: ignore[arg-type]


def open_note(app: PtyProcess) -> int:
    """Wait for the list, press ``n`` and wait for the note editor; an output offset."""
    assert app.wait_for(TITLE, 30), app.output[-2000:]
    mark = len(app.output)
    app.send("n")
    assert app.wait_for("autosaved", 15, start=mark), app.output[-2000:]
    return len(app.output)


def stored_note(db: Path, paper_id: int) -> str:
    """The note in the library, read on a fresh connection."""
    with Store.open(db, migrate=False) as store:
        return store.note_state(paper_id)[0]


def wait_note(db: Path, paper_id: int, text: str, timeout: float = 10.0) -> bool:
    """Wait until the library holds ``text`` as the note of ``paper_id``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stored_note(db, paper_id) == text:
            return True
        time.sleep(0.05)
    return False


ALT_ON = b"\x1b[?1049h"
ALT_OFF = b"\x1b[?1049l"


def terminal_restored(output: bytes) -> bool:
    """Whether the app left the alternate screen after it last entered it."""
    return output.rfind(ALT_OFF) > output.rfind(ALT_ON) >= 0
