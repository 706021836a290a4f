"""CSV export: BOM, every field quoted, formula injection defused, reads back with csv."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from exportlib import TRICKY_TITLE, build_library

from readq.export import export_papers
from readq.export.csv import COLUMNS, guard_cell
from readq.models import ScrapedPaper, Source
from readq.store import Store


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("plain = fine", "plain = fine"),
        (None, ""),
        (12, "12"),
    ],
)
def test_guard_cell(value: object, expected: str) -> None:
    assert guard_cell(value) == expected


def test_csv_file_opens_cleanly(store: Store, tmp_path: Path) -> None:
    build_library(store)
    store.ingest(
        [ScrapedPaper('=HYPERLINK("http://evil.example","click")', "x")],
        Source("s", "/s", "t"),
        "hf",
    )
    target = tmp_path / "out.csv"
    assert export_papers(store, None, "csv", target).papers == 5
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 6
    for line in text.split("\r\n")[:-1]:
        assert line.startswith('"') and line.endswith('"')
    by_title = {r[COLUMNS.index("title")]: r for r in rows[1:]}
    assert TRICKY_TITLE in by_title
    assert '\'=HYPERLINK("http://evil.example","click")' in by_title
    assert by_title[TRICKY_TITLE][COLUMNS.index("note")] == (
        "'= a note that looks like a formula\nline two"
    )
    teapot = by_title["Quantum Teapots for Biscuit Ranking"]
    assert teapot[COLUMNS.index("status")] == "read" and teapot[COLUMNS.index("starred")] == "yes"
