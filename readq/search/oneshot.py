"""One-shot search for the CLI: load (or build) an engine, answer one query, close it.

Its own module above both the engine and its persisted cache, which it uses together (the
engine never imports the cache).
"""

from __future__ import annotations

from readq.models import SortKey
from readq.search import cache
from readq.search.engine import SearchEngine
from readq.search.query import parse_query
from readq.store import Store


def search(
    store: Store, query: str, sort: SortKey = SortKey.RELEVANCE, limit: int | None = None
) -> list[int]:
    """One-shot search for the CLI: build an engine, run ``query``, return up to ``limit`` ids.

    Raises :class:`QueryError` for a bad query. Loads the index cache the TUI saved when it
    is usable (:mod:`readq.search.cache`), else builds the whole index; for repeated searches
    keep a :class:`SearchEngine` instead.
    """
    parse_query(query)  # fail fast, before building anything
    engine = cache.load(store, orders=False)  # an order is computed when first used
    if engine is None:
        engine = SearchEngine.load(store)
    try:
        result = engine.search(query, sort=sort)
        return list(result) if limit is None else result[:limit]
    finally:
        engine.close()


def search_ids(
    store: Store, query: str, sort: SortKey = SortKey.RELEVANCE, limit: int | None = None
) -> list[int]:
    """Alias of :func:`search` (the name ``readq list --query`` uses)."""
    return search(store, query, sort, limit)
