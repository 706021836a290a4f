"""Sort orders of the index: every document in the order of a sort, read from SQLite once and
kept, with changed papers moved into place by a Python key that orders rows exactly as
``ORDER BY`` :data:`readq.store.SORT_SQL` does.

Why apart: "the same order as SQL" is a rule of its own (property-tested against SQLite in
``tests/search/test_orders.py``), and keeping orders current after a write is a job separate
from matching words.
"""

from __future__ import annotations

from array import array
from itertools import filterfalse

from readq.models import SortKey
from readq.search.documents import LibraryRows, Row
from readq.search.state import PaperState

_RESORT_MIN = 64
_RESORT_FRACTION = 200
"""Up to ``max(_RESORT_MIN, n // _RESORT_FRACTION)`` changed papers are moved within the sort
orders (a binary search of SQLite lookups each); more and the orders are recomputed."""


class Unsortable(Exception):
    """A paper's sort key cannot be compared in Python as SQLite would: recompute the order."""


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def desc_text(text: str) -> tuple[int, ...]:
    """A key that sorts strings in descending code point order (SQLite's BINARY collation on
    UTF-8 is code point order): a prefix sorts after the longer string."""
    return (*(-ord(c) for c in text), 1)


def sort_key(sort: SortKey, row: Row) -> tuple[object, ...]:
    """The key of ``row`` (:data:`readq.search.documents.SORT_COLUMNS`) that orders papers
    exactly as ``ORDER BY`` :data:`readq.store.SORT_SQL` does, for every sort but relevance
    (:class:`Unsortable` when a value is of a type SQLite would compare differently)."""
    pid, title, published, upvotes, added_at, read_at, queue_pos = row
    if not isinstance(pid, int):
        raise Unsortable
    if sort is SortKey.QUEUE:
        if queue_pos is None:
            return (1, 0.0, pid)
        if not isinstance(queue_pos, float | int) or isinstance(queue_pos, bool):
            raise Unsortable
        return (0, float(queue_pos), pid)
    if sort is SortKey.ADDED:
        if not isinstance(added_at, str):
            raise Unsortable
        return (desc_text(added_at), pid)
    if sort is SortKey.READ:
        if read_at is None:
            return (1, (), -pid)
        if not isinstance(read_at, str):
            raise Unsortable
        return (0, desc_text(read_at), -pid)
    if sort is SortKey.TITLE:
        if not isinstance(title, str):
            raise Unsortable
        # COLLATE NOCASE folds ASCII letters only.
        return (title.translate(_ASCII_LOWER), pid)
    if sort is SortKey.PUBLISHED:
        if published is None:
            return (1, (), -pid)
        if not isinstance(published, str):
            raise Unsortable
        return (0, desc_text(published), -pid)
    if sort is SortKey.UPVOTES:
        if upvotes is None:
            return (1, 0, -pid)
        if not isinstance(upvotes, int) or isinstance(upvotes, bool):
            raise Unsortable
        return (0, -upvotes, -pid)
    raise Unsortable


class SortOrders:
    """The computed orders (documents, as ``array('I')``) and orders set from outside (the
    recommended one); an order is computed from SQLite on first use."""

    def __init__(self, state: PaperState, rows: LibraryRows) -> None:
        self.state = state
        self.rows = rows
        self.computed: dict[SortKey, array[int]] = {}
        self.external: dict[SortKey, array[int]] = {}

    def get(self, sort: SortKey) -> array[int]:
        """Every document in ``sort`` order."""
        external = self.external.get(sort)
        if external is not None and len(external) == self.state.n:
            return external
        if sort is SortKey.RECOMMENDED:  # no ranking yet, or papers came since: date added
            return self.get(SortKey.ADDED)
        cached = self.computed.get(sort)
        if cached is not None:
            return cached
        ids = self.state.ids
        order: array[int] = array("I")
        first = ids[0] if len(ids) else 0
        contiguous = len(ids) == 0 or ids[-1] - first == len(ids) - 1
        lookup: dict[int, int] | None = None
        if not contiguous:
            lookup = {pid: d for d, pid in enumerate(ids)}
        if sort is SortKey.QUEUE:
            return self._queue_order(lookup, first)
        n = self.state.n
        for (pid,) in self.rows.ordered_ids(sort):
            if lookup is None:
                doc = pid - first
                if 0 <= doc < n:
                    order.append(doc)
            else:
                d = lookup.get(pid)
                if d is not None:
                    order.append(d)
        self.computed[sort] = order
        return order

    def _queue_order(self, lookup: dict[int, int] | None, first: int) -> array[int]:
        """The "queue" order (:data:`readq.store.SORT_SQL`): the queued papers by place (their
        partial index, a to-read-sized query), then every other paper by id, which is the
        documents' own order; so no sort over the whole library after each move."""
        n = self.state.n
        order: array[int] = array("I")
        queued = bytearray(n)
        for (pid,) in self.rows.queued_ids():
            doc = (pid - first) if lookup is None else lookup.get(pid, -1)
            if 0 <= doc < n:
                order.append(doc)
                queued[doc] = 1
        order.extend(d for d in range(n) if not queued[d])
        self.computed[SortKey.QUEUE] = order
        return order

    def set_external(self, sort: SortKey, order: array[int] | None) -> None:
        """Use ``order`` (every document once) for ``sort`` while no paper is added, or stop
        (None): for orders SQL cannot compute (the recommended one)."""
        if order is None:
            self.external.pop(sort, None)
        else:
            self.external[sort] = order

    def drop(self, *sorts: SortKey) -> None:
        """Forget the computed orders of ``sorts`` (recomputed on first use)."""
        for sort in sorts:
            self.computed.pop(sort, None)

    def reposition(self, docs: list[int]) -> None:
        """Put these documents (added, or with a new title, date or upvotes) in their place in
        the computed sort orders; with many of them, drop the orders instead (recomputed from
        SQLite on first use)."""
        if not docs or not self.computed:
            return
        n = self.state.n
        if len(docs) > max(_RESORT_MIN, n // _RESORT_FRACTION):
            self.computed.clear()
            return
        ids = self.state.ids
        rows: dict[int, Row | None] = {}

        def fetch(doc: int) -> Row | None:
            """The :func:`sort_key` row of a document; None if deleted."""
            if doc not in rows:
                rows[doc] = self.rows.sort_row(ids[doc])
            return rows[doc]

        def probe(doc: int) -> Row:
            """The row of a document already in the order (one deleted since cannot be
            compared: the orders are recomputed)."""
            row = fetch(doc)
            if row is None:
                raise Unsortable  # a deleted paper is still in the order
            return row

        try:
            moved = set(docs)
            for sort, order in list(self.computed.items()):
                kept = array("I", filterfalse(moved.__contains__, order))
                for doc in docs:
                    row = fetch(doc)
                    if row is None:
                        continue  # deleted since: not in the order either
                    key = sort_key(sort, row)
                    lo, hi = 0, len(kept)
                    while lo < hi:
                        mid = (lo + hi) // 2
                        if sort_key(sort, probe(kept[mid])) < key:
                            lo = mid + 1
                        else:
                            hi = mid
                    kept.insert(lo, doc)
                self.computed[sort] = kept
        except Unsortable:
            self.computed.clear()
