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
