"""Tags: what a valid tag name is, and the SQL that reads and writes tags.

Why a module of its own: the store's tag verbs (one transaction each), the rules that tag
papers by a query (:mod:`readq.rules`), the exporters and the backup all need the same name
rule and the same reads; keeping them here keeps ``store.py`` a thin owner of transactions.
Every function takes a connection inside the caller's transaction and never commits.

Names. A tag is case-insensitive (its *key* is the casefolded name) and shown as first typed.
``/`` makes a hierarchy (``project/avatars``): ``tag:project`` finds it. A name is one word of
letters, digits and ``- _ . + &``, segments joined by single ``/``: no spaces, commas, quotes,
``#`` or control characters, so that it is one token in a query, one BibTeX keyword, one CSV
cell item and one Obsidian tag.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TAG_MAX_CHARS = 80
"""Longer names are refused: a tag is a label, and rows show several side by side."""

_SEGMENT = r"[^\W][\w.+&-]*"
_NAME = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_CHUNK = 500


class TagNameError(ValueError):
    """A tag name readq refuses; ``str(error)`` is one line for the user."""


def clean_tag(name: str) -> str:
    """The tag name as stored (NFC, surrounding spaces and one leading ``#`` dropped), or
    :class:`TagNameError` saying what is wrong with it."""
    text = unicodedata.normalize("NFC", name).strip()
    if text.startswith("#"):
        text = text[1:]
    shown = ascii(name)[1:-1] if not name.isprintable() else name
    if not text:
        raise TagNameError("a tag name cannot be empty")
    if len(text) > TAG_MAX_CHARS:
        raise TagNameError(f"tag name too long (at most {TAG_MAX_CHARS} characters): {shown!r}")
    if not _NAME.fullmatch(text):
        raise TagNameError(
            f"bad tag name {shown!r}: use letters, digits and - _ . + &, with / between "
            "levels (project/avatars); no spaces, commas or quotes"
        )
    return text


def tag_key(name: str) -> str:
    """The case-insensitive identity of a tag name (or of a ``tag:`` query value)."""
    return unicodedata.normalize("NFC", name).strip().casefold()


def prefix_bounds(key: str) -> tuple[str, str]:
    """Keys strictly between these two are the tag's descendants (``key/...``): ``/`` is
    U+002F and ``0`` U+0030, so the range is one search of the unique key index."""
    return key + "/", key + "0"


@dataclass(frozen=True, slots=True)
class PaperTags:
    """A paper's tags (names) and the tag keys no rule may put back on it: what undo
    restores."""

    id: int
    tags: tuple[str, ...]
    excluded: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TagCount:
    """A tag and how many papers (outside the trash) carry it."""

    name: str
    count: int


def touch(conn: sqlite3.Connection) -> None:
    """Say that tags changed (once per write transaction): a running search index forgets
    the tag sets it keeps (:mod:`readq.search.tagged`), whichever process wrote."""
    conn.execute("UPDATE tag_version SET n = n + 1 WHERE id = 1")


def version(conn: sqlite3.Connection) -> int:
    """The tag write counter :func:`touch` moves on (-1 on a library without one)."""
    row = conn.execute("SELECT n FROM tag_version WHERE id = 1").fetchone()
    return -1 if row is None else int(row[0])


def tag_id(conn: sqlite3.Connection, name: str) -> int:
    """The id of the tag ``name`` (its key), created with this spelling if new."""
    key = tag_key(name)
    row = conn.execute("SELECT id FROM tags WHERE key = ?", (key,)).fetchone()
    if row is not None:
        return int(row[0])
    cur = conn.execute("INSERT INTO tags (name, key) VALUES (?, ?)", (name, key))
    return int(cur.lastrowid or 0)


def find_tag(conn: sqlite3.Connection, name: str) -> tuple[int, str] | None:
    """``(id, name as shown)`` of an existing tag, or None."""
    row = conn.execute("SELECT id, name FROM tags WHERE key = ?", (tag_key(name),)).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def tags_for(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[str]]:
    """The tag names of these papers (sorted case-insensitively), for those that have any."""
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        for pid, name in conn.execute(
            "SELECT paper_id, name FROM paper_tags JOIN tags ON tags.id = tag_id "
            f"WHERE paper_id IN ({marks}) ORDER BY key",
            chunk,
        ):
            found.setdefault(int(pid), []).append(str(name))
    return found


def snapshot(conn: sqlite3.Connection, ids: Sequence[int]) -> list[PaperTags]:
    """What :func:`restore` needs to put these papers' tags back as they are now."""
    names = tags_for(conn, ids)
    excluded: dict[int, list[str]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        for pid, key in conn.execute(
            f"SELECT paper_id, tag_key FROM rule_exclusions WHERE paper_id IN ({marks})", chunk
        ):
            excluded.setdefault(int(pid), []).append(str(key))
    return [
        PaperTags(pid, tuple(names.get(pid, ())), tuple(sorted(excluded.get(pid, ()))))
        for pid in ids
    ]


def restore(conn: sqlite3.Connection, states: Sequence[PaperTags]) -> None:
    """Give each paper exactly the tags and exclusions of its saved state (undo/redo)."""
    ids = [s.id for s in states]
    _delete_for(conn, "paper_tags", ids)
    _delete_for(conn, "rule_exclusions", ids)
    ids_of = {tag_key(n): tag_id(conn, n) for n in {n for s in states for n in s.tags}}
    conn.executemany(
        "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)",
        [(s.id, ids_of[tag_key(n)]) for s in states for n in s.tags],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO rule_exclusions (tag_key, paper_id) VALUES (?, ?)",
        [(k, s.id) for s in states for k in s.excluded],
    )
    drop_unused(conn)
    touch(conn)


def _delete_for(conn: sqlite3.Connection, table: str, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM {table} WHERE paper_id IN ({marks})", chunk)


def change(
    conn: sqlite3.Connection, ids: Sequence[int], add: Iterable[str], remove: Iterable[str]
) -> None:
    """Add tags to and remove tags from papers, by hand: a removal from a paper that carried
    the tag is remembered (no rule tags the paper with it again) and an addition forgets
    that removal."""
    rows = json.dumps(list(ids))
    for name in add:
        tid = tag_id(conn, name)
        conn.execute(
            "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) SELECT value, ? FROM json_each(?)",
            (tid, rows),
        )
        conn.execute(
            "DELETE FROM rule_exclusions WHERE tag_key = ? "
            "AND paper_id IN (SELECT value FROM json_each(?))",
            (tag_key(name), rows),
        )
    for name in remove:
        found = find_tag(conn, name)
        if found is None:
            continue  # no paper carries it: nothing to remove, no decision to remember
        conn.execute(
            "INSERT OR IGNORE INTO rule_exclusions (tag_key, paper_id) "
            "SELECT ?, paper_id FROM paper_tags WHERE tag_id = ? "
            "AND paper_id IN (SELECT value FROM json_each(?))",
            (tag_key(name), found[0], rows),
        )
        conn.execute(
            "DELETE FROM paper_tags WHERE tag_id = ? "
            "AND paper_id IN (SELECT value FROM json_each(?))",
            (found[0], rows),
        )
    drop_unused(conn)
    touch(conn)


def drop_unused(conn: sqlite3.Connection) -> None:
    """Forget tags no paper carries any more (a tag exists while it is used)."""
    conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT DISTINCT tag_id FROM paper_tags)")


def counts(conn: sqlite3.Connection, trash: bool) -> list[TagCount]:
    """Every tag with its number of papers outside the trash, by name (case-insensitive).
    ``trash``: whether the trash holds papers to leave out."""
    outside = (
        " AND paper_id NOT IN (SELECT id FROM papers WHERE deleted_at IS NOT NULL)" if trash else ""
    )
    rows = conn.execute(
        "SELECT name, (SELECT count(*) FROM paper_tags WHERE tag_id = tags.id"
        f"{outside}) FROM tags ORDER BY key"
    )
    return [TagCount(str(name), int(n)) for name, n in rows]


def rename(conn: sqlite3.Connection, old: str, new: str) -> tuple[int, bool]:
    """Rename tag ``old`` to ``new``; when ``new`` already exists (another key) the two are
    merged into it. Rules and remembered removals follow. Returns (papers now carrying the
    tag, whether it was a merge). :class:`TagNameError` when ``old`` does not exist."""
    found = find_tag(conn, old)
    if found is None:
        raise TagNameError(f"no tag {old!r}")
    old_id, old_name = found
    old_key, new_key = tag_key(old_name), tag_key(new)
    target = find_tag(conn, new)
    merged = target is not None and target[0] != old_id
    if target is None or not merged:
        conn.execute("UPDATE tags SET name = ?, key = ? WHERE id = ?", (new, new_key, old_id))
        target_id = old_id
    else:
        assert target is not None
        target_id = target[0]
        conn.execute(
            "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) "
            "SELECT paper_id, ? FROM paper_tags WHERE tag_id = ?",
            (target_id, old_id),
        )
        conn.execute("DELETE FROM tags WHERE id = ?", (old_id,))
    for rule_id, tag in conn.execute("SELECT id, tag FROM rules").fetchall():
        if tag_key(str(tag)) == old_key:
            conn.execute(
                "UPDATE rules SET tag = (SELECT name FROM tags WHERE id = ?) WHERE id = ?",
                (target_id, rule_id),
            )
    conn.execute(
        "INSERT OR IGNORE INTO rule_exclusions (tag_key, paper_id) "
        "SELECT ?, paper_id FROM rule_exclusions WHERE tag_key = ?",
        (new_key, old_key),
    )
    if new_key != old_key:
        conn.execute("DELETE FROM rule_exclusions WHERE tag_key = ?", (old_key,))
    # A paper carrying the tag is not excluded from it (the merge may have joined the two).
    conn.execute(
        "DELETE FROM rule_exclusions WHERE tag_key = ? "
        "AND paper_id IN (SELECT paper_id FROM paper_tags WHERE tag_id = ?)",
        (new_key, target_id),
    )
    touch(conn)
    (count,) = conn.execute(
        "SELECT count(*) FROM paper_tags WHERE tag_id = ?", (target_id,)
    ).fetchone()
    return int(count), merged
