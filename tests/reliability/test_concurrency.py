"""Case 5 (second half): two processes each making 500 status changes on one library."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import writer_child
from relutil import integrity, query, write_listing

from readq.ingest import ingest_paths
from readq.store import Store


def _fork_status_writer(db: Path, first: int, last: int) -> tuple[int, list[str], threading.Thread]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_fd)
            os.dup2(write_fd, 1)
            import sys

            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
            writer_child.main([str(db), "status", "0", str(db.parent), str(first), str(last)])
            sys.stdout.flush()
        finally:
            os._exit(0)
    os.close(write_fd)
    lines: list[str] = []

    def read() -> None:
        with os.fdopen(read_fd, "r") as stream:
            lines.extend(line.rstrip("\n") for line in stream)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return pid, lines, thread


def test_case05_two_processes_500_status_changes_each(tmp_path: Path) -> None:
    db = tmp_path / "lib" / "readq.db"
    db.parent.mkdir()
    with Store.open(db) as store:
        ingest_paths(store, [str(write_listing(tmp_path / "a.txt", "a", 1000))])
        stamps_before = dict(query(db, "SELECT id, updated_at FROM papers"))
    writers = [_fork_status_writer(db, 1, 500), _fork_status_writer(db, 501, 1000)]
    for pid, _lines, thread in writers:
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        thread.join(timeout=30)
    acks = [line for _, lines, _ in writers for line in lines if line.startswith("status ")]
    errors = [line for _, lines, _ in writers for line in lines if line.startswith("error ")]
    assert errors == []
    assert [line for _, lines, _ in writers for line in lines if line.startswith("done")] == [
        "done errors=0",
        "done errors=0",
    ]
    assert len(acks) == 1000
    assert query(db, "SELECT count(*) FROM papers WHERE status = 'read'") == [(1000,)]
    stamps_after = dict(query(db, "SELECT id, updated_at FROM papers"))
    assert sum(stamps_after[i] != stamps_before[i] for i in stamps_before) == 1000
    assert integrity(db) == "ok"
