"""What the search index knows of each paper, by document number: the inverted index, the
per-paper arrays (id, status, star, year, digests, notes) and the bit sets built from them.

Why a value of its own: building, catching up, evaluating, sorting and saving all read and
write the same per-paper state; keeping it in one object that each part is given (rather than
as attributes of one engine class that every part reaches into) lets each part live in its own
module and be tested alone. It runs no SQL.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Mapping, Sequence

from readq.models import Stats, Status
from readq.search import bitset
from readq.search.documents import STATUSES
from readq.search.index import InvertedIndex
from readq.search.query import ViewFilter

ARRAY_COLUMNS = ("ids", "status", "starred", "year", "hash", "sort_hash")
"""The per-paper arrays of :class:`PaperState`, one entry per document, by attribute name."""


class PaperState:
    """The index and the per-paper arrays of every document (document ``d`` is paper
    ``ids[d]``; ids only grow). Papers in the trash keep their documents but are not
    :attr:`alive`. Not thread-safe: the engine holds its lock around every use."""

    def __init__(self) -> None:
        self.index = InvertedIndex()
        self.ids: array[int] = array("q")
        self.status = bytearray()
        """Status code per document (position in :data:`readq.search.documents.STATUSES`)."""
        self.starred = bytearray()
        self.year = array("H")
        self.hash = array("I")
        """CRC-32 of each document's indexed text (:attr:`readq.search.documents.Doc.text_hash`)."""
        self.sort_hash = array("I")
        self.notes: dict[int, str] = {}
        self.alive = 0
        """Documents in the library and outside the trash (a bit set)."""
        self.status_bits: dict[Status, int] = {s: 0 for s in STATUSES}
        self.starred_bits = 0
        self.note_bits = 0
        self.year_bits: dict[int, int] = {}
        self.last_updated = ""
        """The newest ``updated_at`` read from the library."""

    @property
    def n(self) -> int:
        """Documents indexed, the deleted and trashed included."""
        return self.index.n

    def doc(self, paper_id: int) -> int | None:
        """The document of a paper (None if it is not indexed)."""
        ids = self.ids
        i = bisect.bisect_left(ids, paper_id)
        if i < len(ids) and ids[i] == paper_id:
            return i
        return None

    def id_span(self) -> tuple[int, int] | None:
        """``(first id, count)`` when the ids are one run without gaps (document = id - first),
        else None."""
        ids = self.ids
        if ids and ids[-1] - ids[0] == len(ids) - 1:
            return ids[0], len(ids)
        return None

    def docs_of(self, rows: Iterable[Sequence[object]]) -> list[int]:
        """Documents of the paper ids in ``rows`` (first column); unknown ids skipped."""
        ids = self.ids
        n = len(ids)
        if n and ids[-1] - ids[0] == n - 1:
            first = ids[0]
            return [d for (pid, *_rest) in rows if 0 <= (d := int(pid) - first) < n]  # type: ignore[call-overload]
        found = (self.doc(int(pid)) for (pid, *_rest) in rows)  # type: ignore[call-overload]
        return [d for d in found if d is not None]

    def bits_of(self, rows: Iterable[Sequence[object]]) -> int:
        """The bit set of the documents of the paper ids in ``rows`` (first column)."""
        return bitset.from_indices(self.docs_of(rows), self.n)

    def rebuild_state_bits(self) -> None:
        """Every document alive; status, star and note bits from the per-paper arrays."""
        n = self.n
        self.alive = bitset.full(n) if n else 0
        for code, status in enumerate(STATUSES):
            self.status_bits[status] = bitset.pack(self.status.translate(code_table(code)))
        self.starred_bits = bitset.pack(self.starred)
        self.note_bits = bitset.from_indices(self.notes, n)

    def columns(self) -> dict[str, object]:
        """The per-paper arrays, the notes and the latest update seen, by name: what a scanned
        part (:func:`readq.search.build.scan_part`) and the saved state both carry. The values
        are this state's own objects, not copies."""
        return {
            **{name: getattr(self, name) for name in ARRAY_COLUMNS},
            "notes": self.notes,
            "last_updated": self.last_updated,
        }

    def extend_columns(self, part: Mapping[str, object]) -> None:
        """Append the per-paper arrays of a scanned part (:meth:`columns`) after the current
        documents, for the first build's merge and the bulk append alike."""
        for name in ARRAY_COLUMNS:
            getattr(self, name).extend(part[name])
        self.last_updated = max(self.last_updated, str(part["last_updated"]))

    def add_state_bits(self, first: int) -> None:
        """Documents from ``first`` to the last were just appended: make them alive and set
        their status, star and note bits."""
        n = self.n
        self.alive |= bitset.full(n - first) << first
        for code, status in enumerate(STATUSES):
            part = self.status[first:].translate(code_table(code))
            self.status_bits[status] |= bitset.pack(part) << first
        self.starred_bits |= bitset.pack(self.starred[first:]) << first
        self.note_bits = bitset.from_indices(self.notes, n)

    def view_bits(self, view: ViewFilter) -> int:
        """Live documents in a view: all (None), ``"starred"`` or a status."""
        if view is None:
            return self.alive
        if view == "starred":
            return self.starred_bits & self.alive
        return self.status_bits[Status(view)] & self.alive

    def stats(self, bits: int) -> Stats:
        """Counts per status, starred and with notes among the live documents of ``bits``."""
        bits &= self.alive
        return Stats(
            total=bits.bit_count(),
            by_status={s: (bits & self.status_bits[s]).bit_count() for s in STATUSES},
            starred=(bits & self.starred_bits).bit_count(),
            with_notes=(bits & self.note_bits).bit_count(),
        )

    def memory_bytes(self) -> int:
        """Approximate bytes held by postings and per-paper arrays (not Python overheads)."""
        return (
            self.index.posting_bytes()
            + self.ids.itemsize * len(self.ids)
            + len(self.status)
            + len(self.starred)
            + self.year.itemsize * len(self.year)
            + self.hash.itemsize * len(self.hash)
        )


_CODE_TABLES: dict[int, bytes] = {}


def code_table(code: int) -> bytes:
    """A ``bytes.translate`` table mapping byte ``code`` to 1 and every other byte to 0."""
    table = _CODE_TABLES.get(code)
    if table is None:
        table = bytes(1 if i == code else 0 for i in range(256))
        _CODE_TABLES[code] = table
    return table
