"""An exact SQL evaluation of a parsed query: one parametrised WHERE over the papers table.

Why: until the in-memory index has loaded (seconds after a big ingest), the list must still
answer the query the user typed with the same meaning (``-x`` excludes, ``is:read`` is a
state, ``year:>=2024`` compares years). Filters, exclusions, ``OR`` and groups mean exactly
what they mean in the index; words differ only in being matched as case-insensitive
substrings (no typo tolerance, no ranking), which is why the TUI labels this path
"approximate". Queries made only of filters are answered here exactly, by the CLI too.

Words and phrases made of ASCII use ``LIKE`` (ASCII case folding, as the index's phrase check
does); others go through a small Python function registered on the connection, which
casefolds as the index does.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

from readq.models import SortKey, Status
from readq.search import tagged
from readq.search.index import SearchCancelled
from readq.search.query import (
    AllOf,
    AnyOf,
    Field,
    HasNoteClause,
    HasTagClause,
    Node,
    PhraseClause,
    Query,
    ReadClause,
    StarredClause,
    StatusClause,
    TagClause,
    ViewFilter,
    WordClause,
    YearClause,
)
from readq.search.selection import Selection
from readq.store import NOT_TRASHED, Store, sort_sql

_COLUMNS = {
    Field.TITLE: "title",
    Field.ABSTRACT: "abstract",
    Field.ORG: "coalesce(org, '')",
    Field.NOTE: "note",
}
_YEAR = (
    "(CASE WHEN substr(published, 1, 4) GLOB '[0-9][0-9][0-9][0-9]' "
    "THEN CAST(substr(published, 1, 4) AS INTEGER) ELSE 0 END)"
)
_OPS = frozenset({"=", "<", "<=", ">", ">="})
_PROGRESS_STEPS = 5_000
"""SQLite virtual machine steps between two checks for cancellation (about 4 steps a paper:
a check every ~1,200 papers, every few milliseconds of a scan)."""
_CONTAINS = "readq_contains"
_PHRASE = "readq_phrase"


class _Builder:
    """Collects parameters while translating nodes (one per word or phrase, shared by the
    fields it is looked for in)."""

    def __init__(self) -> None:
        self.params: dict[str, object] = {}
        self.functions = False

    def param(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return ":" + name

    def node(self, node: Node) -> str:
        sql = self._positive(node)
        return f"NOT {sql}" if node.negated else sql

    def _positive(self, node: Node) -> str:
        if isinstance(node, AllOf):
            return _join(" AND ", [self.node(item) for item in node.items])
        if isinstance(node, AnyOf):
            return _join(" OR ", [self.node(item) for item in node.items])
        if isinstance(node, WordClause):
            return _join(" AND ", [self._text(t, node.fields, phrase=False) for t in node.tokens])
        if isinstance(node, PhraseClause):
            return self._text(node.text, node.fields, phrase=True)
        if isinstance(node, StatusClause):
            return f"(status = {self.param(node.status.value)})"
        if isinstance(node, StarredClause):
            return "(starred = 1)"
        if isinstance(node, HasNoteClause):
            return "(note <> '')"
        if isinstance(node, ReadClause):
            return self._read(node)
        if isinstance(node, TagClause | HasTagClause):
            return tagged.condition(node, self.param)
        return self._year(node)

    def _read(self, clause: ReadClause) -> str:
        if clause.op not in _OPS:  # never from the parser; keeps the SQL text fixed
            raise ValueError(f"bad read operator {clause.op!r}")
        return (
            f"(read_at IS NOT NULL AND substr(read_at, 1, 10) {clause.op} {self.param(clause.day)})"
        )

    def _text(self, text: str, fields: frozenset[Field], *, phrase: bool) -> str:
        columns = [_COLUMNS[f] for f in Field if f in fields]
        if text.isascii():
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like = self.param(f"%{escaped}%")
            tests = [f"{column} LIKE {like} ESCAPE '\\'" for column in columns]
        else:
            self.functions = True
            if phrase:
                pattern = self.param(_phrase_regex(text))
                tests = [f"{_PHRASE}({column}, {pattern})" for column in columns]
            else:
                needle = self.param(text.casefold())
                tests = [f"{_CONTAINS}({column}, {needle})" for column in columns]
        return "(" + " OR ".join(tests) + ")"

    def _year(self, clause: YearClause) -> str:
        if clause.op not in _OPS:  # never from the parser; keeps the SQL text fixed
            raise ValueError(f"bad year operator {clause.op!r}")
        return f"({_YEAR} > 0 AND {_YEAR} {clause.op} {self.param(clause.year)})"


def _join(operator: str, parts: list[str]) -> str:
    """``parts`` joined as a balanced tree: SQLite limits expression depth (1000), and a
    left-deep chain of a thousand pasted words would exceed it."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return f"({_join(operator, parts[:middle])}{operator}{_join(operator, parts[middle:])})"


def _phrase_regex(text: str) -> str:
    return r"\s+".join(re.escape(part) for part in text.split())


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _contains(haystack: object, needle: object) -> bool:
    return isinstance(haystack, str) and str(needle) in haystack.casefold()


def _phrase(haystack: object, pattern: object) -> bool:
    return isinstance(haystack, str) and _compiled(str(pattern)).search(haystack) is not None


def where(
    query: Query, view: ViewFilter = None, *, trash: bool = True, view_index: bool = True
) -> tuple[str, dict[str, object], bool]:
    """The WHERE expression for ``query`` within ``view``, its named parameters, and whether
    it calls readq's SQL functions (see :func:`register_functions`). ``trash``: whether the
    trash holds papers to leave out (without, the condition is not added: it costs).
    ``view_index=False``: SQLite may not use the view's column index (``+status``), so it
    walks the sort order's index instead (see :func:`select_ids`)."""
    builder = _Builder()
    parts = [builder.node(clause) for clause in query.clauses]
    plus = "" if view_index else "+"
    if view == "starred":
        parts.append(f"({plus}starred = 1)")
    elif view is not None:
        parts.append(f"({plus}status = {builder.param(Status(view).value)})")
    if trash:
        parts.append(f"({NOT_TRASHED})")  # the trash is in no view and no search
    sql = _join(" AND ", parts) if parts else "1"
    return sql, builder.params, builder.functions


def register_functions(conn: sqlite3.Connection) -> None:
    """Make the functions non-ASCII words and phrases use available on ``conn``."""
    conn.create_function(_CONTAINS, 2, _contains, deterministic=True)
    conn.create_function(_PHRASE, 2, _phrase, deterministic=True)


def select_ids(
    store: Store,
    query: Query,
    *,
    view: ViewFilter = None,
    sort: SortKey = SortKey.ADDED,
    limit: int | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    reverse: bool = False,
) -> list[int]:
    """The ids of the papers ``query`` selects in ``view``, in ``sort`` order (relevance
    means newest first: ranking needs the index), at most ``limit`` of them (a short scan
    when matches are common: the first screen before the count). Raises
    :class:`SearchCancelled` soon after ``is_cancelled()`` turns True."""
    # The first rows of a big view: walking the sort order's index and stopping after
    # ``limit`` beats the view's index, which makes SQLite sort every paper of the view (the
    # Inbox's first screen took 0.53 s at 1M papers, 0.15 ms walking ``added_at``). A small
    # view keeps its index: walking the order would read most of the library to fill a page.
    walk = (
        limit is not None
        and view is not None
        and sort in WALKABLE_SORTS
        and not query.clauses
        and _big_view(store, view)
    )
    condition, params, functions = where(query, view, trash=store.has_trash(), view_index=not walk)
    sql = f"SELECT id FROM papers WHERE {condition} ORDER BY {sort_sql(sort, reverse=reverse)}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = _fetch(store, sql, params, functions, is_cancelled)
    return [int(row[0]) for row in rows]


def selection_ids(
    store: Store,
    selection: Selection,
    *,
    limit: int | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> list[int]:
    """The exact SQL answer to ``selection`` (its words as substrings, no ranking): the ids
    of its view its query selects, in its sort order. Raises ``QueryError`` for a malformed
    query and :class:`SearchCancelled` once ``is_cancelled()`` turns True."""
    return select_ids(
        store,
        selection.parsed(),
        view=selection.view.filter,
        sort=selection.sort,
        limit=limit,
        is_cancelled=is_cancelled,
        reverse=selection.reverse,
    )


BIG_VIEW = 10_000
"""From this many papers a view's first rows are found by walking the sort order."""
WALKABLE_SORTS = frozenset({SortKey.ADDED, SortKey.RECOMMENDED, SortKey.RELEVANCE, SortKey.READ})
"""Sorts whose ``ORDER BY`` an index (or the rowid) gives in order (see
``readq.migrations``); the queue's index starts with the status, so it keeps the view's."""


def _big_view(store: Store, view: Status | Literal["starred"]) -> bool:
    """Whether ``view`` holds at least :data:`BIG_VIEW` papers (a bounded count on the view's
    own index: ~1 ms)."""
    params: tuple[str, ...] = ()
    if view == "starred":
        condition = "starred = 1"
    else:
        condition, params = "status = ?", (view.value,)
    row = store.conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM papers WHERE {condition} LIMIT ?)",
        (*params, BIG_VIEW),
    ).fetchone()
    return int(row[0]) >= BIG_VIEW


def count(
    store: Store,
    query: Query,
    view: ViewFilter = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> int:
    """How many papers ``query`` selects in ``view``."""
    condition, params, functions = where(query, view, trash=store.has_trash())
    sql = f"SELECT count(*) FROM papers WHERE {condition}"
    return int(_fetch(store, sql, params, functions, is_cancelled)[0][0])


def _fetch(
    store: Store,
    sql: str,
    params: dict[str, object],
    functions: bool,
    is_cancelled: Callable[[], bool] | None,
) -> list[tuple[int, ...]]:
    """Run ``sql``; a stale query is stopped inside SQLite (a scan of 100k abstracts takes
    ~0.2 s: the next keystroke's query must not wait for it)."""
    conn = store.conn
    if functions:
        register_functions(conn)
    if is_cancelled is not None:
        conn.set_progress_handler(lambda: 1 if is_cancelled() else 0, _PROGRESS_STEPS)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        if is_cancelled is not None and is_cancelled():
            raise SearchCancelled from None
        raise
    finally:
        if is_cancelled is not None:
            conn.set_progress_handler(None, 0)
