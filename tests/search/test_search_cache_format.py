"""The saved index's format 3: the sorted vocabulary is saved with it and postings are decoded
per word on first use. A file of the previous format, or one whose payload passes the checksum
but does not add up, is never used: the index is built instead, and answers as a fresh build.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest
from support.searchlib import answers, check_same_as_fresh, fresh, make_papers, saved

from readq.models import Source, Status
from readq.search import SearchEngine, cache
from readq.search.index import InvertedIndex
from readq.search.postings import PackedPostings
from readq.store import Store

HEADER = struct.Struct("<4sIQII")
State = dict[str, object]


@pytest.fixture
def library(store: Store) -> Store:
    store.ingest(make_papers(600), Source("gen", "gen.txt", "2025-01-01"), "test")
    store.set_status([3, 10, 11], Status.READ)
    store.set_starred([3, 40], True)
    store.save_note(5, "read this on the gondola")
    return store


def read_state(path: Path) -> tuple[bytes, State]:
    """The header's fingerprint part and the saved state of the cache at ``path``."""
    data = path.read_bytes()
    _magic, _version, size, _crc, meta_size = HEADER.unpack_from(data)
    meta = data[HEADER.size : HEADER.size + meta_size]
    payload = data[HEADER.size + meta_size :]
    assert len(payload) == size
    unpickler = pickle.Unpickler(io.BytesIO(payload))
    state: State = {}
    while (item := unpickler.load()) is not None:
        key, value = item
        state[key] = value
    return meta, state


def write_state(path: Path, meta: bytes, state: State, version: int = cache.FORMAT_VERSION) -> None:
    """Write ``state`` as a cache file with a valid checksum (as readq would have)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=5)
    for item in state.items():
        pickler.dump(item)
    pickler.dump(None)
    payload = out.getvalue()
    header = HEADER.pack(cache.MAGIC, version, len(payload), zlib.crc32(payload), len(meta))
    path.write_bytes(header + meta + payload)


def rewrite(
    path: Path, change: Callable[[State], None], version: int = cache.FORMAT_VERSION
) -> None:
    meta, state = read_state(path)
    change(state)
    write_state(path, meta, state, version)


def expect_build(store: Store) -> None:
    """The cache is not used; the index built instead answers as a fresh build."""
    assert cache.load(store) is None
    engine, built = cache.load_or_build(store)
    try:
        assert built
        assert answers(engine) == fresh(store)
    finally:
        engine.close()


def test_the_sorted_vocabulary_is_saved_and_taken_as_is(library: Store) -> None:
    path = saved(library)
    _meta, state = read_state(path)
    words = str(state["index.vocabulary"]).split("\n")
    assert words == sorted(words) and len(set(words)) == len(words)
    engine = cache.load(library)
    assert engine is not None
    try:
        built = SearchEngine.load(library)
        try:
            assert engine._state.index._sorted == built._state.index._sorted
            assert engine._state.index._sorted is not built._state.index._sorted
        finally:
            built.close()
        assert answers(engine) == fresh(library)
    finally:
        engine.close()


def test_postings_are_decoded_on_first_use_only(library: Store) -> None:
    saved(library)
    engine = cache.load(library)
    assert engine is not None
    try:
        abstract = engine._state.index.main[next(iter(engine._state.index.main))]
        assert isinstance(abstract, PackedPostings)
        vocabulary = len(abstract)
        before = abstract.decoded
        assert before < vocabulary
        assert list(engine.search("lantern")) == []  # a word nobody wrote decodes nothing
        engine.search("neural network")
        assert abstract.decoded > before
    finally:
        engine.close()


def test_a_lazily_loaded_index_saves_the_same_state_again(library: Store) -> None:
    """A writer loads the saved index, catches up and saves it again: words never decoded
    must be written back as they were."""
    path = saved(library)
    first = read_state(path)[1]
    engine = cache.load(library)
    assert engine is not None
    try:
        engine.search("diffusion adapter")  # some postings decoded, most not
        assert cache.save(engine)
    finally:
        engine.close()
    assert read_state(path)[1] == first


def test_papers_added_after_a_lazy_load_are_found(library: Store) -> None:
    """Catching up appends to postings that were never decoded and to ones that were."""
    saved(library)
    engine = cache.load(library)
    assert engine is not None
    engine.search("diffusion")  # decoded before the append
    engine.close()
    library.ingest(make_papers(40, seed=9), Source("more", "more.txt", "2025-02-01"), "test")
    check_same_as_fresh(library)


def test_a_file_of_the_previous_format_is_rebuilt(library: Store) -> None:
    """Format 2 had no saved vocabulary: its file is ignored and the index built."""
    path = saved(library)

    def as_version_2(state: State) -> None:
        del state["index.vocabulary"]

    rewrite(path, as_version_2, version=2)
    expect_build(library)
    # The build replaces it with a file of this format.
    engine, built = cache.load_or_build(library)
    engine.close()
    assert built
    saved(library)
    assert cache.load(library) is not None


def test_a_state_without_its_vocabulary_sorts_it_again(library: Store) -> None:
    """Robust to a missing vocabulary (it is derived data): sorted again, same answers."""
    path = saved(library)
    rewrite(path, lambda state: state.pop("index.vocabulary"))
    check_same_as_fresh(library)


def _shorter_vocabulary(state: State) -> None:
    state["index.vocabulary"] = "\n".join(str(state["index.vocabulary"]).split("\n")[:3])


def _vocabulary_not_text(state: State) -> None:
    state["index.vocabulary"] = 42


def _with_arrays(state: State) -> tuple[dict[int, tuple[object, ...]], int]:
    """The saved postings and a field that has array postings."""
    main = state["index.main"]
    assert isinstance(main, dict)
    return main, next(f for f, saved in main.items() if len(saved[1]))


def _lengths_beyond_the_postings(state: State) -> None:
    main, field = _with_arrays(state)
    lengths = main[field][1]
    assert isinstance(lengths, array)
    lengths[0] += 1


def _lengths_short_of_the_postings(state: State) -> None:
    main, field = _with_arrays(state)
    lengths = main[field][1]
    assert isinstance(lengths, array)
    lengths[0] -= 1


def _a_word_missing(state: State) -> None:
    main = state["index.main"]
    assert isinstance(main, dict)
    text, lengths, flat, bit_text, bits = main[0]
    main[0] = (text.split("\n", 1)[1], lengths, flat, bit_text, bits)


def _bits_not_bytes(state: State) -> None:
    main = state["index.main"]
    assert isinstance(main, dict)
    text, lengths, flat, bit_text, bits = main[1]
    main[1] = (text, lengths, flat, bit_text, [7 for _ in bits])


@pytest.mark.parametrize(
    "change",
    [
        _shorter_vocabulary,
        _vocabulary_not_text,
        _lengths_beyond_the_postings,
        _lengths_short_of_the_postings,
        _a_word_missing,
        _bits_not_bytes,
    ],
)
def test_a_payload_that_does_not_add_up_is_never_used(
    library: Store, change: Callable[[State], None]
) -> None:
    path = saved(library)
    _meta, state = read_state(path)
    main = state["index.main"]
    assert isinstance(main, dict) and main[1][4], "the library should have bit-set postings"
    rewrite(path, change)
    expect_build(library)


def test_truncated_files_of_this_format_are_never_used(library: Store) -> None:
    path = saved(library)
    data = path.read_bytes()
    for size in range(0, len(data), max(1, len(data) // 23)):
        path.write_bytes(data[:size])
        assert cache.load(library) is None


def test_typo_candidates_grouped_lazily_equal_the_full_grouping(library: Store) -> None:
    engine = SearchEngine.load(library)
    try:
        index: InvertedIndex = engine._state.index
        words = index.with_prefix("")
        expected: dict[tuple[int, str], list[str]] = {}
        for word in words:
            expected.setdefault((len(word), word[0]), []).append(word)
        for (length, first), group in expected.items():
            assert index.by_length(length, first) == group
        assert index.by_length(3, "\U0010ffff") == []
        assert index.by_length(99, "d") == []
    finally:
        engine.close()
