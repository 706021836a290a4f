"""Helpers for the export/import tests: a small library with every kind of state, snapshots."""

from __future__ import annotations

from typing import Any

from readq.models import ScrapedPaper, Source, Status
from readq.store import Store

TRICKY_TITLE = "Braces {x} }{ 50% & $5 #1 a_b ~ ^ \\ \"quoted\" 'single' -- ``tex'' 🎉 中文标题"


def build_library(store: Store) -> None:
    """Fill ``store`` with papers covering every field, state and note history."""
    first = [
        ScrapedPaper(
            title="Quantum Teapots for Biscuit Ranking",
            abstract="We rank biscuits with quantum teapots. " * 3,
            published="2024-03-05",
            published_text="Mar 5",
            upvotes=12,
            authors=4,
            org="Lantern Lab",
            urls=("https://example.org/teapot", "https://github.com/example/teapot"),
            arxiv_id="2403.00001",
        ),
        ScrapedPaper(title=TRICKY_TITLE, abstract="Escaping\nacross lines\n@misc{evil,"),
        ScrapedPaper(
            title="Crumbs: a derived title",
            abstract="We introduce Crumbs, a derived-title paper with a long enough abstract.",
            title_derived=True,
        ),
        ScrapedPaper(title="Quantum Kettles", abstract="Kettles, in a quantum way.", upvotes=3),
    ]
    store.ingest(first, Source("daily.txt", "/tmp/daily.txt", "2024-03-06T00:00:00+00:00"), "hf")
    store.ingest(
        [ScrapedPaper(title="Quantum Teapots for Biscuit Ranking", upvotes=20)],
        Source("weekly.txt", "/tmp/weekly.txt", "2024-03-07T00:00:00+00:00"),
        "hf",
    )
    store.set_status([1], Status.READ)
    store.set_status([2], Status.TO_READ)
    store.set_starred([1, 3], True)
    store.save_note(1, "First thoughts.")
    _, rev = store.note_state(1)
    store.save_note(1, "Second thoughts.", base_revision=rev, coalesce_seconds=0)
    store.save_note(1, "Edited elsewhere.", base_revision=rev)  # a conflict
    store.save_note(2, "= a note that looks like a formula\nline two")


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every library table (ids included), for comparing two libraries."""
    tables = {
        "papers": "SELECT * FROM papers ORDER BY id",
        "paper_sources": "SELECT paper_id, name, path, seen_at FROM paper_sources "
        "ORDER BY paper_id, path",
        "note_revisions": "SELECT * FROM note_revisions ORDER BY id",
        "ingests": "SELECT * FROM ingests ORDER BY id",
    }
    return {name: store.conn.execute(sql).fetchall() for name, sql in tables.items()}
