"""The persisted search index (``readq.search.cache``): a loaded cache answers exactly as a
fresh build, catches up with changes made after it was written, and is ignored (the index is
rebuilt) whenever it is damaged, from another format version or another library, or the
library lost papers."""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.searchlib import (
    answers,
    check_same_as_fresh,
    finished,
    fresh,
    make_papers,
    same_index,
    saved,
    scanned_part,
)

from readq.library.searcher import Searcher
from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.paths import search_cache_path
from readq.search import SearchCancelled, SearchEngine, cache
from readq.search.build import Collect
from readq.store import Store, now_iso


@pytest.fixture
def library(store: Store) -> Store:
    store.ingest(make_papers(600), Source("gen", "gen.txt", "2025-01-01"), "test")
    store.set_status([3, 10, 11], Status.READ)
    store.set_status([12], Status.TO_READ)
    store.set_starred([3, 40], True)
    store.save_note(5, "read this on the gondola")
    return store


@pytest.fixture
def reader(library: Store) -> Iterator[Store]:
    conn = library.open_reader()
    yield conn
    conn.close()


def loaded(store: Store) -> SearchEngine | None:
    return cache.load(store)


# ---------------------------------------------------------------------- round trip
def test_round_trip_answers_like_a_fresh_build(library: Store, reader: Store) -> None:
    path = saved(library)
    assert path == cache.default_path(library)
    check_same_as_fresh(reader)


def test_round_trip_keeps_bitset_and_array_postings(library: Store) -> None:
    built = SearchEngine.load(library)
    saved(library)
    again = cache.load(library)
    assert again is not None
    try:
        for field, postings in built._state.index.main.items():
            restored = again._state.index.main[field]
            assert restored.keys() == postings.keys()
            for word, posting in postings.items():
                assert type(restored[word]) is type(posting)
                assert restored[word] == posting
        main = built._state.index.main
        assert any(isinstance(p, int) for p in main[next(iter(main))].values())
        assert again.vocabulary_size == built.vocabulary_size
    finally:
        built.close()
        again.close()


def test_cache_of_an_empty_library(store: Store) -> None:
    saved(store)
    engine = cache.load(store)
    assert engine is not None
    try:
        assert list(engine.search("")) == []
    finally:
        engine.close()
    store.ingest(make_papers(5), Source("gen", "gen.txt", "2025-01-01"), "test")
    check_same_as_fresh(store)


# ------------------------------------------------------------------- changes since
def test_changes_after_the_cache_was_written_are_seen(library: Store) -> None:
    saved(library)
    library.ingest(
        [ScrapedPaper("Wombat Diffusion Networks", "Marsupial layers.", org="Kestrel Labs")],
        Source("more", "more.txt", "2025-01-02"),
        "test",
    )
    library.set_status([1, 2], Status.READ)
    library.set_status([3], Status.NEW)
    library.set_starred([40], False)
    library.set_starred([7], True)
    library.save_note(5, "")
    library.save_note(9, "wombat gondola")
    library.rename(8, "Wombat Forecasting")
    library.conn.execute(
        "UPDATE papers SET upvotes = 999, published = '2030-01-01', updated_at = ? WHERE id = 20",
        (now_iso(),),
    )
    check_same_as_fresh(library)
    engine = cache.load(library)
    assert engine is not None
    try:
        assert list(engine.search("wombat"))[:2] == [601, 8]
        assert engine.search("", sort=SortKey.UPVOTES)[0] == 20
        assert 9 in list(engine.search("note:gondola")) and 5 not in list(engine.search("has:note"))
        assert set(engine.search("is:starred")) == {3, 7}
    finally:
        engine.close()


def test_refresh_in_session_matches_a_fresh_build(library: Store) -> None:
    """Appends, renames and new sort keys move papers within the kept sort orders and pinned
    one-letter prefixes instead of recomputing them: the answers must not change."""
    engine = SearchEngine.load(library)
    try:
        engine.search("", sort=SortKey.TITLE)
        library.ingest(
            [
                ScrapedPaper("Wombat Diffusion", "Marsupial layers.", published="2024-05-05"),
                ScrapedPaper("Xylophone Zebra", "A b c.", upvotes=7, org="Kestrel Labs"),
            ],
            Source("more", "more.txt", "2025-01-02"),
            "test",
        )
        assert engine.refresh()
        assert engine._sort_orders.computed  # kept, not recomputed
        assert answers(engine) == fresh(library)
        library.rename(8, "aardvark first")
        library.conn.execute(
            "UPDATE papers SET upvotes = NULL, published = '2024-05-05', updated_at = ? "
            "WHERE id IN (20, 21)",
            (now_iso(),),
        )
        assert engine.refresh()
        assert answers(engine) == fresh(library)
    finally:
        engine.close()


def test_state_changed_without_updated_at_is_seen(library: Store) -> None:
    """A script (like the benchmark's reset) that sets status/star without ``updated_at``."""
    saved(library)
    library.conn.execute("UPDATE papers SET status = 'new', starred = 0")
    library.conn.execute("UPDATE papers SET status = 'read' WHERE id IN (100, 200)")
    engine = cache.load(library)
    assert engine is not None
    try:
        assert set(engine.search("is:read")) == {100, 200}
        assert list(engine.search("is:starred")) == []
        assert engine.counts().by_status[Status.READ] == 2
    finally:
        engine.close()
    check_same_as_fresh(library)


def test_deleted_papers_mean_a_full_build(library: Store) -> None:
    saved(library)
    library.conn.execute("DELETE FROM papers WHERE id = 33")
    assert cache.load(library) is None
    engine, built = cache.load_or_build(library)
    try:
        assert built
        assert 33 not in list(engine.search(""))
        assert answers(engine) == fresh(library)
    finally:
        engine.close()


def test_rewound_library_means_a_full_build(library: Store) -> None:
    """A library older than the cache (updated_at went back) is not trusted to the cache."""
    saved(library)
    library.conn.execute("UPDATE papers SET updated_at = '2000-01-01T00:00:00+00:00'")
    assert cache.load(library) is None


def test_diverged_copy_is_not_trusted(library: Store) -> None:
    """Same file, same counts, but rows rewritten with other timestamps: the samples differ."""
    saved(library)
    library.conn.execute(
        "UPDATE papers SET updated_at = '2001-01-01T00:00:00+00:00' WHERE id < 590"
    )
    assert cache.load(library) is None


# ------------------------------------------------------------------- bad caches
def corrupt_and_expect_build(store: Store, path: Path) -> None:
    assert cache.load(store) is None
    engine, built = cache.load_or_build(store)
    try:
        assert built
        assert answers(engine) == fresh(store)
    finally:
        engine.close()


def test_truncated_cache_is_ignored(library: Store) -> None:
    path = saved(library)
    data = path.read_bytes()
    for size in (0, 3, 30, len(data) // 2, len(data) - 1):
        path.write_bytes(data[:size])
        corrupt_and_expect_build(library, path)


def test_garbage_and_flipped_bytes_are_ignored(library: Store) -> None:
    path = saved(library)
    data = bytearray(path.read_bytes())
    path.write_bytes(os.urandom(len(data)))
    corrupt_and_expect_build(library, path)
    flipped = bytearray(data)
    flipped[-100] ^= 0xFF  # inside the payload: the checksum catches it
    path.write_bytes(bytes(flipped))
    corrupt_and_expect_build(library, path)
    path.write_bytes(b"not a cache at all")
    corrupt_and_expect_build(library, path)


def test_old_format_version_is_ignored(library: Store) -> None:
    path = saved(library)
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 4, cache.FORMAT_VERSION - 1)
    path.write_bytes(bytes(data))
    corrupt_and_expect_build(library, path)


def test_unexpected_pickle_globals_are_refused(library: Store) -> None:
    """A payload naming any global but ``array`` is refused (no code runs from the file)."""
    path = saved(library)
    data = path.read_bytes()
    magic, version, _size, _crc, meta_size = struct.unpack_from("<4sIQII", data)
    payload = pickle.dumps({"index": os.system}, protocol=5)
    import zlib

    header = struct.pack("<4sIQII", magic, version, len(payload), zlib.crc32(payload), meta_size)
    path.write_bytes(header + data[24 : 24 + meta_size] + payload)
    corrupt_and_expect_build(library, path)


def test_unreadable_cache_is_ignored(library: Store) -> None:
    path = saved(library)
    path.unlink()
    path.mkdir()  # a directory where the file should be
    corrupt_and_expect_build(library, path)
    engine = SearchEngine.load(library)
    try:
        assert not cache.save(engine)  # cannot replace a directory: no error, no file
    finally:
        engine.close()


def test_cache_of_another_library_is_ignored(library: Store, tmp_path: Path) -> None:
    path = saved(library)
    other_db = tmp_path / "other" / "readq.db"
    other_db.parent.mkdir()
    other = Store.open(other_db)
    try:
        other.ingest(make_papers(600), Source("gen", "gen.txt", "2025-01-01"), "test")
        shutil.copy(path, search_cache_path(other_db))
        corrupt_and_expect_build(other, search_cache_path(other_db))
    finally:
        other.close()


def test_replaced_library_file_is_ignored(library: Store, db_path: Path) -> None:
    """``readq restore`` renames a copy into place: another file, so the cache is not used."""
    saved(library)
    copy = db_path.with_name("copy.db")
    with sqlite3.connect(copy) as dst:
        library.conn.backup(dst)
    dst.close()
    library.close()
    os.replace(copy, db_path)
    reopened = Store.open(db_path)
    try:
        assert cache.load(reopened) is None
    finally:
        reopened.close()


def test_failed_save_leaves_no_temp_file(library: Store) -> None:
    engine = SearchEngine.load(library)
    try:
        library.conn.execute("DELETE FROM papers WHERE id = 2")
        engine.refresh()  # the engine now has a deleted paper: not cached
        assert not cache.save(engine)
    finally:
        engine.close()
    path = search_cache_path(Path(library.path))
    assert not path.exists()
    assert not list(path.parent.glob("*.tmp"))


# ------------------------------------------------------------------- the TUI side
def test_searcher_saves_then_loads_from_the_cache(
    library: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = fresh(library)
    searcher = Searcher()
    reader = library.open_reader()
    try:
        assert searcher.load_engine(reader)
        assert searcher._saving is not None
        searcher._saving.join(timeout=30)
        assert search_cache_path(Path(library.path)).is_file()
        searcher.close()

        def no_build(*_args: object, **_kwargs: object) -> SearchEngine:
            raise AssertionError("built although a cache was there")

        monkeypatch.setattr(SearchEngine, "load", no_build)
        second = Searcher()
        assert second.load_engine(reader)
        assert second._saving is None  # nothing new worth saving
        assert second.engine is not None
        assert answers(second.engine) == expected
        second.close()
    finally:
        reader.close()


def test_build_in_a_child_process(library: Store) -> None:
    expected = fresh(library)
    path = search_cache_path(Path(library.path))
    assert cache.build_in_child(library)
    assert path.is_file()
    engine, built = cache.load_or_build(library, child_min=1)
    try:
        assert not built
        assert answers(engine) == expected
    finally:
        engine.close()
    path.unlink()
    engine, built = cache.load_or_build(library, child_min=1)  # builds in a child, loads
    try:
        assert not built and path.is_file()
        assert answers(engine) == expected
    finally:
        engine.close()


def test_child_build_failure_falls_back_to_building_here(
    library: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "build_in_child", lambda *_a, **_k: False)
    engine, built = cache.load_or_build(library, child_min=1)
    try:
        assert built
        assert answers(engine) == fresh(library)
    finally:
        engine.close()


def test_cancelled_child_build_is_killed(library: Store) -> None:
    with pytest.raises(SearchCancelled):
        cache.build_in_child(library, is_cancelled=lambda: True)
    assert not search_cache_path(Path(library.path)).exists()


# ----------------------------------------------------------------- split build
@pytest.mark.parametrize("compact", [True, False], ids=["compacted", "as-scanned"])
def test_split_build_equals_a_single_build(library: Store, compact: bool) -> None:
    library.conn.execute("DELETE FROM papers WHERE id IN (2, 300, 301)")  # ids with gaps
    single = SearchEngine.load(library)
    calls: list[tuple[int, int]] = []

    def start_other(split_id: int, first_doc: int) -> Collect:
        calls.append((split_id, first_doc))
        return scanned_part(library, split_id, first_doc, compact=compact)

    split = SearchEngine.load_split(library, start_other)
    assert split is not None
    try:
        assert calls == [(302, 298)]  # 597 papers: doc 298 is id 302
        same_index(single, split)
        assert answers(split) == answers(single)
    finally:
        single.close()
        split.close()


def test_split_build_with_a_real_second_process(library: Store) -> None:
    single = SearchEngine.load(library)
    split = SearchEngine.load_split(library, cache._start_part(Path(library.path)))
    assert split is not None
    try:
        same_index(single, split)
    finally:
        single.close()
        split.close()


def test_failed_split_returns_none(library: Store) -> None:
    assert SearchEngine.load_split(library, lambda _s, _f: finished(None)) is None

    def wrong_first(split_id: int, first_doc: int) -> Collect:
        return scanned_part(library, split_id, first_doc + 1)

    assert SearchEngine.load_split(library, wrong_first) is None


def test_one_shot_search_uses_a_usable_cache(
    library: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readq.search import search

    expected = search(library, "lora adapter", SortKey.TITLE)
    saved(library)
    library.ingest(
        [ScrapedPaper("Lora Adapter Wombat", "x")], Source("m", "m.txt", "2025-01-02"), "t"
    )

    def no_build(*_args: object, **_kwargs: object) -> SearchEngine:
        raise AssertionError("built although a cache was there")

    monkeypatch.setattr(SearchEngine, "load", no_build)
    got = search(library, "lora adapter", SortKey.TITLE)
    assert sorted(got) == sorted([*expected, 601])


def test_cancelled_load_raises(library: Store) -> None:
    saved(library)
    with pytest.raises(SearchCancelled):
        cache.load(library, is_cancelled=lambda: True)
    engine = cache.load(library)
    assert engine is not None
    engine.close()


def test_closing_the_searcher_stops_a_child_build(
    library: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    import readq.library.searcher as searcher_module

    monkeypatch.setattr(searcher_module, "CHILD_BUILD_MIN", 1)
    started = threading.Event()
    real = cache.build_in_child

    def spy(*args: object, **kwargs: object) -> bool:
        started.set()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "build_in_child", spy)
    searcher = Searcher()
    reader = library.open_reader()
    outcome: list[bool] = []
    worker = threading.Thread(target=lambda: outcome.append(searcher.load_engine(reader)))
    try:
        worker.start()
        assert started.wait(10)
        closed = time.monotonic()
        searcher.close()
        worker.join(10)
        assert outcome == [False]
        assert time.monotonic() - closed < 5
        assert searcher.engine is None
    finally:
        reader.close()


def test_a_loaded_cache_has_its_vocabulary_ready(library: Store) -> None:
    """Sorting the vocabulary took 0.4-0.8 s of the first keystroke at 1M papers: the load
    does it, in the loading thread."""
    saved(library)
    engine = cache.load(library)
    assert engine is not None
    try:
        assert not engine._state.index._vocab_dirty
        assert list(engine.search("gondol"))  # a prefix search works straight away
    finally:
        engine.close()


def test_moves_to_and_from_the_trash_after_the_cache_was_written_are_seen(
    library: Store,
) -> None:
    """A paper deleted (or restored) while no TUI ran: the cached index, caught up, hides it
    (or shows it again) exactly as a fresh build does. No new persisted state: the cache's
    alive bits already say which papers are shown."""
    library.trash([7])
    saved(library)
    library.trash([3, 12])
    library.restore_trashed([7])
    check_same_as_fresh(library)
    engine = cache.load(library)
    assert engine is not None
    try:
        shown = set(engine.search(""))
        assert 7 in shown and 3 not in shown and 12 not in shown
        assert engine.counts().total == 598
        assert set(engine.search("is:starred")) == {40}
    finally:
        engine.close()
