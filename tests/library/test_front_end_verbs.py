"""What a front end asks of the library instead of opening the core itself: reader
connections for its workers, the change counters it polls, the list's rows, the paste check,
the background ``quick_check`` and the damage report, and a selection's ids for an export.

The TUI imports only the library and value types (an import-linter contract); these verbs are
what it reaches through, so they are tested here without a terminal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from readq import recovery
from readq.library import Library
from readq.library.searcher import ListRequest, Searcher, SelectionError
from readq.models import ScrapedPaper, Source, Status
from readq.paths import Paths
from readq.search.selection import Selection, View
from readq.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    """A library of three fictional papers, opened the way the TUI opens it."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(db_path) as store:
        papers = [
            ScrapedPaper(f"Lamp study {i}", f"Abstract {i} about lamps. " * 3) for i in (0, 1, 2)
        ]
        store.ingest(papers, Source("s", "/s", "2026-01-01"), "hf")
    lib = Library.open(db_path)
    try:
        yield lib
    finally:
        lib.close(timeout=5.0)


def test_a_reader_is_a_connection_of_its_own_usable_on_another_thread(library: Library) -> None:
    reader = library.reader()
    counted: list[int] = []

    def count() -> None:  # sqlite connections are per thread: the library's own would raise
        counted.append(reader.stats().total)

    try:
        assert reader is not library.store
        worker = threading.Thread(target=count)
        worker.start()
        worker.join(10)
    finally:
        reader.close()
    assert counted == [3]
    assert library.stats().total == 3  # the library's own connection is untouched


def test_the_change_counters_see_other_connections_and_own_writes(
    library: Library, db_path: Path
) -> None:
    version, changes = library.data_version(), library.total_changes()
    assert library.mark([1], Status.READ, "Mark read").ok
    assert library.total_changes() > changes  # this connection's own write
    assert library.data_version() == version  # ... is not another connection's
    with Store.open(db_path, migrate=False) as other:
        other.set_status([2], Status.READ)
    assert library.data_version() != version


def test_list_rows_keep_the_order_asked_and_skip_unknown_ids(library: Library) -> None:
    rows = library.list_rows([3, 99, 1])
    assert [p.id for p in rows] == [3, 1]
    assert [p.title for p in rows] == ["Lamp study 2", "Lamp study 0"]


def test_text_problem_says_why_a_paste_would_ingest_nothing() -> None:
    assert Library.text_problem("   \n") == "<pasted>: is empty"
    problem = Library.text_problem("just some words, not a listing")
    assert problem is not None and problem.startswith("<pasted>")
    listing = (FIXTURES / "arxiv_list_new.txt").read_text(encoding="utf-8")
    assert Library.text_problem(listing) is None


def test_the_background_check_reports_damage_once_started(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert library.check_result() is None  # never started: nothing found
    checked: list[Path] = []

    def damaged(db: Path) -> str:
        checked.append(db)
        return "page 7: btree corrupt"

    monkeypatch.setattr(recovery, "quick_check", damaged)
    found = threading.Event()
    seen: list[str] = []
    after = threading.Event()

    def on_damage(detail: str) -> None:
        seen.append(detail)
        found.set()

    library.start_check(on_damage, after=after)
    assert not found.wait(0.2)  # waits for ``after`` (the first paint)
    after.set()
    assert found.wait(10)
    assert seen == ["page 7: btree corrupt"]
    assert checked == [library.path]
    assert library.check_result() == "page 7: btree corrupt"


def test_report_damage_moves_the_file_aside_and_says_where(tmp_path: Path) -> None:
    paths = Paths(db=tmp_path / "lib" / "readq.db", config_dir=tmp_path / "cfg")
    paths.db.parent.mkdir(parents=True)
    paths.db.write_bytes(b"not a database at all" * 10)
    message = Library.report_damage(paths, "file is not a database")
    assert not paths.db.exists()
    moved = [p for p in paths.db.parent.iterdir() if p.name.startswith("readq.db")]
    assert len(moved) == 1 and moved[0].read_bytes() == b"not a database at all" * 10
    assert str(moved[0]) in message


def test_bind_routes_the_writers_callbacks_to_the_front_end(library: Library) -> None:
    delivered: list[Callable[[], None]] = []
    library.bind(delivered.append)
    library.writer.deliver(lambda: None)
    assert len(delivered) == 1


def test_selected_ids_answer_a_request_or_say_why_not(library: Library) -> None:
    searcher = Searcher()
    reader = library.reader()
    try:
        good = ListRequest(1, Selection(View.ALL, query="lamp"))
        assert sorted(searcher.selected_ids(reader, good, lambda: False)) == [1, 2, 3]
        bad = ListRequest(2, Selection(View.ALL, query="year:>=abc"))
        with pytest.raises(SelectionError) as caught:
            searcher.selected_ids(reader, bad, lambda: False)
        assert str(caught.value) == searcher.search(reader, bad, lambda: False).error
    finally:
        reader.close()
