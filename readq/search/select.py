"""Which papers, in what order, for a :class:`~readq.search.selection.Selection`: the one
function ``readq list`` and ``readq export`` share.

The selection is answered where it is exact: by SQL when its query has no words or phrases
(filters need no index, and no index is built for them), else by the search index (typos,
ranking). The CLI's ``--status``/``--starred`` are clauses of the selection's query
(:meth:`Selection.with_state`), not a Python filter after the search.
"""

from __future__ import annotations

from readq.models import SortKey
from readq.search import sql
from readq.search.selection import Selection
from readq.store import Store


def select_ids(store: Store, selection: Selection, *, limit: int | None = None) -> list[int]:
    """The ids ``selection`` selects, best matches first, then in its sort order (its
    ``reverse``: the exact reverse of that list); at most ``limit``. Raises ``QueryError``
    for a malformed query.

    A query with words loads the saved index (:mod:`readq.search.cache`; the commands that
    add papers keep it up to date, see :mod:`readq.search.upkeep`) when it is usable, else
    builds the index and saves it, so that only the first search of a library saved by no
    one (an older readq's) pays for a build; for repeated searches keep a
    :class:`SearchEngine` instead.
    """
    parsed = selection.parsed()
    # The recommended order lives in memory (readq.discover), never in SQL.
    if not parsed.has_text and selection.sort is not SortKey.RECOMMENDED:
        return sql.selection_ids(store, selection, limit=limit)
    # The engine (and rapidfuzz) load only for a query with words: start-up cost.
    from readq.search import cache
    from readq.search.engine import SearchEngine

    engine = cache.load(store, orders=False)  # an order is computed when first used
    if engine is None:
        engine = SearchEngine.load(store)
        cache.save(engine)  # best effort: False (no file) in a read-only directory
    try:
        if selection.sort is SortKey.RECOMMENDED:
            from readq.discover import Discover

            Discover(engine, engine.reader).ranking()  # installs the order in the engine
        result = engine.search(
            parsed, sort=selection.sort, view=selection.view.filter, reverse=selection.reverse
        )
        return list(result) if limit is None else result[:limit]
    finally:
        engine.close()


def search(
    store: Store, query: str, sort: SortKey = SortKey.RELEVANCE, limit: int | None = None
) -> list[int]:
    """One-shot search of the whole library: :func:`select_ids` of ``query`` in ``sort``."""
    return select_ids(store, Selection(query=query, sort=sort), limit=limit)
