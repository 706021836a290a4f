"""Helpers for the sync tests: libraries of fictional papers, and a comparable view of one.

The papers are invented (titles, ids and abstracts in the shapes real listings have); no
text of the real seeds is copied here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from readq.export.json import iter_paper_records
from readq.models import ScrapedPaper, Source
from readq.store import Store
from readq.sync import sync
from readq.sync.engine import SyncResult


def fictional(n: int, *, with_id: bool = True) -> ScrapedPaper:
    """Paper number ``n`` of an invented listing (arXiv id ``2612.1NNNN`` when ``with_id``)."""
    return ScrapedPaper(
        title=f"Sparse Lattice Routing for Imaginary Transformers, part {n}",
        abstract=(
            f"We study invented routing scheme number {n} over toy lattices and show that a "
            f"fictional bound of order {n} holds for every synthetic benchmark we made up."
        ),
        arxiv_id=f"2612.{10000 + n}" if with_id else None,
        author_names=("Ada Quill", f"Ben Sparrow{n}"),
        published="2026-12-01",
    )


def open_library(root: Path, name: str) -> Store:
    """A new library ``root/name/readq.db``."""
    (root / name).mkdir(parents=True, exist_ok=True)
    return Store.open(root / name / "readq.db")


def ingest(store: Store, papers: list[ScrapedPaper], listing: str = "daily.txt") -> None:
    """Ingest ``papers`` as if read from a listing file named ``listing``."""
    source = Source(name=listing, path=f"/listings/{listing}", seen_at="2026-12-02T09:00:00")
    store.ingest(papers, source, "paste")


def run(store: Store, folder: Path, **kwargs: Any) -> SyncResult:
    """Sync ``store`` with ``folder`` (the folder given every time, as a user's first sync)."""
    return sync(store, folder, **kwargs)


def pid_of(store: Store, arxiv_id: str) -> int:
    """The local id of the paper with this arXiv id."""
    row = store.conn.execute("SELECT id FROM papers WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
    assert row is not None, arxiv_id
    return int(row[0])


def comparable(store: Store) -> list[dict[str, Any]]:
    """The library's JSON export without what is local to one device (ids, timestamps of
    local writes, the order rows were inserted in), sorted by identity; then the queue in
    order, the saved views, the rules and the tag counts. Each paper's record keeps its
    ``not_interested_at`` (the "not interested" label travels, with the moment it was said)."""
    papers: list[dict[str, Any]] = []
    for record in iter_paper_records(store, None):
        record = dict(record)
        for local in ("id", "updated_at", "note_revision"):
            record.pop(local, None)
        record["note_revisions"] = sorted(
            (r["text"], r["kind"], r["created_at"]) for r in record["note_revisions"]
        )
        record["sources"] = sorted((s["name"], s["path"], s["seen_at"]) for s in record["sources"])
        assert "not_interested_at" in record  # compared: the label travels by sync
        papers.append(record)
    papers.sort(key=lambda r: json.dumps(r, sort_keys=True))
    # What belongs to the whole library: the queue's visible order (by identity), the tags
    # with their counts, the saved views in tab order and the rules.
    queue = [
        [str(r[0] or ""), str(r[1])]
        for pid in store.queue_ids()
        for r in [
            store.conn.execute("SELECT arxiv_id, title FROM papers WHERE id = ?", (pid,)).fetchone()
        ]
    ]
    views = [[v.name, v.query, v.position] for v in store.views()]
    rules = sorted(
        [str(t), str(q), str(c)]
        for t, q, c in store.conn.execute("SELECT tag, query, created_at FROM rules")
    )
    tag_counts = [[t.name, t.count] for t in store.tag_counts()]
    papers.append({"queue": queue, "views": views, "rules": rules, "tags": tag_counts})
    return papers
