"""The answer to one search: the ordered paper ids, produced lazily, with the counts and
highlights the screens ask of it.

Why apart: a result outlives the call that made it (the TUI pages through it) and projects
documents back to paper ids; it needs the per-paper state and a way to read a row's text, not
the engine that evaluated it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload

from readq.models import SortKey, Stats
from readq.search import bitset
from readq.search.matching import Highlights, Matcher, make_highlights
from readq.search.query import Query, ViewFilter
from readq.search.state import PaperState


class SearchResult(Sequence[int]):
    """The ordered paper ids of one search. Ids are produced lazily: ``len()`` is immediate and
    asking for the first page only materialises the first blocks. ``result.ids`` is ``result``
    itself; ``list(result)`` materialises everything."""

    def __init__(
        self,
        state: PaperState,
        texts: Callable[[int], tuple[str, str]],
        query: Query,
        sort: SortKey,
        view: ViewFilter,
        buckets: list[int],
        matched: int,
        order: Sequence[int] | None,
        matchers: tuple[Matcher, ...],
    ) -> None:
        self.query = query
        self.sort = sort
        self.view = view
        self._state = state
        self._texts = texts
        self._matched = matched
        self._matchers = matchers
        self._total = sum(b.bit_count() for b in buckets)
        self._ids: list[int] = []
        self._doc_ids = state.ids
        self._n = state.n
        self._blocks = self._generate(buckets, order)

    def _generate(self, buckets: list[int], order: Sequence[int] | None) -> Iterator[list[int]]:
        get_id = self._doc_ids.__getitem__
        for bits in buckets:
            count = bits.bit_count()
            first = max(512, min(1 << 14, (self._n * 64) // max(count, 1)))
            blocks = (
                bitset.iter_desc(bits, self._n, first)
                if order is None
                else bitset.iter_in_order(bits, self._n, order)
            )
            for docs in blocks:
                yield list(map(get_id, docs))

    def _fill(self, count: int) -> None:
        while len(self._ids) < count:
            block = next(self._blocks, None)
            if block is None:
                break
            self._ids.extend(block)

    @property
    def ids(self) -> SearchResult:
        """The ordered ids (this result, a lazy sequence)."""
        return self

    def __len__(self) -> int:
        return self._total

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            start, stop, _ = index.indices(self._total)
            self._fill(max(start, stop))
            return self._ids[index]
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError("search result index out of range")
        self._fill(index + 1)
        return self._ids[index]

    def __iter__(self) -> Iterator[int]:
        i = 0
        while True:
            self._fill(i + 1)
            if i >= len(self._ids):
                return
            yield self._ids[i]
            i += 1

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        doc = self._state.doc(value)
        return doc is not None and bool((self._matched >> doc) & 1)

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """Position of paper id ``value`` in the result (``ValueError`` if absent)."""
        if value not in self:
            raise ValueError(f"{value!r} is not in the result")
        for i, pid in enumerate(self):
            if pid == value and i >= start and (stop is None or i < stop):
                return i
        raise ValueError(f"{value!r} is not in the result")

    def counts(self) -> Stats:
        """How many papers match the query in each view (ignoring this result's view)."""
        return self._state.stats(self._matched)

    def highlights(
        self, paper_id: int, title: str | None = None, abstract: str | None = None
    ) -> Highlights:
        """Spans of the title and of an abstract snippet matched by the query's words and
        phrases. Pass the title and abstract if you have them; otherwise they are read from the
        library."""
        if title is None or abstract is None:
            stored_title, stored_abstract = self._texts(paper_id)
            title = stored_title if title is None else title
            abstract = stored_abstract if abstract is None else abstract
        return make_highlights(self._matchers, title, abstract)
