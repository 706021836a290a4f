"""The library's actions on the to-read queue's order and on saved views.

Each is one transaction in the store and returns a plain outcome; queue moves and applied
suggestions are undo steps (:class:`readq.library.undo.QueueChange`). ``Library`` inherits
these actions; they live here so that the facade stays a table of contents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from readq.library.outcomes import ChangeOutcome, short_title
from readq.library.undo import QueueChange, UndoStack
from readq.models import Paper, SavedView, SortKey
from readq.store import VIEW_NAME_MAX, VIEW_NAME_REFUSED, QueueError, Store, ViewError

if TYPE_CHECKING:
    from readq.search.engine import SearchEngine

PLACE_WORDS = {
    "top": "Moved to the top of the queue",
    "bottom": "Moved to the bottom of the queue",
    "before": "Moved up the queue",
    "after": "Moved down the queue",
}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested queue order, not applied: its label and the papers in that order."""

    name: str
    label: str
    ids: tuple[int, ...]
    changes: int
    """How many papers would change place (0: the queue is already in this order)."""


def suggest_view_name(text: str, taken: Sequence[str]) -> str:
    """A name for a view saved from a filter: the filter's own words, without the characters
    a name may not hold, cut to the length a name may have, made unique against ``taken``
    (case-insensitively) with " 2", " 3"... So ``V`` then Enter saves a view in two keys;
    the user can type over it."""
    cleaned = "".join(" " if c in VIEW_NAME_REFUSED else c for c in text)
    base = " ".join(cleaned.split())[:VIEW_NAME_MAX].strip() or "view"
    used = {name.casefold() for name in taken}
    name, n = base, 1
    while name.casefold() in used:
        n += 1
        suffix = f" {n}"
        name = base[: VIEW_NAME_MAX - len(suffix)].rstrip() + suffix
    return name


class QueueActions:
    """The queue and saved-view actions of ``Library`` (which provides the store and the
    undo history)."""

    store: Store
    undo_stack: UndoStack

    # ------------------------------------------------------------------ queue
    def queue(self, *, limit: int | None = None) -> list[Paper]:
        """The to-read queue, next up first."""
        return self.store.get_many(self.store.queue_ids(limit=limit))

    def papers_in_order(self, ids: Sequence[int]) -> list[Paper]:
        """These papers, in this order (a suggestion's, to show it)."""
        return self.store.get_many(ids, with_sources=False)

    def queue_move(self, paper_id: int, place: str, anchor: int | None = None) -> ChangeOutcome:
        """Move a queued paper to the ``top``/``bottom``, or ``before``/``after`` another
        (one transaction), recorded for undo. ``QueueError`` (a ``ValueError``) when a paper
        is not in the queue, ``UnknownPaperError`` for an unknown id."""
        old = self.store.queue_move(paper_id, place, anchor)
        (new,) = self.store.queue_slots([paper_id])
        paper = self.store.get(paper_id, with_sources=False)
        what = short_title(paper.title)
        description = PLACE_WORDS[place]
        if new.position == old.position:
            return ChangeOutcome(description, (), what, None, (paper_id,))
        change = QueueChange(description, (old,), what)
        self.undo_stack.record(change)
        return ChangeOutcome(description, (paper_id,), what, change)

    def suggest_queue(self, name: str, engine: SearchEngine | None = None) -> Suggestion:
        """A suggested order of the whole queue (``oldest``, ``shortest``, ``recommended``),
        shown, not applied. ``QueueError`` for an unknown name. ``engine``: the search index
        a front end already holds (``recommended`` ranks with it; else the saved one is
        loaded, so call it from a worker)."""
        from readq.queue_order import SUGGESTED_ORDERS

        order = SUGGESTED_ORDERS.get(name)
        if order is None:
            known = ", ".join(sorted(SUGGESTED_ORDERS))
            raise QueueError(f"unknown suggested order {name!r} (expected one of: {known})")
        # With an engine this may run in a worker thread: read through the engine's reader.
        current = (engine.reader if engine is not None else self.store).queue_ids()
        if order.order is None:
            ids = self._ranked_queue(current, engine)
        else:
            ids = order.order(self.store.get_many(current, with_sources=False))
        changes = sum(1 for a, b in zip(ids, current, strict=False) if a != b)
        return Suggestion(order.name, order.label, tuple(ids), changes)

    def _ranked_queue(self, queue: list[int], engine: SearchEngine | None) -> list[int]:
        """The queue in an order only the whole library can compute (the recommended one);
        the facade, which owns the discover model, provides it."""
        raise QueueError("this suggested order needs the library's search index")

    def apply_queue_order(self, suggestion: Suggestion) -> ChangeOutcome:
        """Put the queue in a suggested order (one transaction); one undo step puts every
        paper back where it was."""
        description = f"Queue ordered {suggestion.label}"
        what = f"{len(suggestion.ids)} papers"
        if not suggestion.changes:
            return ChangeOutcome(description, (), what, None)
        before = self.store.set_queue_order(suggestion.ids)
        change = QueueChange(description, tuple(before), what)
        self.undo_stack.record(change)
        return ChangeOutcome(description, tuple(suggestion.ids), what, change)

    # ------------------------------------------------------------------ views
    def views(self) -> list[SavedView]:
        """The saved views, in tab order."""
        return self.store.views()

    def add_view(self, name: str, query: str) -> SavedView:
        """Save a query as a view (a tab). The query must parse: a bad one is a
        ``QueryError`` (one line) and nothing is saved; ``ViewError`` for a bad or taken
        name."""
        from readq.search import parse_query

        if not query.strip():
            raise ViewError("a view needs a query (an empty one is the All view)")
        parse_query(query)
        return self.store.add_view(name, query)

    def remove_view(self, name: str) -> SavedView:
        """Forget a saved view (its papers are untouched); ``ViewError`` if there is none."""
        return self.store.remove_view(name)

    def find_view(self, name: str) -> SavedView:
        """The saved view called ``name`` (any case); ``ViewError`` naming the views there are."""
        found = self.store.view(name)
        if found is None:
            names = ", ".join(v.name for v in self.store.views()) or "none saved yet"
            raise ViewError(f"no saved view called {name.strip()!r} (views: {names})")
        return found

    def view_ids(
        self,
        name: str,
        *,
        sort: SortKey = SortKey.RELEVANCE,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[int]:
        """The papers a saved view shows now, in ``sort`` order."""
        from readq.search.select import select_ids
        from readq.search.selection import Selection, View

        view = self.find_view(name)
        selection = Selection(View.ALL, view.query, sort=sort, reverse=reverse)
        return select_ids(self.store, selection, limit=limit)

    def view_counts(self) -> list[tuple[SavedView, int]]:
        """Every saved view with how many papers it shows now (a view whose query no
        longer parses counts -1)."""
        from readq.search import QueryError, parse_query
        from readq.search import sql as query_sql
        from readq.search.select import select_ids
        from readq.search.selection import Selection, View

        counted: list[tuple[SavedView, int]] = []
        for view in self.store.views():
            try:
                parsed = parse_query(view.query)
            except QueryError:
                counted.append((view, -1))
                continue
            if parsed.has_text:
                selection = Selection(View.ALL, parsed)
                counted.append((view, len(select_ids(self.store, selection))))
            else:
                counted.append((view, query_sql.count(self.store, parsed)))
        return counted

    def rank_in_queue(self, ids: Sequence[int]) -> dict[int, int]:
        """The 1-based place in the queue of those of ``ids`` that are in it."""
        wanted = set(ids)
        return {pid: n for n, pid in enumerate(self.store.queue_ids(), start=1) if pid in wanted}
