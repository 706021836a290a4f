"""Importing BibTeX: fields, LaTeX decoding, notes, and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest
from exportlib import snapshot

from readq.importers import IngestError, import_path, import_text
from readq.models import Status
from readq.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "import_sample.bib"


def test_fixture_imports_every_titled_entry(store: Store) -> None:
    report = import_path(store, str(FIXTURE))
    assert report.result.format == "bibtex"
    assert (report.result.papers, report.result.new) == (3, 3)
    assert report.warnings == ["entry notitle2020 has no title; skipped"]
    papers = {p.title: p for p in store.list_papers()}
    quill = papers["Quill: Teaching Teapots to Sort & Rank Biscuits"]
    assert quill.abstract.startswith("We present Quill, a biscuit ranking system")
    assert "99% crumb accuracy" in quill.abstract
    assert quill.authors == 3 and quill.published_text == "Mar 2023"
    assert quill.urls == ("https://example.org/quill", "https://doi.org/10.9999/quill.2023.1")
    assert quill.note == "Read the crumb section first; compare with Marmalade."
    assert store.note_revisions(quill.id)[0].kind == "import"
    assert quill.status is Status.NEW and not quill.starred
    marmalade = papers["Marmalade–Jam Transformers for Toast Prediction"]  # -- is an en dash
    assert marmalade.arxiv_id == "2401.99999"
    assert marmalade.urls == ("https://arxiv.org/abs/2401.99999",)
    assert marmalade.note == "Starred by the tea club."
    assert marmalade.status is Status.TO_READ and marmalade.starred
    assert "Kettle Scaling Laws: Über-Boiling in Étretat" in papers
    assert {s.name for s in quill.sources} == {"import_sample.bib"}


def test_reimport_merges_and_keeps_edited_notes(store: Store, tmp_path: Path) -> None:
    import_path(store, str(FIXTURE))
    quill = next(p for p in store.list_papers() if p.title.startswith("Quill"))
    store.save_note(quill.id, "My own words now.")
    store.set_status([quill.id], Status.READ)
    result = import_path(store, str(FIXTURE)).result
    # The file's note is already in the history: nothing new to keep.
    assert (result.new, result.merged, result.conflicts) == (0, 3, 0)
    changed = tmp_path / "changed.bib"
    changed.write_text(FIXTURE.read_text().replace("Read the crumb", "Skip the crumb"))
    result = import_path(store, str(changed)).result
    assert (result.new, result.merged, result.conflicts) == (0, 3, 1)
    after = store.get(quill.id)
    assert after.note == "My own words now." and after.status is Status.READ
    texts = [r.text for r in store.note_revisions(quill.id)]
    assert texts[0].startswith("Skip the crumb") and store.note_revisions(quill.id)[0].kind == (
        "conflict"
    )
    assert any(t.startswith("Read the crumb") for t in texts)
    assert store.count() == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@article{broken,\n  title = {Unclosed\n", "malformed BibTeX"),
        ("@misc{a, title={x}\n@misc{b, title={y}}\n", "malformed BibTeX"),
        ("% only a comment\n@comment{nothing here}\n", "no BibTeX entries"),
        ("@misc{a, author={Nobody}}\n", "no BibTeX entry has a title"),
    ],
)
def test_malformed_bibtex_is_refused_whole(
    store: Store, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import_text(store, "@misc{ok, title={Already here}}\n", name="ok.bib")
    before = snapshot(store)
    with pytest.raises(IngestError, match=message):
        import_text(store, text, name="bad.bib", fmt="bibtex")
    assert snapshot(store) == before
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""  # bibtexparser's logging is silenced
