"""``tag:`` and ``has:tag`` for both query paths: the SQL that selects tagged papers, and
the index's sets of tagged papers.

Why SQL for the index path too: tags change one paper at a time (the picker) or by the
hundred thousand (a rule), from this process or another one; reading them through the
``paper_tags`` index means a change is seen by the next search without updating, reloading
or saving the in-memory index. A ``tag:`` clause reads only its tag's rows
(``(tag_id, paper_id)`` is indexed). The index keeps each answer as a bit set
(:class:`TagSets`) until the library's tag counter (``tag_version``, moved on by every tag
write, whichever process made it) or the index itself changes: typing ``tag:x diffusion``
reads the tag once, not at every keystroke.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterator

from readq.search import bitset
from readq.search.query import HasTagClause, TagClause
from readq.tags import version

MAX_SETS = 64
"""Tag sets kept at most (a set is n/8 bytes: 8 MB at a million papers)."""

HAS_TAG = "SELECT paper_id FROM paper_tags"


def tag_ids_sql(clause: TagClause, param: Callable[[object], str]) -> str:
    """A ``SELECT paper_id`` of the papers ``clause`` names (negation aside): the tag itself
    or any tag below it (``key/...``, one range of the unique key index). ``param`` turns a
    value into a placeholder of the caller's statement."""
    key = param(clause.key)
    low, high = param(clause.key + "/"), param(clause.key + "0")
    return (
        "SELECT paper_id FROM paper_tags WHERE tag_id IN (SELECT id FROM tags "
        f"WHERE key = {key} OR (key > {low} AND key < {high}))"
    )


def condition(clause: TagClause | HasTagClause, param: Callable[[object], str]) -> str:
    """The WHERE term over ``papers`` for ``clause`` (negation aside)."""
    if isinstance(clause, HasTagClause):
        return f"(id IN ({HAS_TAG}))"
    return f"(id IN ({tag_ids_sql(clause, param)}))"


def paper_ids_sql(clause: TagClause | HasTagClause) -> tuple[str, list[object]]:
    """A standalone ``SELECT paper_id`` for ``clause`` and its parameters (the index path
    turns the ids into its bit set; a paper may come once per tag: a bit set does not
    mind, and ``DISTINCT`` would sort every row)."""
    if isinstance(clause, HasTagClause):
        return HAS_TAG, []
    values: list[object] = []

    def param(value: object) -> str:
        values.append(value)
        return "?"

    return tag_ids_sql(clause, param), values


class TagSets:
    """The documents of each tag clause asked for, kept while nothing they depend on
    changed: the library's tag counter and the number of documents (documents are only
    appended; a mark or a note does not change which document is which paper)."""

    def __init__(self) -> None:
        self._key: tuple[int, int] | None = None
        self._sets: dict[TagClause | HasTagClause, int] = {}

    def bits(
        self,
        conn: sqlite3.Connection,
        clause: TagClause | HasTagClause,
        docs_of: Callable[[Iterator[tuple[int]]], list[int]],
        n: int,
        span: tuple[int, int] | None = None,
    ) -> int:
        """The documents ``clause`` selects (negation aside), from the cache or ``conn``.
        ``docs_of`` maps paper ids to documents; ``span`` (first id, count), when the
        documents are the ids from the first on without gaps, lets SQLite do it."""
        key = (version(conn), n)
        if key != self._key:
            self._sets.clear()
            self._key = key
        positive = dataclasses.replace(clause, negated=False)
        found = self._sets.get(positive)
        if found is None:
            found = bitset.from_indices(_docs(conn, positive, docs_of, span), n)
            if len(self._sets) >= MAX_SETS:
                self._sets.pop(next(iter(self._sets)))
            self._sets[positive] = found
        return found


def _docs(
    conn: sqlite3.Connection,
    clause: TagClause | HasTagClause,
    docs_of: Callable[[Iterator[tuple[int]]], list[int]],
    span: tuple[int, int] | None,
) -> list[int]:
    """The documents of ``clause``'s papers (repeats allowed), read as one JSON array built
    by SQLite and parsed in C: at 1.1M tag rows that is ~0.12 s to parse, where a Python
    row per paper cost ~0.5 s more (and 118k rows by ``fetchall``: 63-67 ms against 20-26)."""
    statement, values = paper_ids_sql(clause)
    if span is not None:
        first, count = span
        (text,) = conn.execute(
            f"SELECT json_group_array(paper_id - ?) FROM ({statement}) "
            "WHERE paper_id BETWEEN ? AND ?",
            [first, *values, first, first + count - 1],
        ).fetchone()
        docs: list[int] = json.loads(text)
        return docs
    (text,) = conn.execute(
        f"SELECT json_group_array(paper_id) FROM ({statement})", values
    ).fetchone()
    return docs_of(zip(json.loads(text), strict=False))
