"""arXiv /new, /recent and /pastweek pages: every field of every entry
(readq/ingest/arxiv_list.py)."""

from __future__ import annotations

from pages import LANTERNS, LANTERNS_ABSTRACT, LANTERNS_ID, LANTERNS_NAMES, read_fixture

from readq.ingest.arxiv_list import parse_arxiv_list
from readq.ingest.detect import ListingFormat


def test_new_page_reads_new_cross_and_replaced_entries() -> None:
    shape, papers, warnings = read_fixture("arxiv_list_new.txt")
    assert shape is ListingFormat.ARXIV_LIST
    assert warnings == []
    assert [p.arxiv_id for p in papers] == [LANTERNS_ID, "2612.04120", "2612.03877", "2611.01234"]
    lanterns, moss, quiet, kelp = papers
    assert lanterns.title == LANTERNS
    assert lanterns.author_names == LANTERNS_NAMES
    assert lanterns.authors == 5
    assert lanterns.categories == ("cs.LG", "cs.AI")
    assert lanterns.comments == "12 pages, 4 figures"
    assert lanterns.journal_ref is None
    assert lanterns.abstract == LANTERNS_ABSTRACT
    assert lanterns.arxiv_version is None
    assert lanterns.published == "2026-12-04"  # "Showing new listings for Friday, 4 December 2026"
    assert not lanterns.abstract_partial
    assert moss.journal_ref == "Proceedings of the Fictional Workshop on Graphs 2026, pp. 1-9"
    assert moss.categories == ("cs.LG", "cs.SI")
    assert moss.abstract.endswith("three fictional citation graphs.")
    # A cross-list keeps its own primary category first.
    assert quiet.categories == ("cs.CV", "cs.LG")
    assert quiet.urls == ("https://quietdiff.github.io/home",)
    assert quiet.published == "2026-12-04"
    # A replacement was first published earlier: the announcement date is not its date.
    assert kelp.published is None
    assert kelp.comments == "v2: new experiments on longer contexts"
    assert kelp.abstract.startswith("Mixtures of experts drift apart")


def test_page_chrome_and_section_headings_are_not_papers() -> None:
    _shape, papers, _warnings = read_fixture("arxiv_list_new.txt")
    titles = " ".join(p.title for p in papers)
    for chrome in ("Subjects", "Skip to main content", "submissions", "Total of", "About"):
        assert chrome not in titles
    assert all("Privacy Policy" not in p.abstract for p in papers)


def test_older_copies_with_an_authors_label() -> None:
    shape, papers, _warnings = read_fixture("arxiv_list_new_labelled.txt")
    assert shape is ListingFormat.ARXIV_LIST
    lanterns, moss = papers
    assert lanterns.published == "2026-12-04"  # "New submissions for Fri, 4 Dec 26"
    assert lanterns.author_names == LANTERNS_NAMES
    assert lanterns.abstract == LANTERNS_ABSTRACT
    assert moss.author_names == ("Giulia Ferro", "Hamid Roshan")
    assert moss.categories == ("cs.LG",)


def test_recent_page_has_entries_without_abstracts_dated_by_their_day() -> None:
    shape, papers, _warnings = read_fixture("arxiv_list_recent.txt")
    assert shape is ListingFormat.ARXIV_LIST
    assert [(p.arxiv_id, p.published) for p in papers] == [
        (LANTERNS_ID, "2026-12-04"),
        ("2612.04120", "2026-12-04"),
        ("2612.03877", "2026-12-03"),
    ]
    assert all(p.abstract == "" for p in papers)
    assert papers[0].author_names == LANTERNS_NAMES
    assert papers[0].comments == "12 pages, 4 figures"
    assert papers[2].categories == ("cs.CV", "cs.LG")


def test_a_versioned_id_and_a_wrapped_abstract() -> None:
    parsed = parse_arxiv_list(
        [
            "[7] arXiv:2612.09999v3 [pdf]",
            "Title: A Wrapped Entry",
            "Authors: Xi Li and Yara Dahl",
            "Subjects: Numerical Analysis (math.NA)",
            "This abstract was hard-wrapped by the mail client so that",
            "it continues on the next line.",
        ]
    )
    (paper,) = parsed.papers
    assert paper.arxiv_id == "2612.09999"
    assert paper.arxiv_version == 3
    assert paper.author_names == ("Xi Li", "Yara Dahl")
    assert paper.categories == ("math.NA",)
    assert paper.abstract == (
        "This abstract was hard-wrapped by the mail client so that it continues on the next line."
    )


def test_an_entry_without_a_title_is_dropped_and_counted() -> None:
    parsed = parse_arxiv_list(["[1] arXiv:2612.00001 [pdf]", "Subjects: Machine Learning (cs.LG)"])
    assert parsed.papers == []
    assert parsed.skipped == 1
