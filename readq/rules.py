"""Rules: tags that apply themselves. A rule is a tag and a query; it tags every paper the
query selects now, and every paper that arrives later (ingest, import, ``readq add``) in the
transaction that stores it.

Why the SQL path: a rule must answer exactly and without the in-memory index (a CLI ingest
has none loaded), so a rule's query is evaluated by :mod:`readq.search.sql`, restricted to the
new papers' ids when papers arrive: the cost is that of the new papers, not the library's.
A tag the user removed by hand from a paper (``rule_exclusions``) is never put back by a rule.
The functions take a store or connection inside the caller's write and never commit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from readq import tags
from readq.rule_values import Rule as Rule
from readq.search import sql
from readq.search.query import Query, QueryError, parse_query
from readq.store import Store, now_iso

PREVIEW_LIMIT = 50
"""Papers a preview lists (the count covers them all)."""


def check(tag: str, query: str) -> tuple[str, Query]:
    """The cleaned tag name and parsed query of a rule, or a ``ValueError`` (a bad tag name,
    a malformed query, or an empty one: a rule that tags everything is a mistake)."""
    name = tags.clean_tag(tag)
    try:
        parsed = parse_query(query)
    except QueryError as exc:
        raise QueryError(f"bad rule query: {exc}") from None
    if parsed.is_empty:
        raise QueryError("a rule needs a query (it would tag every paper)")
    return name, parsed


def rules(conn: sqlite3.Connection) -> list[Rule]:
    """Every rule, in the order they were added (the order they are applied in)."""
    return [
        Rule(int(r[0]), str(r[1]), str(r[2]), str(r[3]))
        for r in conn.execute("SELECT id, tag, query, created_at FROM rules ORDER BY id")
    ]


def add(store: Store, tag: str, query: str) -> tuple[Rule, int]:
    """Store a rule and apply it to every paper it selects now (one transaction). Returns
    the rule and how many papers it newly tagged."""
    name, parsed = check(tag, query)
    with store.write() as conn:
        existing = tags.find_tag(conn, name)
        shown = existing[1] if existing is not None else name
        stamp = now_iso()
        cur = conn.execute(
            "INSERT INTO rules (tag, query, created_at) VALUES (?, ?, ?)", (shown, query, stamp)
        )
        rule = Rule(int(cur.lastrowid or 0), shown, query, stamp)
        tagged = _apply(store, conn, rule.tag, parsed, None)
    return rule, tagged


def remove(store: Store, number: int) -> Rule | None:
    """Delete rule ``number`` (the tags it applied stay: they are tags now). None if there
    is no such rule."""
    with store.write() as conn:
        found = [r for r in rules(conn) if r.id == number]
        conn.execute("DELETE FROM rules WHERE id = ?", (number,))
    return found[0] if found else None


def apply_to_new(store: Store, ids: Sequence[int]) -> int:
    """Apply every rule to papers just stored (``ids``), inside the caller's transaction.
    Returns how many tags were added. Costs one indexed probe when there are no rules."""
    if not ids:
        return 0
    conn = store.conn
    found = rules(conn)
    added = 0
    for rule in found:
        try:
            parsed = parse_query(rule.query)
        except QueryError:
            continue  # a rule from a newer readq's language: skipped, never fails an ingest
        added += _apply(store, conn, rule.tag, parsed, ids)
    return added


def import_rules(
    store: Store, found: Sequence[tuple[str, str, str | None]], *, new_ids: set[int] | None
) -> list[Rule]:
    """Rules an import brings, as (tag, query, created_at), inside the caller's write.

    A restore (``new_ids`` None) stores them exactly and runs none: the backup already holds
    what they did. A merge adds the ones the library lacks and runs them over every paper,
    and runs the library's own rules over the papers the import added (as on ingest).
    Returns the rules added."""
    conn = store.conn
    known = {(tags.tag_key(r.tag), r.query) for r in rules(conn)}
    fresh: list[Rule] = []
    for tag, query, created_at in found:
        if new_ids is not None and (tags.tag_key(tag), query) in known:
            continue
        known.add((tags.tag_key(tag), query))
        stamp = created_at or now_iso()
        cur = conn.execute(
            "INSERT INTO rules (tag, query, created_at) VALUES (?, ?, ?)", (tag, query, stamp)
        )
        fresh.append(Rule(int(cur.lastrowid or 0), tag, query, stamp))
    if new_ids is not None:
        apply_to_new(store, sorted(new_ids))
        apply_all(store, conn, fresh)
    return fresh


def apply_all(store: Store, conn: sqlite3.Connection, found: Sequence[Rule]) -> int:
    """Apply these rules to every paper (an import that brought them), in the caller's
    transaction."""
    added = 0
    for rule in found:
        try:
            parsed = parse_query(rule.query)
        except QueryError:
            continue
        added += _apply(store, conn, rule.tag, parsed, None)
    return added


def _apply(
    store: Store,
    conn: sqlite3.Connection,
    tag: str,
    query: Query,
    ids: Sequence[int] | None,
) -> int:
    condition, params, functions = sql.where(query, None, trash=store.has_trash())
    if functions:
        sql.register_functions(conn)
    params = {**params, "rq_tag": tags.tag_id(conn, tag), "rq_key": tags.tag_key(tag)}
    restrict = ""
    if ids is not None:
        restrict = " AND id IN (SELECT value FROM json_each(:rq_ids))"
        params["rq_ids"] = json.dumps(list(ids))
    cur = conn.execute(
        "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) SELECT id, :rq_tag FROM papers "
        f"WHERE {condition}{restrict} "
        "AND id NOT IN (SELECT paper_id FROM rule_exclusions WHERE tag_key = :rq_key)",
        params,
    )
    tags.drop_unused(conn)
    if cur.rowcount > 0:
        tags.touch(conn)
    return max(0, cur.rowcount)


def matching(store: Store, query: Query, tag: str | None = None) -> tuple[int, list[int]]:
    """What a rule with ``query`` (and ``tag``) selects now: how many papers it would tag
    (those the user removed ``tag`` from left out) and the first :data:`PREVIEW_LIMIT` ids,
    newest first. For the rule list's counts and the preview before saving."""
    condition, params, functions = sql.where(query, None, trash=store.has_trash())
    conn = store.conn
    if functions:
        sql.register_functions(conn)
    if tag is not None:
        condition += " AND id NOT IN (SELECT paper_id FROM rule_exclusions WHERE tag_key = :rq_key)"
        params = {**params, "rq_key": tags.tag_key(tag)}
    (count,) = conn.execute(f"SELECT count(*) FROM papers WHERE {condition}", params).fetchone()
    first = conn.execute(
        f"SELECT id FROM papers WHERE {condition} ORDER BY added_at DESC, id LIMIT {PREVIEW_LIMIT}",
        params,
    ).fetchall()
    return int(count), [int(r[0]) for r in first]
