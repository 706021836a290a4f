"""The saved search index kept up to date by the commands that commit papers
(``readq.search.upkeep``): after ``readq ingest``/``import``/``add`` a new process loads the
index instead of building it; a cache left behind (a crash between the commit and the save)
is caught up without a rebuild; a damaged or stale cache is detected and never trusted."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from support.fakeapi import FakeApi
from support.searchlib import answers, make_papers

from readq.cli import cli
from readq.ingest import ingest_paths
from readq.models import Source, Status
from readq.paths import search_cache_path
from readq.search import SearchEngine, Selection, cache, select_ids, sync, upkeep
from readq.search.documents import LibraryRows
from readq.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class BuildForbidden(AssertionError):
    """Raised by a patched build: the test expects the index to be loaded, not built."""


def forbid_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, any from-scratch build of the index fails the test (in-process or in a
    child process)."""

    def forbidden(*args: object, **kwargs: object) -> SearchEngine:
        raise BuildForbidden("the index was built from scratch")

    def no_child(*args: object, **kwargs: object) -> bool:
        raise BuildForbidden("the index was built in a child process")

    monkeypatch.setattr(SearchEngine, "load", classmethod(forbidden))
    monkeypatch.setattr(SearchEngine, "load_split", classmethod(forbidden))
    monkeypatch.setattr(cache, "build_in_child", no_child)


def run(db: Path, *args: str) -> tuple[int, str, str]:
    db.parent.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def paper_count(db: Path) -> int:
    with Store.open(db) as store:
        return int(store.conn.execute("SELECT count(*) FROM papers").fetchone()[0])


def loads_without_building(db: Path) -> SearchEngine:
    """What a new ``readq`` does at start (the TUI's ``load_or_build``), asserting the index
    came from the cache and holds every paper."""
    with Store.open(db) as store:
        found, built = cache.load_or_build(store, child_min=1)
        assert not built
        assert len(found) == paper_count(db)
        return found


def same_as_fresh(store: Store) -> None:
    """The cache answers every query exactly as a fresh build does."""
    loaded = cache.load(store)
    assert loaded is not None
    built = SearchEngine.load(store)
    try:
        assert answers(loaded) == answers(built)
    finally:
        loaded.close()
        built.close()


# ------------------------------------------------------------------ the writers
def test_after_ingest_a_new_process_loads_the_index(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, err = run(db_path, "ingest", str(FIXTURES / "hf_daily.txt"))
    assert code == 0, err
    forbid_builds(monkeypatch)
    assert paper_count(db_path) > 0
    loads_without_building(db_path).close()
    with Store.open(db_path) as store:
        assert upkeep.update(store).outcome is upkeep.Outcome.CURRENT
        # `readq list --query` in a fresh process loads the same saved index.
        title = store.conn.execute("SELECT title FROM papers ORDER BY id LIMIT 1").fetchone()[0]
        assert 1 in select_ids(store, Selection(query=f'"{title}"'))


def test_a_second_ingest_catches_the_saved_index_up(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(db_path, "ingest", str(FIXTURES / "hf_daily.txt"))[0] == 0
    forbid_builds(monkeypatch)
    before = search_cache_path(db_path).stat().st_mtime_ns
    assert run(db_path, "ingest", str(FIXTURES / "arxiv_list_new.txt"))[0] == 0
    assert search_cache_path(db_path).stat().st_mtime_ns != before
    loads_without_building(db_path).close()


def test_after_import_a_new_process_loads_the_index(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, err = run(db_path, "import", str(FIXTURES / "import_sample.bib"))
    assert code == 0, err
    forbid_builds(monkeypatch)
    loads_without_building(db_path).close()


def test_after_add_a_new_process_loads_the_index(
    api: FakeApi,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _out, err = run(db_path, "add", "2612.04011")
    assert code == 0, err
    forbid_builds(monkeypatch)
    loads_without_building(db_path).close()


def test_a_crash_before_the_save_leaves_a_cache_to_catch_up_from(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first ingest into an empty library dies after its commit, before the index is
    saved: the empty index saved before the write is caught up, nothing is built."""

    def crash(store: Store, path: Path | None = None) -> upkeep.UpkeepReport:
        raise KeyboardInterrupt

    monkeypatch.setattr(upkeep, "update", crash)
    code, _out, _err = run(db_path, "ingest", str(FIXTURES / "hf_daily.txt"))
    assert code != 0
    assert paper_count(db_path) > 0
    monkeypatch.undo()
    forbid_builds(monkeypatch)
    loads_without_building(db_path).close()


def test_a_failed_save_does_not_fail_the_write(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "save", lambda *args, **kwargs: False)
    code, out, err = run(db_path, "ingest", str(FIXTURES / "hf_daily.txt"))
    assert (code, err.count("Traceback")) == (0, 0)
    assert "new" in out
    assert paper_count(db_path) > 0


# ------------------------------------------------------------- catching up
@pytest.fixture
def library(store: Store) -> Store:
    store.ingest(make_papers(300), Source("gen", "gen.txt", "2025-01-01"), "test")
    store.set_status([3, 10], Status.READ)
    store.set_starred([3], True)
    store.save_note(5, "read this on the gondola")
    return store


@pytest.mark.parametrize("bulk", [False, True], ids=["batches", "one-scan"])
def test_a_cache_behind_by_n_papers_catches_up_without_a_rebuild(
    library: Store, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    """Papers committed after the save (as after a crash) are appended to the saved index,
    batch by batch or, when they are many, in one scan as a first build does; either way
    the answers are those of a fresh build."""
    assert upkeep.update(library).outcome is upkeep.Outcome.BUILT
    library.ingest(make_papers(250, seed=9), Source("gen", "more.txt", "2025-01-02"), "test")
    library.save_note(320, "a note on the ferry")
    library.set_status([3], Status.TO_READ)
    if bulk:
        monkeypatch.setattr(sync, "BULK_MIN", 100)
    calls: list[int] = []
    real_bulk = sync.Sync.append_bulk

    def spy(self: sync.Sync, rows: LibraryRows, max_id: int) -> int:
        added = real_bulk(self, rows, max_id)
        calls.append(added)
        return added

    monkeypatch.setattr(sync.Sync, "append_bulk", spy)
    real_load = SearchEngine.load

    def forbidden(*args: object, **kwargs: object) -> SearchEngine:
        raise BuildForbidden("the index was built from scratch")

    monkeypatch.setattr(SearchEngine, "load", classmethod(forbidden))
    report = upkeep.update(library)
    assert report.outcome is upkeep.Outcome.CAUGHT_UP
    assert report.papers == 550
    assert calls == [250 if bulk else 0]
    monkeypatch.setattr(SearchEngine, "load", real_load)
    same_as_fresh(library)


def test_a_current_cache_is_not_rewritten(library: Store) -> None:
    assert upkeep.update(library).outcome is upkeep.Outcome.BUILT
    path = search_cache_path(Path(library.path))
    before = path.stat().st_mtime_ns
    assert upkeep.update(library).outcome is upkeep.Outcome.CURRENT
    assert path.stat().st_mtime_ns == before


# ------------------------------------------------------- never trusted when wrong
def test_a_corrupt_cache_is_detected_and_rebuilt(library: Store) -> None:
    assert upkeep.update(library).outcome is upkeep.Outcome.BUILT
    path = search_cache_path(Path(library.path))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert cache.load(library) is None
    assert upkeep.update(library).outcome is upkeep.Outcome.BUILT
    same_as_fresh(library)


def test_a_stale_cache_is_detected_and_rebuilt(library: Store) -> None:
    """Papers deleted since the save (a restore of an older library, say): the cache no
    longer describes the library and is rebuilt, not caught up."""
    assert upkeep.update(library).outcome is upkeep.Outcome.BUILT
    with library.conn:
        library.conn.execute("DELETE FROM papers WHERE id IN (7, 8)")
    assert cache.load(library) is None
    report = upkeep.update(library)
    assert (report.outcome, report.papers) == (upkeep.Outcome.BUILT, 298)
    same_as_fresh(library)


def test_prepare_saves_the_index_of_an_empty_library_only(store: Store) -> None:
    assert upkeep.prepare(store)
    assert not upkeep.prepare(store)  # already usable
    store.ingest(make_papers(5), Source("gen", "gen.txt", "2025-01-01"), "test")
    path = search_cache_path(Path(store.path))
    path.unlink()
    assert not upkeep.prepare(store)
    assert not path.exists()


def test_ingest_paths_then_update_equals_a_build(store: Store) -> None:
    """The core path the CLI takes: ingest a listing, then bring the index up to date."""
    upkeep.prepare(store)
    reports = ingest_paths(store, [str(FIXTURES / "hf_trending.txt")])
    assert reports[0].error is None
    assert upkeep.update(store).outcome is upkeep.Outcome.CAUGHT_UP
    same_as_fresh(store)
