"""An arXiv abstract page copied whole: every field (readq/ingest/arxiv_abs.py)."""

from __future__ import annotations

from pages import LANTERNS, LANTERNS_ABSTRACT, LANTERNS_ID, LANTERNS_NAMES, read_fixture

from readq.ingest.arxiv_abs import parse_arxiv_abs
from readq.ingest.detect import ListingFormat


def test_abs_page_with_tab_separated_rows() -> None:
    shape, papers, warnings = read_fixture("arxiv_abs.txt")
    assert shape is ListingFormat.ARXIV_ABS
    assert warnings == []
    # "View a PDF of the paper titled …" repeats the title: still one paper.
    (paper,) = papers
    assert paper.title == LANTERNS
    assert not paper.title_derived
    assert paper.arxiv_id == LANTERNS_ID
    assert paper.arxiv_version == 2
    assert paper.author_names == LANTERNS_NAMES
    assert paper.authors == 5
    assert paper.categories == ("cs.LG", "cs.AI")
    assert paper.comments == "12 pages, 4 figures"
    # "Journal\u00a0reference:" (a no-break space) is read.
    assert paper.journal_ref == "Proceedings of the Fictional Conference on Small Models 2026"
    # The journal's DOI, not arXiv's own 10.48550 one.
    assert paper.doi == "10.5555/fict.2026.0011"
    assert paper.published == "2026-12-02"
    # Nothing after the abstract is glued onto it; "this https URL" does not pose as a URL.
    assert paper.abstract == LANTERNS_ABSTRACT
    for glued in ("Comments", "Subjects", "Cite as", "this https URL", "Submission history"):
        assert glued not in paper.abstract


def test_abs_page_with_newline_separated_rows() -> None:
    shape, papers, _warnings = read_fixture("arxiv_abs_newlines.txt")
    assert shape is ListingFormat.ARXIV_ABS
    (paper,) = papers
    assert paper.title == "Lanterns in the Fog: Probing Sparse Heads in Speech Models"
    assert paper.arxiv_id == "2612.05550"
    assert paper.arxiv_version == 1
    assert paper.author_names == ("Mira Okafor", "Noor Haddad", "Pavel Sokol")
    assert paper.comments == "9 pages"
    assert paper.categories == ("cs.CL", "eess.AS")
    assert paper.doi is None
    assert paper.published == "2026-12-01"
    # A multi-line abstract is one paragraph, stopped at the first metadata row.
    assert paper.abstract == (
        "Speech models hide their routing in a handful of heads. We find lantern-like heads in "
        "three fictional speech recognisers and show that they track syllable boundaries "
        "rather than words."
    )


def test_the_version_comes_from_the_submission_history_too() -> None:
    parsed = parse_arxiv_abs(
        [
            "Title:Only History",
            "Authors:Xi Li",
            "Abstract:An abstract page whose header line was not copied.",
            "Cite as:\tarXiv:2612.00003 [math.NA]",
            "Submission history",
            "[v1] Mon, 30 Nov 2026 10:00:00 UTC (10 KB)",
            "[v4] Thu, 3 Dec 2026 10:00:00 UTC (12 KB)",
        ]
    )
    (paper,) = parsed.papers
    assert paper.arxiv_id == "2612.00003"
    assert paper.arxiv_version == 4
    assert paper.categories == ("math.NA",)  # from "Cite as" when no Subjects row was copied


def test_two_abs_pages_in_a_row_are_two_papers() -> None:
    lines = (
        "[Submitted on 1 Dec 2026]\nTitle:First Page\nAuthors:Xi Li\nAbstract:One.\n"
        "Cite as:\tarXiv:2612.00004 [cs.LG]\n"
        "[Submitted on 2 Dec 2026 (v1), last revised 3 Dec 2026 (this version, v2)]\n"
        "Title:Second Page\nAuthors:Yara Dahl\nAbstract:Two.\nCite as:\tarXiv:2612.00005 [cs.LG]\n"
    ).splitlines()
    first, second = parse_arxiv_abs(lines).papers
    assert (first.title, first.arxiv_id, first.published) == (
        "First Page",
        "2612.00004",
        "2026-12-01",
    )
    assert first.arxiv_version is None
    assert (second.title, second.arxiv_id, second.arxiv_version) == ("Second Page", "2612.00005", 2)
    assert second.published == "2026-12-02"
