"""JSON export: the backup format, and its round trip into an empty library."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from support.exportlib import build_library, snapshot

from readq.export import ExportFormat, export_papers
from readq.export.json import FORMAT_VERSION
from readq.importers import import_path
from readq.store import Store


def test_document_has_format_version_and_every_field(store: Store) -> None:
    build_library(store)
    out = io.StringIO()
    result = export_papers(store, None, ExportFormat.JSON, out)
    data = json.loads(out.getvalue())
    assert result.papers == 4
    assert (data["format"], data["version"], data["complete"]) == ("readq", FORMAT_VERSION, True)
    assert len(data["ingests"]) == 2
    first = data["papers"][0]
    assert first["status"] == "read" and first["starred"] is True
    assert first["upvotes"] == 20 and first["arxiv_id"] == "2403.00001"
    assert [s["name"] for s in first["sources"]] == ["daily.txt", "weekly.txt"]
    kinds = [r["kind"] for r in first["note_revisions"]]
    assert "conflict" in kinds
    assert first["note"] == "Edited elsewhere."
    assert first["note_revision"] == first["note_revisions"][-1]["id"]


def test_round_trip_into_an_empty_library_is_identical(store: Store, tmp_path: Path) -> None:
    build_library(store)
    backup = tmp_path / "backup.json"
    export_papers(store, None, "json", backup)
    with Store.open(tmp_path / "restored.db") as restored:
        report = import_path(restored, str(backup))
        assert report.result.restored
        assert snapshot(restored) == snapshot(store)
        assert [p.to_json() for p in restored.list_papers()] == [
            p.to_json() for p in store.list_papers()
        ]


def test_subset_export_has_only_those_papers(store: Store) -> None:
    build_library(store)
    out = io.StringIO()
    export_papers(store, [3, 1], "json", out)
    data = json.loads(out.getvalue())
    assert [p["id"] for p in data["papers"]] == [3, 1]
    assert data["complete"] is False and "ingests" not in data


def test_an_empty_library_exports_nothing(store: Store, tmp_path: Path) -> None:
    """Issue 12 item 20: no papers, nothing written (the caller says so)."""
    out = io.StringIO()
    assert export_papers(store, None, "json", out).papers == 0
    assert out.getvalue() == ""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    assert export_papers(store, None, "json", out_dir / "x.json").papers == 0
    assert export_papers(store, [], "obsidian", out_dir / "vault").papers == 0
    assert list(out_dir.iterdir()) == []


def test_failed_export_leaves_no_partial_file(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_library(store)
    target = tmp_path / "out.json"
    target.write_text("previous good export")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("readq.export.json._record", boom)
    with pytest.raises(RuntimeError):
        export_papers(store, None, "json", target)
    assert target.read_text() == "previous good export"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_suggested_names() -> None:
    from datetime import datetime

    from readq.export import suggested_name

    moment = datetime(2024, 3, 5, 10, 15, 0)
    assert suggested_name("bibtex", now=moment) == "readq-20240305-101500.bib"
    assert suggested_name("obsidian", now=moment) == "readq-20240305-101500-vault"
    assert suggested_name(ExportFormat.CSV, now=moment).endswith(".csv")
