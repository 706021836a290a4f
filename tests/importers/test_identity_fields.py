"""Every identity field travels through readq's JSON and back, and the Atom and BibTeX
importers fill them.

The round trips compare the papers' JSON (``Paper.to_json``), the shape ``show --json`` prints
and the backup writes, field for field.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from readq.export import export_papers
from readq.importers import IngestError, import_path, import_text
from readq.models import ScrapedPaper, Source
from readq.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

FULL = ScrapedPaper(
    title="Lantern Attention: Lighting Long Contexts with Sparse Wicks",
    abstract="We introduce Lantern Attention, a fictional sparse attention scheme. " * 3,
    published="2026-12-02",
    published_text="2 Dec 2026",
    upvotes=7,
    urls=("https://example.org/lantern",),
    arxiv_id="2612.04011",
    arxiv_version=2,
    author_names=("Ada Quill", "Bram Osei", "Zoë Ångström"),
    categories=("cs.LG", "cs.CL"),
    comments="14 pages, 6 figures",
    journal_ref="Proc. Imaginary Conf. 3 (2026) 1-14",
    doi="10.5555/fict.lantern",
    summary="Sparse wicks light long contexts cheaply.",
)
PARTIAL = ScrapedPaper(
    title="Teacup Routing for Mixture-of-Kettles Models",
    abstract="Mixture-of-Kettles models route each token to a kettle; we show that a …",
    abstract_partial=True,
    author_names=("D Ellwood",),
    authors=5,
)
BARE = ScrapedPaper(title="A paper from a Hugging Face listing", authors=4)


def _library(store: Store) -> None:
    store.ingest([FULL, PARTIAL, BARE], Source("l", "/l.txt", "2026-12-06"), "hf")
    store.save_note(1, "a note")


def _export(store: Store) -> dict[str, object]:
    out = io.StringIO()
    export_papers(store, None, "json", out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def test_the_export_carries_every_identity_field(store: Store) -> None:
    _library(store)
    first, second, third = _export(store)["papers"]  # type: ignore[misc]
    assert first["author_names"] == ["Ada Quill", "Bram Osei", "Zoë Ångström"]
    assert first["authors"] == 3
    assert first["categories"] == ["cs.LG", "cs.CL"]
    assert (first["arxiv_id"], first["arxiv_version"], first["doi"]) == (
        "2612.04011",
        2,
        "10.5555/fict.lantern",
    )
    assert (first["comments"], first["journal_ref"]) == (FULL.comments, FULL.journal_ref)
    assert (first["summary"], first["abstract_partial"]) == (FULL.summary, False)
    assert (second["abstract_partial"], second["authors"], second["author_names"]) == (
        True,
        5,
        ["D Ellwood"],
    )
    assert (third["author_names"], third["categories"], third["arxiv_version"]) == ([], [], None)
    assert (third["doi"], third["authors"]) == (None, 4)


def test_round_trip_into_an_empty_library_is_identical(store: Store, tmp_path: Path) -> None:
    _library(store)
    backup = tmp_path / "backup.json"
    export_papers(store, None, "json", backup)
    with Store.open(tmp_path / "restored.db") as restored:
        assert import_path(restored, str(backup)).result.restored
        assert [p.to_json() for p in restored.list_papers()] == [
            p.to_json() for p in store.list_papers()
        ]


def test_round_trip_by_merge_is_identical(store: Store, tmp_path: Path) -> None:
    """Into a library that already holds something, papers are merged (new ids), with every
    identity field as exported."""
    _library(store)
    subset = tmp_path / "subset.json"
    export_papers(store, [1, 2, 3], "json", subset)
    with Store.open(tmp_path / "other.db") as other:
        other.ingest([ScrapedPaper("Something else entirely")], Source("o", "/o", "x"), "hf")
        result = import_path(other, str(subset)).result
        assert (result.restored, result.new) == (False, 3)
        keep = ("id", "added_at", "updated_at", "sources")
        got = [
            {k: v for k, v in p.to_json().items() if k not in keep}
            for p in other.list_papers()
            if p.title != "Something else entirely"  # the imported papers keep their added_at
        ]
        want = [
            {k: v for k, v in p.to_json().items() if k not in keep} for p in store.list_papers()
        ]
        assert sorted(got, key=str) == sorted(want, key=str)


def test_list_json_output_round_trips_the_identity(store: Store, tmp_path: Path) -> None:
    """``readq list --json`` (an array of Paper.to_json) is importable with the new fields."""
    _library(store)
    array = json.dumps([p.to_json() for p in store.list_papers()])
    with Store.open(tmp_path / "other.db") as other:
        import_text(other, array, name="list.json")
        assert {p.title: p.to_json()["author_names"] for p in other.list_papers()} == {
            p.title: list(p.author_names) for p in store.list_papers()
        }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("author_names", "Ada Quill", "author_names is not a list"),
        ("author_names", ["Ada", 3], "author_names is not a list of strings"),
        ("categories", [None], "categories is not a list of strings"),
        ("arxiv_version", "2", "arxiv_version is not an integer"),
        ("arxiv_version", 0, "arxiv_version is not a positive integer"),
        ("doi", 10.5555, "doi is not a string"),
        ("abstract_partial", "yes", "abstract_partial is not true or false"),
    ],
)
def test_malformed_identity_fields_refuse_the_file(
    store: Store, field: str, value: object, message: str
) -> None:
    text = json.dumps([{"title": "A paper", field: value}])
    with pytest.raises(IngestError, match=message):
        import_text(store, text, name="bad.json")
    assert store.count() == 0


def test_untrusted_identity_text_is_cleaned_on_import(store: Store) -> None:
    text = json.dumps(
        [
            {
                "title": "A paper",
                "author_names": ["Ada\x1b[31m Quill", "  ", "Bram\u202e Osei"],
                "categories": ["cs.LG\x07"],
                "comments": "14\x1b]0;pwned\x07 pages",
            }
        ]
    )
    import_text(store, text, name="x.json")
    paper = store.get(1)
    assert paper.author_names == ("Ada Quill", "Bram Osei")
    assert paper.categories == ("cs.LG",)
    assert paper.comments == "14 pages"


def test_the_atom_importer_fills_the_identity(store: Store) -> None:
    text = (FIXTURES / "arxiv_api" / "two_papers.xml").read_text(encoding="utf-8")
    import_text(store, text, name="feed.xml")
    lantern = store.get(1)
    assert lantern.author_names == ("Ada Quill", "Bram Osei", "Chen Varga")
    assert (lantern.arxiv_id, lantern.arxiv_version) == ("2612.04011", 2)
    assert lantern.categories == ("cs.LG", "cs.CL")
    assert lantern.doi == "10.5555/fict.lantern.2026"
    assert lantern.comments == "14 pages, 6 figures; v2 adds the Corridor-1M results"
    assert lantern.journal_ref == "Proc. Imaginary Conf. on Learning 3 (2026) 1-14"


def test_the_bibtex_importer_reads_names_and_identity(store: Store) -> None:
    bib = (
        "@article{quill2026lantern,\n"
        "  title = {Lantern Attention},\n"
        '  author = {Quill, Ada and Osei, Jr., Bram and {\\AA}ngstr{\\"o}m, Zo{\\"e} and others},\n'
        "  eprint = {arXiv:2612.04011v2},\n  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.LG},\n  doi = {https://doi.org/10.5555/FICT.Lantern},\n"
        "  year = {2026}\n}\n"
    )
    import_text(store, bib, name="refs.bib")
    paper = store.get(1)
    assert paper.author_names == ("Ada Quill", "Bram Osei Jr.", "Zoë Ångström")
    assert (paper.arxiv_id, paper.arxiv_version) == ("2612.04011", 2)
    assert (paper.doi, paper.categories) == ("10.5555/fict.lantern", ("cs.LG",))
    assert paper.authors == 4  # "and others" counts, it is not a name
