"""arXiv search results: every field, partial previews (readq/ingest/arxiv_search.py)."""

from __future__ import annotations

from pages import LANTERNS, LANTERNS_ID, LANTERNS_NAMES, read_fixture

from readq.ingest.arxiv_search import parse_arxiv_search
from readq.ingest.detect import ListingFormat


def test_search_results_every_field() -> None:
    shape, papers, warnings = read_fixture("arxiv_search.txt")
    assert shape is ListingFormat.ARXIV_SEARCH
    assert warnings == []
    lanterns, fog, bayes = papers
    assert lanterns.arxiv_id == LANTERNS_ID
    assert lanterns.arxiv_version is None
    assert lanterns.title == LANTERNS
    assert lanterns.author_names == LANTERNS_NAMES
    assert lanterns.authors == 5
    assert lanterns.categories == ("cs.LG", "cs.AI")
    assert lanterns.comments == "12 pages, 4 figures"
    assert lanterns.published == "2026-12-02"  # v1's date, not the latest revision's
    # The preview is kept without its "… ▽ More" and marked partial.
    assert lanterns.abstract_partial
    assert lanterns.abstract.endswith("lantern heads that light up")
    assert "▽" not in lanterns.abstract and "More" not in lanterns.abstract

    assert fog.arxiv_id == "2612.05550"
    assert fog.doi == "10.5555/fict.2026.0042"
    assert fog.title == "Lanterns in the Fog: Probing Sparse Heads in Speech Models"
    assert fog.author_names == ("Mira Okafor", "Noor Haddad", "Pavel Sokol")
    assert fog.authors == 7  # three shown, "4 additional authors not shown"
    assert fog.categories == ("cs.CL", "eess.AS")
    assert fog.journal_ref == "Journal of Fictional Acoustics 12 (2026) 1-20"
    assert fog.published == "2026-12-01"
    # An expanded abstract ("△ Less") is the whole abstract.
    assert not fog.abstract_partial
    assert fog.abstract.endswith("rather than words.")

    assert bayes.arxiv_id == "2611.00999"
    assert bayes.arxiv_version == 2
    assert bayes.author_names == ("Rui Tanaka",)
    assert bayes.categories == ("stat.ML",)
    assert bayes.abstract_partial
    assert bayes.published == "2026-11-30"


def test_a_title_that_looks_like_a_label_is_still_the_title() -> None:
    parsed = parse_arxiv_search(
        [
            "4. arXiv:2612.00002  [pdf]  cs.LG",
            "Comments on Lanterns",
            "Authors: Rui Tanaka",
            "Abstract: A short reply. ▽ More",
            "Submitted 3 December, 2026; originally announced December 2026.",
        ]
    )
    (paper,) = parsed.papers
    assert paper.title == "Comments on Lanterns"
    assert paper.comments is None
