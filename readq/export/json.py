"""readq's own JSON format: the whole library with every field and all user state.

This is the backup format. The document is an object with ``format`` (``"readq"``) and
``version`` (:data:`FORMAT_VERSION`), the ingest log, and ``papers``: each paper with every
stored field, its status, star, note, the id of the note's current revision, every note
revision (oldest first), every source it was seen in (provenance), its place in the to-read
queue (``queue_pos``, the stored number), its ``tags`` and the tags removed from it by hand
(``tags_removed``, keys no rule may put back); a complete export also holds the saved views
and the tagging ``rules``. One paper per line, written as a stream, so a 1M-paper library
never sits in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from readq import __version__, tags
from readq.export.common import CHUNK
from readq.store import PAPER_COLUMNS, Store, now_iso, row_to_paper, with_tags

FORMAT_NAME = "readq"
FORMAT_VERSION = 1


def write_json(store: Store, ids: Sequence[int] | None, out: TextIO) -> int:
    """Write the papers with ``ids`` (all papers and the ingest log when None) to ``out``.

    Returns the number of papers written.
    """
    header: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "readq_version": __version__,
        "exported_at": now_iso(),
        "complete": ids is None,
    }
    if ids is None:
        header["ingests"] = _ingests(store)
        # Saved views belong to the whole library: a complete backup carries them.
        header["views"] = [v.to_json() for v in store.views()]
        header["rules"] = _rules(store)
    head = json.dumps(header, ensure_ascii=False, indent=1)
    out.write(head[:-2] + ',\n "papers": [\n')
    count = 0
    for record in iter_paper_records(store, ids):
        if count:
            out.write(",\n")
        out.write(json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n ]\n}\n")
    return count


def iter_paper_records(store: Store, ids: Sequence[int] | None) -> Iterator[dict[str, Any]]:
    """The JSON record of each paper (in ``ids`` order, or by id when None: then the trash
    too, each record's ``deleted_at`` saying which papers are in it)."""
    if ids is None:
        ids = [int(r[0]) for r in store.conn.execute("SELECT id FROM papers ORDER BY id")]
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        marks = ",".join("?" * len(chunk))
        rows = {
            int(r[0]): r
            for r in store.conn.execute(
                f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN ({marks})", chunk
            )
        }
        sources: dict[int, list[dict[str, str]]] = {}
        for pid, name, path, seen in store.conn.execute(
            f"SELECT paper_id, name, path, seen_at FROM paper_sources WHERE paper_id IN ({marks})"
            " ORDER BY seen_at, rowid",
            chunk,
        ):
            sources.setdefault(int(pid), []).append({"name": name, "path": path, "seen_at": seen})
        deleted = {
            int(r[0]): str(r[1])
            for r in store.conn.execute(
                f"SELECT id, deleted_at FROM papers WHERE deleted_at IS NOT NULL "
                f"AND id IN ({marks})",
                chunk,
            )
        }
        queued = {
            slot.id: slot.position for slot in store.queue_slots(chunk) if slot.position is not None
        }
        dismissed = {
            int(r[0]): str(r[1])
            for r in store.conn.execute(
                f"SELECT paper_id, dismissed_at FROM dismissed WHERE paper_id IN ({marks})",
                chunk,
            )
        }
        revisions: dict[int, list[dict[str, Any]]] = {}
        for rid, pid, text, created, kind, base in store.conn.execute(
            "SELECT id, paper_id, text, created_at, kind, base_revision FROM note_revisions "
            f"WHERE paper_id IN ({marks}) ORDER BY id",
            chunk,
        ):
            revisions.setdefault(int(pid), []).append(
                {"id": rid, "text": text, "created_at": created, "kind": kind, "base": base}
            )
        named = tags.tags_for(store.conn, chunk)
        excluded: dict[int, list[str]] = {}
        for pid, key in store.conn.execute(
            f"SELECT paper_id, tag_key FROM rule_exclusions WHERE paper_id IN ({marks}) "
            "ORDER BY tag_key",
            chunk,
        ):
            excluded.setdefault(int(pid), []).append(str(key))
        for pid in chunk:
            row = rows.get(pid)
            if row is not None:
                record = _record(
                    row, sources.get(pid, []), revisions.get(pid, []), named.get(pid, [])
                )
                # Tags the user removed by hand, which no rule may put back.
                record["tags_removed"] = excluded.get(pid, [])
                # The backup keeps the trash: import puts these papers back in it.
                record["deleted_at"] = deleted.get(pid)
                # Its place in the to-read queue, exactly as stored (import keeps the order).
                record["queue_pos"] = queued.get(pid)
                # "Not interested" (readq dismiss, key -): a label of the recommended order.
                record["not_interested_at"] = dismissed.get(pid)
                yield record


def _record(
    row: Any,
    sources: list[dict[str, str]],
    revisions: list[dict[str, Any]],
    tag_names: list[str],
) -> dict[str, Any]:
    """One paper of the backup: the same fields as ``readq show --json``, plus the current
    revision id, full provenance and every note revision."""
    paper = with_tags(row_to_paper(row), tag_names)
    record: dict[str, Any] = paper.to_json()
    record["note_revision"] = paper.note_revision
    record["sources"] = sources
    record["note_revisions"] = revisions
    return record


def _rules(store: Store) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT tag, query, created_at FROM rules ORDER BY id")
    return [{"tag": tag, "query": query, "created_at": at} for tag, query, at in rows]


def _ingests(store: Store) -> list[dict[str, Any]]:
    rows = store.conn.execute(
        "SELECT id, name, path, format, at, papers, new, merged FROM ingests ORDER BY id"
    )
    keys = ("id", "name", "path", "format", "at", "papers", "new", "merged")
    return [dict(zip(keys, r, strict=True)) for r in rows]
