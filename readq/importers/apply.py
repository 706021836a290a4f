"""Writing a parsed import into the library: one transaction, all of it or nothing.

Into an empty library a complete readq JSON export is *restored*: same ids, states, notes,
note revisions, sources and ingest log. Anything else is *merged* by the one matching rule of
ingest and ``readq add`` (``Store.match``: arXiv id, DOI, normalised title, abstract) and its
merge of scraped fields (``Store.merge_scraped``). For a paper already in the library the user's
state wins: its status is kept unless it is ``new``, the star is the OR of both, and a
different note in the file never replaces the library's note: it is kept as a ``conflict``
revision (or becomes the note, as an ``import`` revision, when the library's note is empty).
Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from readq.importers.records import ImportRecord, ParsedImport
from readq.models import Source, Status
from readq.store import (
    SCRAPED_COLUMNS_SQL,
    SCRAPED_MARKS,
    SeenInFile,
    Store,
    identified,
    now_iso,
    scraped_values,
)
from readq.textclean import dedupe_keys


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did to the library."""

    format: str
    papers: int
    new: int
    merged: int
    updated: int = 0
    conflicts: int = 0
    restored: bool = False
    possible_duplicates: tuple[tuple[int, int], ...] = ()
    """(new paper, stored paper) pairs with the same title but different arXiv ids."""


def apply_import(store: Store, parsed: ParsedImport, source: Source) -> ImportResult:
    """Apply ``parsed`` (read from ``source``) to ``store`` in one ``BEGIN IMMEDIATE``."""
    with store.write() as conn:
        empty = conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 0
        if empty and _restorable(parsed):
            return _restore(conn, parsed)
        return _merge_all(store, parsed, source)


def _restorable(parsed: ParsedImport) -> bool:
    """A readq JSON export whose ids can be kept as they are."""
    if not parsed.keeps_ids or not parsed.records:
        return False
    revision_ids: set[int] = set()
    for record in parsed.records:
        if record.old_id is None or record.old_id <= 0:
            return False
        for revision in record.revisions:
            if revision.id is None or revision.id in revision_ids:
                return False
            revision_ids.add(revision.id)
    return True


def _restore(conn: sqlite3.Connection, parsed: ParsedImport) -> ImportResult:
    stamp = now_iso()
    for record in parsed.records:
        paper = record.paper
        assert record.old_id is not None
        conn.execute(
            f"INSERT INTO papers (id, {SCRAPED_COLUMNS_SQL}, status, starred, note, "
            f"note_revision, added_at, updated_at, deleted_at, read_at) "
            f"VALUES (?, {SCRAPED_MARKS}, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.old_id,
                *scraped_values(paper, *dedupe_keys(paper.title, paper.abstract)),
                (record.status or Status.NEW).value,
                int(record.starred),
                record.note,
                record.note_revision,
                record.added_at or stamp,
                record.updated_at or stamp,
                record.deleted_at,
                record.read_at,
            ),
        )
        conn.executemany(
            "INSERT INTO note_revisions (id, paper_id, text, created_at, kind, base_revision) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(r.id, record.old_id, r.text, r.created_at, r.kind, r.base) for r in record.revisions],
        )
        _add_sources(conn, record.old_id, record.sources, stamp)
        _add_dismissed(conn, record.old_id, record)
    for entry in parsed.ingests:
        conn.execute(
            "INSERT INTO ingests (id, name, path, format, at, papers, new, merged) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.id,
                entry.name,
                entry.path,
                entry.format,
                entry.at,
                entry.papers,
                entry.new,
                entry.merged,
            ),
        )
    count = len(parsed.records)
    return ImportResult(parsed.format, papers=count, new=count, merged=0, restored=True)


def _merge_all(store: Store, parsed: ParsedImport, source: Source) -> ImportResult:
    conn = store.conn
    stamp = now_iso()
    seen = SeenInFile()
    duplicates: list[tuple[int, int]] = []
    new_ids: set[int] = set()
    merged_ids: set[int] = set()
    updated_ids: set[int] = set()
    conflicts = 0
    for record in parsed.records:
        paper = identified(record.paper)
        tkey, akey = dedupe_keys(paper.title, paper.abstract)
        match = store.match(paper, tkey, akey, seen)
        pid = match.paper_id
        if pid is None:
            pid = _insert_new(conn, record, tkey, akey, stamp)
            new_ids.add(pid)
            duplicates.extend((pid, other) for other in match.possible_duplicates)
        else:
            changed = store.merge_scraped(pid, paper, tkey, akey, stamp)
            state_changed, conflict = _merge_state(conn, pid, record, stamp)
            conflicts += conflict
            if pid not in new_ids:
                merged_ids.add(pid)
                if changed or state_changed:
                    updated_ids.add(pid)
        seen.record(pid, match, paper, tkey, akey)
        _add_sources(conn, pid, record.sources or (source,), stamp)
    conn.execute(
        "INSERT INTO ingests (name, path, format, at, papers, new, merged) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            source.name,
            source.path,
            f"import-{parsed.format}",
            stamp,
            len(parsed.records),
            len(new_ids),
            len(merged_ids),
        ),
    )
    return ImportResult(
        parsed.format,
        papers=len(parsed.records),
        new=len(new_ids),
        merged=len(merged_ids),
        updated=len(updated_ids),
        conflicts=conflicts,
        possible_duplicates=tuple(duplicates),
    )


def _insert_new(
    conn: sqlite3.Connection, record: ImportRecord, tkey: str, akey: str, stamp: str
) -> int:
    paper = record.paper
    cur = conn.execute(
        f"INSERT INTO papers ({SCRAPED_COLUMNS_SQL}, status, starred, added_at, updated_at, "
        f"deleted_at, read_at) VALUES ({SCRAPED_MARKS}, ?, ?, ?, ?, ?, ?)",
        (
            *scraped_values(paper, tkey, akey),
            (record.status or Status.NEW).value,
            int(record.starred),
            record.added_at or stamp,
            stamp,
            # A paper the backup holds in the trash arrives in the trash; one already in this
            # library keeps its own place (an import never hides a paper the user can see).
            record.deleted_at,
            record.read_at,
        ),
    )
    pid = int(cur.lastrowid or 0)
    _add_dismissed(conn, pid, record)
    mapping: dict[int, int] = {}
    for revision in record.revisions:
        base = mapping.get(revision.base) if revision.base is not None else None
        cur = conn.execute(
            "INSERT INTO note_revisions (paper_id, text, created_at, kind, base_revision) "
            "VALUES (?, ?, ?, ?, ?)",
            (pid, revision.text, revision.created_at, revision.kind, base),
        )
        if revision.id is not None:
            mapping[revision.id] = int(cur.lastrowid or 0)
    current = mapping.get(record.note_revision) if record.note_revision is not None else None
    if current is None and record.note:
        cur = conn.execute(
            "INSERT INTO note_revisions (paper_id, text, created_at, kind, base_revision) "
            "VALUES (?, ?, ?, 'import', NULL)",
            (pid, record.note, stamp),
        )
        current = int(cur.lastrowid or 0)
    if current is not None:
        conn.execute(
            "UPDATE papers SET note = ?, note_revision = ? WHERE id = ?",
            (record.note, current, pid),
        )
    return pid


def _merge_state(
    conn: sqlite3.Connection, pid: int, record: ImportRecord, stamp: str
) -> tuple[bool, int]:
    """Merge the file's user state into paper ``pid``: (anything changed, conflicts kept)."""
    status, starred, note, note_revision = conn.execute(
        "SELECT status, starred, note, note_revision FROM papers WHERE id = ?", (pid,)
    ).fetchone()
    updates: dict[str, object] = {}
    if status == Status.NEW.value and record.status not in (None, Status.NEW):
        assert record.status is not None
        updates["status"] = record.status.value
        if record.status is Status.READ:
            # Read according to the file: its date, else now (as marking it read would).
            updates["read_at"] = record.read_at or stamp
    if record.starred and not starred:
        updates["starred"] = 1
    if _add_dismissed(conn, pid, record):
        updates["updated_at"] = stamp
    conflict = 0
    if record.note and record.note != note:
        if not str(note).strip():
            cur = conn.execute(
                "INSERT INTO note_revisions (paper_id, text, created_at, kind, base_revision) "
                "VALUES (?, ?, ?, 'import', ?)",
                (pid, record.note, stamp, note_revision),
            )
            updates.update(note=record.note, note_revision=int(cur.lastrowid or 0))
        else:
            known = conn.execute(
                "SELECT 1 FROM note_revisions WHERE paper_id = ? AND text = ? LIMIT 1",
                (pid, record.note),
            ).fetchone()
            if known is None:
                conn.execute(
                    "INSERT INTO note_revisions (paper_id, text, created_at, kind, base_revision)"
                    " VALUES (?, ?, ?, 'conflict', ?)",
                    (pid, record.note, stamp, note_revision),
                )
                conflict = 1
    if updates:
        updates["updated_at"] = stamp
        assignments = ", ".join(f"{k} = ?" for k in updates)
        conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?", (*updates.values(), pid))
    return bool(updates) or bool(conflict), conflict


def _add_dismissed(conn: sqlite3.Connection, pid: int, record: ImportRecord) -> bool:
    """Keep the file's "not interested" on paper ``pid`` (a label is only ever added, as a
    star is: an import never takes the user's own judgement back). True if it was new."""
    if record.not_interested_at is None:
        return False
    cur = conn.execute(
        "INSERT OR IGNORE INTO dismissed (paper_id, dismissed_at) VALUES (?, ?)",
        (pid, record.not_interested_at),
    )
    return cur.rowcount > 0


def _add_sources(
    conn: sqlite3.Connection, pid: int, sources: tuple[Source, ...], stamp: str
) -> None:
    conn.executemany(
        "INSERT INTO paper_sources (paper_id, name, path, seen_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (paper_id, path) DO NOTHING",
        [(pid, s.name, s.path or s.name, s.seen_at or stamp) for s in sources],
    )
