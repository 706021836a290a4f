"""Google Scholar results (readq/ingest/scholar.py)."""

from __future__ import annotations

from pages import LANTERNS_ID, read_fixture

from readq.ingest.detect import ListingFormat


def test_scholar_every_field() -> None:
    shape, papers, warnings = read_fixture("scholar.txt")
    assert shape is ListingFormat.SCHOLAR
    assert warnings == []
    lanterns, moss, revisited = papers
    # Titles as Scholar writes them (lower-cased); the store's title key matches them.
    assert lanterns.title == "Gradient lanterns: illuminating sparse attention in tiny transformers"
    assert lanterns.arxiv_id == LANTERNS_ID
    assert lanterns.author_names == ("A Quill", "B Osei", "C Varga")
    assert lanterns.authors is None  # "C Varga…": the list is cut, the count unknown
    assert lanterns.abstract_partial
    assert lanterns.abstract.endswith("light up only on carry …")
    assert "Cited by" not in lanterns.abstract
    # "[HTML]" before the title is not part of it; a venue is not an arXiv id.
    assert moss.title == "Moss graphs: slow message passing for damp networks"
    assert moss.arxiv_id is None
    assert moss.author_names == ("G Ferro", "H Roshan")
    assert moss.authors == 2
    assert moss.abstract_partial
    assert revisited.title == "Lantern heads revisited"
    assert revisited.author_names == ("M Okafor",)
    assert revisited.abstract == ""
    assert not revisited.abstract_partial
    # The side link "[PDF] arxiv.org" and the page chrome are not papers.
    assert all(not p.title.startswith("[") for p in papers)


def test_hyphenated_and_accented_names() -> None:
    from readq.ingest.scholar import parse_scholar

    (paper,) = parse_scholar(
        [
            "Lanterns at scale",
            "É Dupont-Roy, J van der Berg - Fictional Letters, 2026 - example.org",
            "We scale lanterns …",
            "Save Cite Cited by 1",
        ]
    ).papers
    assert paper.author_names == ("É Dupont-Roy", "J van der Berg")
    assert paper.title == "Lanterns at scale"
