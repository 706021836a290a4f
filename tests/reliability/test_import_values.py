"""Issue 12 (import side), through the real CLI: what an import file says is kept exactly
(BibTeX dates and macros) or the file is refused whole (JSON values readq never writes)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from relutil import query, run_readq
from test_ingest_identity import ABSTRACT, hf_listing


def _db() -> Path:
    return Path(os.environ["READQ_DB"])


def _ok(args: list[str], **kwargs: object) -> str:
    result = run_readq(args, **kwargs)  # type: ignore[arg-type]
    assert result.returncode == 0, result.stderr
    return result.stdout


def _matches(query_text: str, db: Path) -> int:
    return len(json.loads(_ok(["--db", str(db), "list", "--query", query_text, "--json"])))


def test_readqs_own_bibtex_keeps_its_years(tmp_path: Path) -> None:
    """Case 8: importing readq's own .bib left ``published`` null, so ``year:2024`` found 0
    papers; now the import has the same years as the library it came from (the search index
    picks the dates up: year filters, the published sort)."""
    papers = [
        (f"Fictional Result Number {i}", ABSTRACT.format(topic=f"result {i}"), date_line)
        for i, date_line in enumerate(["Sep 20, 2024 6", "Mar 3, 2023", "Oct 16, 2024", "Jan 2"])
    ]
    listing = tmp_path / "daily.txt"
    listing.write_text(hf_listing(papers), encoding="utf-8")
    _ok(["ingest", "--year", "2025", str(listing)])
    bib = tmp_path / "mine.bib"
    _ok(["export", "--format", "bibtex", "-o", str(bib)])
    other = tmp_path / "other" / "readq.db"
    other.parent.mkdir()  # --db never creates a directory
    _ok(["--db", str(other), "import", str(bib)])
    for text in ("year:2024", "year:2023", "year:2025", "year:>=2024"):
        assert _matches(text, other) == _matches(text, _db()), text
    assert _matches("year:2024", other) == 2
    dates = query(other, "SELECT published, published_text FROM papers ORDER BY published")
    assert dates == [
        ("2023-03-01", "Mar 2023"),
        ("2024-09-01", "Sep 2024"),
        ("2024-10-01", "Oct 2024"),
        ("2025-01-01", "Jan 2025"),
    ]
    newest = json.loads(_ok(["--db", str(other), "list", "--sort", "published", "--json"]))
    assert newest[0]["title"] == "Fictional Result Number 3"


def test_bibtex_string_concatenation_is_expanded(tmp_path: Path) -> None:
    """Case 8: ``title = "Bomb " # h`` with ``@string{h = "ydrogen"}`` was "Bomb # h"."""
    bib = tmp_path / "macros.bib"
    bib.write_text(
        '@string{h = "ydrogen"}\n@string{venue = {Fictional Workshop}}\n'
        '@inproceedings{k, title = "Bomb " # h, booktitle = venue, year = 2024,\n'
        "  abstract = {A fictional abstract about } # h # { bombs, long enough to key.}}\n",
        encoding="utf-8",
    )
    _ok(["import", str(bib)])
    rows = query(_db(), "SELECT title, abstract, published FROM papers")
    assert rows == [
        (
            "Bomb ydrogen",
            "A fictional abstract about ydrogen bombs, long enough to key.",
            "2024-01-01",
        )
    ]


def test_json_with_impossible_values_is_refused_whole(tmp_path: Path) -> None:
    """Case 18: ``published: "2024-13-45"``, ``added_at: "not a date"``, a revision of kind
    ``bogus`` or base 999 were imported and shown everywhere. Each is now one line naming the
    file, the paper and the field, exit 1, and nothing of the file is imported."""
    good = {"title": "A Good Fictional Paper", "published": "2024-02-29"}
    revision = {"id": 1, "text": "n", "created_at": "2026-01-02T10:00:00+00:00"}
    cases = {
        "published": ({"published": "2024-13-45"}, "paper 2: published '2024-13-45' is not"),
        "added_at": ({"added_at": "not a date"}, "paper 2: added_at 'not a date' is not an"),
        "kind": (
            {"note_revisions": [{**revision, "kind": "bogus"}]},
            "paper 2: note revision 1: kind 'bogus' is not one of",
        ),
        "base": (
            {"note_revisions": [{**revision, "base": 999}]},
            "paper 2: note revision 1: base 999 is not another of its revisions",
        ),
    }
    for name, (fields, message) in cases.items():
        path = tmp_path / f"{name}.json"
        bad = {"title": f"Bad Fictional Paper ({name})", **fields}
        path.write_text(json.dumps({"format": "readq", "version": 1, "papers": [good, bad]}))
        result = run_readq(["import", str(path)])
        assert result.returncode == 1, (name, result.stdout)
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"readq: {path.name}: paper 2: "), line
        assert message in result.stderr
        assert "Traceback" not in result.stderr
        assert query(_db(), "SELECT count(*) FROM papers") == [(0,)], name
