"""CSV export: BOM, every field quoted, formula injection defused, reads back with csv."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from support.exportlib import TRICKY_TITLE, build_library
from support.identitylib import LANTERN, give_identity

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


def test_csv_carries_the_identity(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_library(store)
    give_identity(
        monkeypatch,
        {
            1: {**LANTERN, "comments": "=cmd|' /C calc'!A0"},
            3: {"author_names": ("Eve \x1b]52;c;ZXZpbA==\x07Evil\u202e", "Bo\x9b31m Li")},
        },
    )
    target = tmp_path / "out.csv"
    export_papers(store, [1, 3], "csv", target)
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"), newline="")))
    lantern, plain = rows
    assert lantern["author_names"] == "Ada Quill; Bram Osei; Chen Varga"
    assert lantern["authors"] == "3"
    assert (lantern["arxiv_id"], lantern["arxiv_version"]) == ("2612.04011", "2")
    assert lantern["categories"] == "cs.LG; cs.AI"
    assert lantern["doi"] == "10.5555/lantern.2026.7"
    assert lantern["journal_ref"] == "Proc. Fictional Conf. on Lanterns 2026"
    assert lantern["comments"] == "'=cmd|' /C calc'!A0"  # untrusted text is defused too
    assert list(rows[0])[: COLUMNS.index("note") + 1] == list(COLUMNS[: COLUMNS.index("note") + 1])
    assert all(plain[c] == "" for c in ("arxiv_version", "categories", "doi"))
    assert plain["author_names"] == "Eve Evil; Bo Li"  # no terminal controls, even to stdout
    assert "\x1b" not in target.read_text(encoding="utf-8-sig")
