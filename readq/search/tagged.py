"""``tag:`` and ``has:tag`` for both query paths: the SQL that selects tagged papers.

Why SQL for the index path too: tags change one paper at a time (the picker) or by the
hundred thousand (a rule), from this process or another one; reading them through the
``paper_tags`` index at query time means a change is seen by the next search without
updating, reloading or saving the in-memory index (the same way ``read:`` dates are read).
A ``tag:`` clause reads only its tag's rows: ``(tag_id, paper_id)`` is indexed.
"""

from __future__ import annotations

from collections.abc import Callable

from readq.search.query import HasTagClause, TagClause

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
    turns the ids into its bit set)."""
    if isinstance(clause, HasTagClause):
        return f"SELECT DISTINCT paper_id FROM ({HAS_TAG})", []
    values: list[object] = []

    def param(value: object) -> str:
        values.append(value)
        return "?"

    return tag_ids_sql(clause, param), values
