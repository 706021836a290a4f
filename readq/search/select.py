"""Which papers, in what order, for a query plus the CLI's ``--status``/``--starred``: the one
function ``readq list`` and ``readq export`` share.

The options become clauses of the same query (not a Python filter after the search), and the
query is answered where it is exact: by SQL when it has no words or phrases (filters need no
index, and no index is built for them), else by the search index (typos, ranking).
"""

from __future__ import annotations

from readq.models import SortKey, Status
from readq.search import cache, sql
from readq.search.engine import SearchEngine
from readq.search.query import Node, Query, StarredClause, StatusClause, parse_query
from readq.store import Store


def build_query(
    query: str | Query | None, *, status: Status | None = None, starred: bool | None = None
) -> Query:
    """``query`` (parsed if it is text), with ``status`` and ``starred`` (False: not starred)
    as clauses (:class:`~readq.search.QueryError` when the text is malformed)."""
    if not isinstance(query, Query):
        query = parse_query(query or "")
    extra: list[Node] = []
    if status is not None:
        extra.append(StatusClause(status))
    if starred is not None:
        extra.append(StarredClause(negated=not starred))
    return query.with_clauses(*extra) if extra else query


def select_ids(
    store: Store,
    query: str | Query | None,
    *,
    status: Status | None = None,
    starred: bool | None = None,
    sort: SortKey = SortKey.RELEVANCE,
    limit: int | None = None,
    reverse: bool = False,
) -> list[int]:
    """The ids ``query`` (with ``status``/``starred`` added) selects, best matches first, then
    in ``sort`` order; at most ``limit``; ``reverse``: the exact reverse of that list. Raises
    ``QueryError`` for a malformed query.

    A query with words loads the saved index (:mod:`readq.search.cache`; the commands that
    add papers keep it up to date, see :mod:`readq.search.upkeep`) when it is usable, else
    builds the index and saves it, so that only the first search of a library saved by no
    one (an older readq's) pays for a build; for repeated searches keep a
    :class:`SearchEngine` instead.
    """
    parsed = build_query(query, status=status, starred=starred)
    # The recommended order lives in memory (readq.discover), never in SQL.
    if not parsed.has_text and sort is not SortKey.RECOMMENDED:
        return sql.select_ids(store, parsed, sort=sort, limit=limit, reverse=reverse)
    engine = cache.load(store, orders=False)  # an order is computed when first used
    if engine is None:
        engine = SearchEngine.load(store)
        cache.save(engine)  # best effort: False (no file) in a read-only directory
    try:
        if sort is SortKey.RECOMMENDED:
            from readq.discover import Discover

            Discover(engine, engine.reader).ranking()  # installs the order in the engine
        result = engine.search(parsed, sort=sort, reverse=reverse)
        return list(result) if limit is None else result[:limit]
    finally:
        engine.close()


def search(
    store: Store, query: str, sort: SortKey = SortKey.RELEVANCE, limit: int | None = None
) -> list[int]:
    """One-shot search: :func:`select_ids` without state options."""
    return select_ids(store, query, sort=sort, limit=limit)
