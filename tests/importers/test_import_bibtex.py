"""Importing BibTeX: fields, LaTeX decoding, notes, and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.exportlib import snapshot

from readq.importers import IngestError, import_path, import_text
from readq.importers.bibtex import decode_latex, parse_bibtex
from readq.importers.records import ParsedImport
from readq.models import Status
from readq.store import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "import_sample.bib"


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


def _one(text: str) -> ParsedImport:
    return parse_bibtex(text, "refs.bib")


@pytest.mark.parametrize(
    ("fields", "published", "published_text"),
    [
        ("year = 2024", "2024-01-01", "2024"),
        ("year = {2024}, month = mar", "2024-03-01", "Mar 2024"),
        ('year = "2023", month = {11}', "2023-11-01", "Nov 2023"),
        ("year = 2023, month = {December}", "2023-12-01", "Dec 2023"),
        ("date = {2024-02-29}, year = 2023", "2024-02-29", "2024-02-29"),
        ("date = {2022-07}", "2022-07-01", "2022-07"),
        ("date = {2023-02-30}, year = 2023", "2023-01-01", "2023"),
        ("year = {in press}", None, None),
        ("", None, None),
    ],
)
def test_year_month_and_date_give_published(
    fields: str, published: str | None, published_text: str | None
) -> None:
    """Issue 12 item 8: ``published`` stayed null (only the text was kept), so ``year:``
    found no imported paper. The first day of what is known; the text says how precise."""
    (record,) = _one(f"@misc{{k, title = {{Dated}}, {fields}}}\n").records
    assert (record.paper.published, record.paper.published_text) == (published, published_text)


def test_string_macros_and_concatenation_are_expanded() -> None:
    """Issue 12 item 8: ``"Bomb " # h`` was imported as the title "Bomb # h"."""
    text = (
        '@string{h = "ydrogen"}\n'
        "@String{B = {Bo{m}b}}\n"
        '@STRING{both = b # " and H" # h}\n'
        '@misc{k, title = "Bomb " # h, abstract = both # { # kept } # "x#y" # 12,\n'
        "  note = B, year = 2024, month = jan # {}}\n"
    )
    (record,) = _one(text).records
    assert record.paper.title == "Bomb ydrogen"
    assert record.paper.abstract == "Bomb and Hydrogen # kept x#y12"
    assert record.note == "Bomb"
    assert record.paper.published == "2024-01-01"


def test_an_undefined_macro_is_empty_with_a_warning() -> None:
    parsed = _one('@misc{k, title = "Known " # unknown # " end"}\n')
    assert parsed.records[0].paper.title == "Known end"
    assert parsed.warnings == ["entry k: undefined @string unknown (left empty)"]


MACROS = {"alpha": "Al{ph}a", "beta": "Beta # b", "jan": "January"}
PIECE = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab #,=é")), max_size=6).map(lambda t: "{" + t + "}"),
    st.text(alphabet=st.sampled_from(list("ab #,=é{}")), max_size=6)
    .filter(lambda t: t.count("{") == t.count("}") and "}" not in t.split("{")[0])
    .map(lambda t: "{" + t.replace("{", "").replace("}", "") + "}"),
    st.text(alphabet=st.sampled_from(list("ab #,=é")), max_size=6).map(lambda t: f'"{t}"'),
    st.sampled_from(["alpha", "Beta", "JAN", "2024"]),
)


@settings(max_examples=300)
@given(st.lists(PIECE, min_size=1, max_size=5))
def test_concatenation_is_the_pieces_texts_in_order(pieces: list[str]) -> None:
    def text_of(piece: str) -> str:
        if piece[0] in '{"':
            return piece[1:-1]
        return piece if piece.isdigit() else MACROS[piece.lower()]

    want = "".join(text_of(p) for p in pieces)
    strings = '@string{alpha = {Al{ph}a}}\n@string{beta = "Beta # b"}\n'
    value = " # ".join(pieces)
    library_text = f"{strings}@misc{{k, title = {{T}}, abstract = {value}}}\n"
    (record,) = _one(library_text).records
    assert record.paper.abstract == " ".join(decode_latex(want).split())
