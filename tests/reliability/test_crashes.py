"""Cases 1-4: crashes and signals (kill -9 of writers and of the TUI, SIGTERM/SIGHUP, an
unexpected exception inside the TUI)."""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
import writer_child
from relutil import integrity, query, write_listing
from support.ptyutil import PtyProcess, tui_env
from tuiutil import make_library, open_note, start_tui, stored_note, terminal_restored

from readq.store import Store


class _Writer:
    """A forked writer child (see ``writer_child``) whose ack lines a reader thread collects.

    Forked from the test process (readq already imported), so a child is writing within
    milliseconds; it opens its own connection.
    """

    def __init__(self, db: Path, mode: str, seed: int, workdir: Path) -> None:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            try:
                os.close(read_fd)
                os.dup2(write_fd, 1)
                sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
                writer_child.main([str(db), mode, str(seed), str(workdir)])
            finally:
                os._exit(0)
        os.close(write_fd)
        self.pid = pid
        self.stream = os.fdopen(read_fd, "r")
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.stream:
            if line.strip() == "ready":
                self.ready.set()
            else:
                self.lines.append(line.rstrip("\n"))
        self.ready.set()

    def kill(self) -> list[str]:
        """kill -9 the child; every ack it printed (all were printed after a commit)."""
        os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        self.thread.join(timeout=10)
        self.stream.close()
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status
        return self.lines


@pytest.mark.slow
def test_case01_kill9_during_ingest_and_note_saves(tmp_path: Path) -> None:
    db = tmp_path / "lib" / "readq.db"
    db.parent.mkdir()
    with Store.open(db) as store:
        from readq.ingest import ingest_paths

        ingest_paths(store, [str(write_listing(tmp_path / "base.txt", "base", 10))])
    rng = random.Random(20260107)
    acked_ingests: dict[str, int] = {}
    acked_notes: list[tuple[int, str]] = []
    kills = 0
    modes = ("ingest", "note", "ingest", "note")
    for round_no in range(8):
        # Two ingest writers and two note writers at once, each killed at its own moment.
        writers = [
            _Writer(db, mode, round_no * 4 + i, tmp_path / "listings")
            for i, mode in enumerate(modes)
        ]
        for writer in writers:
            assert writer.ready.wait(30), "writer never became ready"
        moments = sorted((rng.uniform(0.005, 0.6), i) for i in range(len(writers)))
        started = time.monotonic()
        lines: list[str] = []
        for moment, index in moments:
            time.sleep(max(0.0, started + moment - time.monotonic()))
            lines += writers[index].kill()
            kills += 1
        for line in lines:
            kind, rest = line.split(" ", 1)
            if kind == "ingest":
                path, papers = rest.rsplit(" ", 1)
                acked_ingests[path] = int(papers)
            elif kind == "note":
                pid, text = rest.split(" ", 1)
                acked_notes.append((int(pid), text))
        # After every kill: the file is sound and opens.
        assert integrity(db) == "ok"
    assert kills >= 30
    assert acked_ingests, "no ingest was ever acknowledged: delays too short"
    assert acked_notes, "no note save was ever acknowledged"
    # Every acknowledged ingest is there, with all its papers.
    logged = {str(p): int(n) for p, n in query(db, "SELECT path, papers FROM ingests")}
    for path, papers in acked_ingests.items():
        assert logged.get(path) == papers, path
    # No file is half-ingested: for each file, its papers are all there (as logged) or none.
    per_path = dict(query(db, "SELECT path, count(*) FROM paper_sources GROUP BY path"))
    for path, count in per_path.items():
        assert str(path) in logged, f"papers from {path} without its ingest record"
        assert count == logged[str(path)], path
    orphans = query(
        db, "SELECT count(*) FROM papers WHERE id NOT IN (SELECT paper_id FROM paper_sources)"
    )
    assert orphans == [(0,)]
    # Every acknowledged note save is a revision (in full: the ack holds its first 40 chars).
    revisions = query(db, "SELECT paper_id, substr(text, 1, 40) FROM note_revisions")
    have = {(int(str(p)), str(t)) for p, t in revisions}
    missing = [a for a in acked_notes if a not in have]
    assert not missing, missing[:3]
    # Some kills landed inside an ingest: listing files whose ingest never committed.
    written = {str(p) for p in (tmp_path / "listings").glob("*.txt")}
    assert written - set(logged), "no kill interrupted an ingest"
    with Store.open(db, check=True) as store:
        assert store.count() == sum(logged.values())


def test_case02_kill9_of_the_tui_after_typing_a_note(tmp_path: Path) -> None:
    db = tmp_path / "tui" / "readq.db"
    pid = make_library(db)
    with start_tui(db) as app:
        start = open_note(app)
        app.send("typed then killed")
        assert app.wait_for("then killed", start=start)
        time.sleep(0.8)  # past the 300 ms autosave, with room for a slow machine
        app.kill()
        assert app.wait() == -signal.SIGKILL
    assert stored_note(db, pid) == "typed then killed"
    assert integrity(db) == "ok"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_case03_sigterm_sighup_flush_restore_terminal_exit_128_plus_signal(
    tmp_path: Path, sig: signal.Signals
) -> None:
    db = tmp_path / "tui" / "readq.db"
    pid = make_library(db)
    with start_tui(db) as app:
        start = open_note(app)
        app.send("draft before the signal")
        assert app.wait_for("before the signal", start=start)
        app.signal(sig)  # at once: inside the autosave delay, the handler must write it
        status = app.wait()
        output = app.output
    assert status == 128 + sig
    assert stored_note(db, pid) == "draft before the signal"
    assert terminal_restored(output)
    assert b"\x1b[?1049l" in output[-400:]


CRASHING_TUI = """
import os, sys
from readq.tui import app as tui_app

original = tui_app.ReadqApp.poll_library

def poll_library(self):
    if os.path.exists(os.environ["READQ_TEST_BOOM"]):
        raise RuntimeError("injected failure for the reliability test")
    return original(self)

tui_app.ReadqApp.poll_library = poll_library
from readq.cli import main
sys.argv = ["readq", "--db", sys.argv[1]]
main()
"""


def test_case04_unexpected_exception_draft_saved_error_shown_and_logged(tmp_path: Path) -> None:
    db = tmp_path / "tui" / "readq.db"
    pid = make_library(db)
    trigger = tmp_path / "boom"
    env = tui_env({"READQ_DB": str(db), "READQ_TEST_BOOM": str(trigger)})
    with PtyProcess([sys.executable, "-c", CRASHING_TUI, str(db)], env=env) as app:
        start = open_note(app)
        app.send("draft before the crash")
        assert app.wait_for("before the crash", start=start)
        trigger.touch()  # the next library poll (each second) raises
        status = app.wait(timeout=20)
        output = app.output
    assert status == 1
    assert stored_note(db, pid) == "draft before the crash"
    log = db.parent / "readq.log"
    assert "RuntimeError: injected failure" in log.read_text(encoding="utf-8")
    # Shown after the alternate screen was left, with the log's path.
    after_exit = output[output.rfind(b"\x1b[?1049l") :].decode("utf-8", "replace")
    assert "injected failure" in after_exit
    assert str(log) in after_exit.replace("\r\n", "").replace("\n", "")
    assert terminal_restored(output)
