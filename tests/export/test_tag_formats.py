"""Tags in every export format: BibTeX ``keywords``, a CSV column, the Markdown reading
list, and the Obsidian front-matter ``tags`` (valid YAML, nested tags as ``a/b``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from readq.export import export_papers
from readq.models import ScrapedPaper, Source
from readq.store import Store


def _store(db_path: Path) -> Store:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(db_path)
    store.ingest(
        [
            ScrapedPaper("Quiet Kettles at Dawn", "A fictional abstract about quiet kettles."),
            ScrapedPaper("Loud Teapots at Noon", "A fictional abstract about loud teapots."),
        ],
        Source("hf.txt", "/l/hf.txt", "2026-01-01"),
        "hf",
    )
    store.change_tags([1], ["project/avatars", "R&D"])
    return store


def _text(store: Store, fmt: str) -> str:
    out = io.StringIO()
    export_papers(store, None, fmt, out)
    return out.getvalue()


def test_bibtex_keywords_carry_the_tags(db_path: Path) -> None:
    with _store(db_path) as store:
        text = _text(store, "bibtex")
    first, second = text.split("\n\n@")
    assert "keywords = {readq-new, project/avatars, R\\&D}" in first
    assert "keywords = {readq-new}" in second


def test_csv_has_a_tags_column(db_path: Path) -> None:
    with _store(db_path) as store:
        rows = list(csv.reader(io.StringIO(_text(store, "csv").lstrip("\ufeff"))))
    assert rows[0][-1] == "tags"
    assert [r[-1] for r in rows[1:]] == ["project/avatars; R&D", ""]


def test_markdown_reading_list_shows_the_tags(db_path: Path) -> None:
    with _store(db_path) as store:
        text = _text(store, "markdown")
    line = next(x for x in text.splitlines() if "Quiet Kettles" in x)
    assert "#project/avatars" in line and "R&D" in line


def test_obsidian_front_matter_tags_are_yaml_with_nested_tags(
    db_path: Path, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    with _store(db_path) as store:
        export_papers(store, None, "obsidian", str(vault))
    front = yaml.safe_load((vault / "Quiet Kettles at Dawn.md").read_text().split("---\n")[1])
    assert front["tags"] == ["readq/new", "project/avatars", "R&D"]
    plain = yaml.safe_load((vault / "Loud Teapots at Noon.md").read_text().split("---\n")[1])
    assert plain["tags"] == ["readq/new"]
