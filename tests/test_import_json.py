"""Importing readq JSON into a non-empty library: dedupe, user state, notes never lost."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from exportlib import build_library, snapshot

from readq.export import export_papers
from readq.importers import IngestError, import_path, import_text
from readq.models import ScrapedPaper, Source, Status
from readq.store import Store


def _export(store: Store) -> str:
    out = io.StringIO()
    export_papers(store, None, "json", out)
    return out.getvalue()


def _doc(*papers: dict[str, Any]) -> str:
    return json.dumps({"format": "readq", "version": 1, "papers": list(papers)})


def test_importing_a_library_into_itself_changes_nothing(store: Store) -> None:
    build_library(store)
    before = snapshot(store)
    report = import_text(store, _export(store), name="self.json")
    assert (report.result.new, report.result.merged, report.result.updated) == (0, 4, 0)
    after = snapshot(store)
    assert after["papers"] == before["papers"]
    assert after["note_revisions"] == before["note_revisions"]


def test_merge_keeps_user_state_and_notes(store: Store, tmp_path: Path) -> None:
    build_library(store)
    other_path = tmp_path / "other.db"
    with Store.open(other_path) as other:
        other.ingest(
            [
                ScrapedPaper("quantum teapots for biscuit RANKING!", "x", org="Other Org"),
                ScrapedPaper("Quantum Kettles", "Kettles, in a quantum way."),
                ScrapedPaper("A Brand New Paper", "Never seen before.", published="2023-02-01"),
            ],
            Source("other.txt", "/o", "t"),
            "hf",
        )
        other.set_status([1], Status.NEW)  # library says read: kept
        other.set_status([2], Status.READ)  # library says new: taken
        other.set_starred([2, 3], True)
        other.save_note(1, "A different opinion.")
        other.save_note(2, "Kettle note.")
        other.save_note(3, "Fresh note.")
        _, rev = other.note_state(3)
        other.save_note(3, "Fresh note, edited.", base_revision=rev, coalesce_seconds=0)
        text = _export(other)
    report = import_text(store, text, name="other.json")
    result = report.result
    assert (result.papers, result.new, result.merged, result.conflicts) == (3, 1, 2, 1)
    teapot = store.get(1)
    assert teapot.status is Status.READ and teapot.starred
    assert teapot.note == "Edited elsewhere."  # never overwritten
    conflicts = [r for r in store.note_revisions(1) if r.kind == "conflict"]
    assert "A different opinion." in [r.text for r in conflicts]
    assert teapot.org == "Lantern Lab"  # scraped fields: only missing ones filled
    assert "other.txt" in {s.name for s in teapot.sources}
    kettles = store.get(4)
    assert kettles.status is Status.READ and kettles.starred and kettles.note == "Kettle note."
    assert store.note_revisions(4)[0].kind == "import"
    fresh = next(p for p in store.list_papers() if p.title == "A Brand New Paper")
    assert fresh.starred and fresh.note == "Fresh note, edited."
    assert [r.text for r in store.note_revisions(fresh.id)] == [
        "Fresh note, edited.",
        "Fresh note.",
    ]
    assert fresh.note_revision == store.note_revisions(fresh.id)[0].id
    again = import_text(store, text, name="other.json").result
    assert (again.new, again.conflicts, again.updated) == (0, 0, 0)


def test_derived_titles_merge_by_abstract(store: Store) -> None:
    abstract = "We introduce Crumbs, a derived-title paper with a long enough abstract."
    store.ingest(
        [ScrapedPaper("Crumbs", abstract, title_derived=True)], Source("a", "/a", "t"), "x"
    )
    doc = _doc({"title": "Crumbs: other words", "title_derived": True, "abstract": abstract})
    result = import_text(store, doc, name="d.json").result
    assert (result.new, result.merged) == (0, 1)
    assert store.count() == 1


def test_list_json_output_is_accepted(store: Store, tmp_path: Path) -> None:
    build_library(store)
    array = json.dumps([p.to_json() for p in store.list_papers()])
    with Store.open(tmp_path / "fresh.db") as fresh:
        result = import_text(fresh, array, name="list.json").result
        assert not result.restored and result.new == 4
        assert {p.title for p in fresh.list_papers()} == {p.title for p in store.list_papers()}
        assert fresh.stats() == store.stats()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"papers": []}', "not a readq export"),
        ('{"format": "readq", "papers": []}', "without a format version"),
        ('{"format": "readq", "version": 99, "papers": []}', "newer readq"),
        ('"just a string"', "not a readq export"),
        (_doc({"abstract": "no title"}), "paper 1: missing title"),
        (_doc({"title": "T", "status": "skimmed"}), "paper 1: unknown status"),
        (_doc({"title": "T", "starred": "yes"}), "paper 1: starred is not true or false"),
        (_doc({"title": "T", "urls": "http://x"}), "paper 1: urls is not a list"),
        (_doc({"title": "T", "id": 1}, {"title": "U", "id": 1}), "paper 2: id 1 appears twice"),
        (_doc({"title": "T", "note_revision": 5}), "note_revision 5 is not one of its"),
        ("[" * 100_000, "malformed JSON"),
    ],
)
def test_invalid_documents_are_refused_whole(store: Store, text: str, message: str) -> None:
    build_library(store)
    before = snapshot(store)
    with pytest.raises(IngestError, match=message) as info:
        import_text(store, text, name="bad.json")
    assert str(info.value).startswith("bad.json: ")
    assert snapshot(store) == before


def test_a_failure_while_applying_rolls_everything_back(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_library(store)
    path = tmp_path / "lib.json"
    path.write_text(_doc({"title": "One"}, {"title": "Two"}, {"title": "Three"}))
    before = snapshot(store)
    from readq.importers import apply

    real = apply._insert_new
    calls = []

    def failing(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(apply, "_insert_new", failing)
    with pytest.raises(RuntimeError):
        import_path(store, str(path))
    assert snapshot(store) == before


def test_titles_without_a_key_are_told_apart_by_their_abstracts(store: Store) -> None:
    """Issue 12 item 3 (import side): an import's in-file dedupe uses the same identity rule."""
    store.ingest([ScrapedPaper(title="Existing", abstract="x" * 60)], Source("a", "a", "t"), "hf")
    papers = [
        {"title": title, "abstract": f"We study fictional problem number {i} and report on it."}
        for i, title in enumerate(("🚀", "🔥", "∇"))
    ]
    papers += [{"title": "..", "abstract": "Short."}, {"title": "...", "abstract": "Short."}]
    result = import_text(store, json.dumps(papers), name="symbols.json").result
    assert (result.new, result.merged) == (5, 0)
    again = import_text(store, json.dumps(papers[:3]), name="symbols.json").result
    assert (again.new, again.merged) == (0, 3)
    assert store.count() == 6
