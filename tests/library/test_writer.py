"""The background writer: jobs in order, failures reported, queue drained on close."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from readq.dberrors import is_busy
from readq.library.writer import BackgroundWriter
from readq.models import ScrapedPaper, Source, Status
from readq.store import Store


def _library(tmp_path: Path) -> Path:
    path = tmp_path / "lib.db"
    with Store.open(path) as store:
        papers = [ScrapedPaper(f"Paper {i}", "An abstract long enough. " * 4) for i in range(3)]
        store.ingest(papers, Source("s", "/s", "now"), "hf")
    return path


def test_jobs_run_in_order_and_failures_are_delivered(tmp_path: Path) -> None:
    path = _library(tmp_path)
    delivered: list[Callable[[], None]] = []
    failures: list[Exception] = []
    writer = BackgroundWriter(path, deliver=delivered.append)
    writer.submit(lambda s: s.set_status([1], Status.READ), failures.append)
    writer.submit(lambda s: s.set_status([1], Status.TO_READ), failures.append)
    writer.submit(lambda s: s.set_status([99], Status.READ), failures.append)  # unknown id
    assert writer.close(timeout=10.0)
    for callback in delivered:
        callback()
    assert len(failures) == 1 and "99" in str(failures[0])
    with Store.open(path) as store:
        assert store.get(1).status is Status.TO_READ


def test_is_busy(tmp_path: Path) -> None:
    import sqlite3

    assert is_busy(sqlite3.OperationalError("database is locked"))
    assert not is_busy(sqlite3.OperationalError("attempt to write a readonly database"))
    assert not is_busy(ValueError("locked"))
    # A real one, with SQLite's error code: another connection holds the write lock.
    holder = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(tmp_path / "busy.db", isolation_level=None, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as caught:
        waiter.execute("BEGIN IMMEDIATE")
    assert caught.value.sqlite_errorname.startswith("SQLITE_BUSY")
    assert is_busy(caught.value)
    holder.close()
    waiter.close()
