"""The first build of the index: stream every row once, append postings as arrays, then derive
the bit sets; optionally with the newer half of the papers scanned by another process.

Why apart: the build is the one hot loop over every paper (seconds at 100k, a minute at 1M),
tuned for speed (local appends, no per-row bit sets); the split build lets a second process
scan half the rows and pickles plain values back, so it must not depend on the engine object.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from readq.search import bitset
from readq.search.documents import LibraryRows, Row, decode
from readq.search.index import Posting, bitmap_threshold, check
from readq.search.query import Field
from readq.search.state import PaperState
from readq.search.tokens import words
from readq.store import Store

YearDocs = dict[int, list[int]]
"""The documents of each publication year."""
Part = dict[str, object]
"""A :func:`scan_part` result: plain values, to pickle between processes."""


class Collect(Protocol):
    """Waits for the other process's :func:`scan_part` result (None if it failed); with
    ``abort``, ends that process instead (the caller gave up on the split) and returns None."""

    def __call__(self, *, abort: bool = False) -> Part | None: ...


StartOther = Callable[[int, int], Collect]
"""Starts the scan of the papers from an id as documents from a number in another process;
returns the :class:`Collect` that waits for its result or ends it."""


def build(state: PaperState, rows: LibraryRows, cancel: Callable[[], bool] | None) -> None:
    """Index every paper of the library into an empty ``state``, then compact the postings."""
    finish(state, rows, scan(state, rows.all_rows(), cancel))
    state.index.compact()


def scan(state: PaperState, cursor: Iterable[Row], cancel: Callable[[], bool] | None) -> YearDocs:
    """Index rows as documents ``index.n, index.n + 1, ...`` (postings as arrays); returns the
    documents of each publication year. :func:`finish` completes the build."""
    index = state.index
    title_post = index.main[Field.TITLE]
    abstract_post = index.main[Field.ABSTRACT]
    org_post = index.main[Field.ORG]
    tokenize = words
    read = decode
    ids_append = state.ids.append
    status_codes = bytearray()
    starred = bytearray()
    years = array("H")
    hashes = array("I")
    sort_hashes = array("I")
    notes = state.notes
    last = state.last_updated
    doc = index.n
    year_docs: YearDocs = {}
    for row in cursor:
        paper = read(row)
        pid, title, abstract, org, note, status, star, year, digest, sort_digest, updated = paper
        ids_append(pid)
        for word in set(tokenize(title)):
            title_post[word].append(doc)  # type: ignore[union-attr]
        for word in set(tokenize(abstract)):
            abstract_post[word].append(doc)  # type: ignore[union-attr]
        if org:
            for word in set(tokenize(org)):
                org_post[word].append(doc)  # type: ignore[union-attr]
        if note:
            notes[doc] = note
        status_codes.append(status)
        starred.append(star)
        years.append(year)
        if year:
            year_docs.setdefault(year, []).append(doc)
        hashes.append(digest)
        sort_hashes.append(sort_digest)
        if updated > last:
            last = updated
        doc += 1
        if doc & 4095 == 0:
            check(cancel)
    index.n = doc
    state.status.extend(status_codes)
    state.starred.extend(starred)
    state.year.extend(years)
    state.hash.extend(hashes)
    state.sort_hash.extend(sort_hashes)
    state.last_updated = last
    return year_docs


def finish(state: PaperState, rows: LibraryRows, year_docs: YearDocs) -> None:
    """Notes' side index, status/star/note bits and year bits of a first build."""
    index = state.index
    for d, note in state.notes.items():
        index.set_side(d, ((Field.NOTE, w) for w in words(note)))
    state.rebuild_state_bits()
    # Papers in the trash are indexed (a restore brings them back without a rebuild) but
    # not alive: no view, count or search shows them.
    state.alive &= ~state.bits_of(rows.trashed_ids())
    state.year_bits = {y: bitset.from_indices(ds, index.n) for y, ds in year_docs.items()}


def build_split(
    state: PaperState,
    rows: LibraryRows,
    start_other: StartOther,
    cancel: Callable[[], bool] | None,
) -> bool:
    """Build as :func:`build` does, with the newer half of the papers scanned by another
    process (``start_other(split_id, first_doc)``, see :func:`scan_part`): the same index.
    False when the split failed (papers deleted or added below the split meanwhile, or the
    other process failed): ``state`` is then unusable."""
    collect: Collect | None = None
    try:
        with rows.one_snapshot():
            first_doc = rows.count() // 2
            split_id = rows.id_at(first_doc)
            if split_id is None:
                return False
            collect = start_other(split_id, first_doc)
            year_docs = scan(state, rows.rows_below(split_id), cancel)
        if state.n != first_doc:
            return False
        part, collect = collect(), None
    finally:
        if collect is not None:  # gave up (or failed) before collecting: end the other
            collect(abort=True)
    if part is None or not merge_part(state, part, year_docs):
        return False
    finish(state, rows, year_docs)
    state.index.compact()
    return True


def scan_part(store: Store, split_id: int, first_doc: int) -> Part:
    """The other half of :func:`build_split`: index the papers with ``id >= split_id`` as
    documents ``first_doc, ...`` on ``store``'s own connection; plain values to pickle."""
    return scan_rows(LibraryRows(store).rows_from(split_id), first_doc)


def scan_rows(cursor: Iterable[Row], first_doc: int) -> Part:
    """Index ``cursor``'s papers as documents ``first_doc, ...`` into a :func:`scan_part`
    result."""
    state = PaperState()
    state.index.n = first_doc
    year_docs = scan(state, cursor, None)
    return {
        "first": first_doc,
        **state.columns(),
        "years": year_docs,
        "main": {int(f): dict(p) for f, p in state.index.main.items()},
    }


def follows(part: Part, before: Sequence[int], first_doc: int) -> bool:
    """Whether ``part`` (from another process) was scanned as documents from ``first_doc``
    and its papers all come after the papers ``before`` (ids in document order)."""
    ids = part.get("ids")
    if part.get("first") != first_doc or not isinstance(ids, array) or ids.typecode != "q":
        return False
    return not (len(ids) and len(before) and ids[0] <= before[-1])


def merge_part(state: PaperState, part: Part, year_docs: YearDocs) -> bool:
    """Append a :func:`scan_part` result after ``state``'s documents (False if it does not
    fit)."""
    index = state.index
    if not follows(part, state.ids, index.n):
        return False
    ids = part["ids"]
    assert isinstance(ids, array)
    state.extend_columns(part)
    state.notes.update(part["notes"])  # type: ignore[call-overload]
    for year, docs in part["years"].items():  # type: ignore[attr-defined]
        year_docs.setdefault(int(year), []).extend(docs)
    main = part["main"]
    total = index.n + len(ids)
    for field in (Field.TITLE, Field.ABSTRACT, Field.ORG):
        postings = index.main[field]
        for word, posting in main[int(field)].items():  # type: ignore[index]
            if isinstance(posting, int):  # compacted by the other process
                postings[word] = join_bits(postings.get(word), posting, total)
            else:
                postings[word].extend(posting)  # type: ignore[union-attr]
    index.n = total
    return True


def compact_last_part(part: Part) -> None:
    """In the process that scanned the last part of a split build or catch-up: turn the
    postings that are sure to become bit sets (in more documents than the threshold of
    :meth:`readq.search.index.InvertedIndex.compact` for all of them, ``first + len(ids)``
    as the part is the last) into bit sets here, so this process does its share of the
    compaction. The merge (:func:`merge_part`, ``Sync.append_bulk``) joins them; the
    final compaction gives the same index."""
    ids = part["ids"]
    first = part["first"]
    main = part["main"]
    assert isinstance(ids, array) and isinstance(first, int) and isinstance(main, dict)
    total = first + len(ids)
    threshold = bitmap_threshold(total)
    for postings in main.values():
        for word, posting in postings.items():
            if len(posting) > threshold:
                postings[word] = bitset.from_indices(posting, total)


def join_bits(posting: Posting | None, bits: int, total: int) -> int:
    """A word's postings joined: ``posting`` (an array or bit set, or None) and ``bits`` (a
    later part's bit set), over ``total`` documents."""
    if posting is None:
        return bits
    if isinstance(posting, int):
        return posting | bits
    return bitset.from_indices(posting, total) | bits if len(posting) else bits
