"""The queue in CSV and Markdown exports: CSV's last column is the place in the to-read queue
(1: next up; empty for papers not to read); the reading list's To-read section follows the
queue's order, each paper numbered with its place."""

from __future__ import annotations

import csv
import io

from readq.export import export_papers
from readq.models import ScrapedPaper, Source, Status
from readq.store import Store

TITLES = ["Fictional Lantern Routing", "Fictional Moss Tables", "Fictional Velvet Orbits"]


def _library(store: Store) -> list[int]:
    store.ingest(
        [ScrapedPaper(t, f"A made-up abstract about {t.lower()}.") for t in TITLES],
        Source("hf.txt", "/l/hf.txt", "2026-01-01"),
        "hf",
    )
    ids = sorted(int(r[0]) for r in store.conn.execute("SELECT id FROM papers"))
    store.set_status([ids[0], ids[2]], Status.TO_READ)
    store.queue_move(ids[2], "top")
    return ids


def test_csv_has_the_queue_place_after_comments(store: Store) -> None:
    a, b, c = _library(store)
    out = io.StringIO()
    export_papers(store, [a, b, c], "csv", out)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    header = rows[0]
    place = header.index("queue")
    assert header[place - 1] == "comments" and header[place + 1 :] == ["tags"]
    assert {row[0]: row[place] for row in rows[1:]} == {str(a): "2", str(b): "", str(c): "1"}


def test_the_reading_list_numbers_the_to_read_section_in_queue_order(store: Store) -> None:
    _library(store)
    out = io.StringIO()
    export_papers(store, None, "markdown", out)
    text = out.getvalue()
    section = text.split("## To read")[1].split("##")[0]
    assert [line for line in section.splitlines() if line.startswith("- ")] == [
        "- [ ] 1. **Fictional Velvet Orbits**",
        "- [ ] 2. **Fictional Lantern Routing**",
    ]
    assert "- [ ] **Fictional Moss Tables**" in text
