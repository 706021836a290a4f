"""Hugging Face Trending: papers without ids (readq/ingest/hf_trending.py)."""

from __future__ import annotations

from pages import LANTERNS, read_fixture

from readq.ingest.detect import ListingFormat


def test_trending_every_field() -> None:
    shape, papers, warnings = read_fixture("hf_trending.txt")
    assert shape is ListingFormat.HF_TRENDING
    assert warnings == []
    lanterns, quiet, orchard = papers
    assert lanterns.title == LANTERNS
    assert lanterns.arxiv_id is None  # the page's text carries no id
    assert lanterns.org == "Northwind AI"
    assert lanterns.authors is None
    assert lanterns.published == "2026-12-02"
    assert lanterns.upvotes == 128
    # A one-sentence text is a summary or a preview: kept, marked partial.
    assert lanterns.abstract_partial
    assert lanterns.abstract.startswith("Tiny transformers route carry digits")
    assert quiet.title == "Quiet Diffusion: Denoising Without the Noise Schedule"
    assert quiet.authors == 2
    assert quiet.org is None
    assert quiet.upvotes == 64
    assert quiet.published == "2026-12-01"
    assert not quiet.abstract_partial
    assert quiet.urls == ("https://quietdiff.github.io/home",)
    assert orchard.title == "Orchard: Growing Agents from Small Seeds"
    assert orchard.authors == 6
    assert orchard.upvotes == 17
    assert orchard.published == "2026-11-30"
    assert not orchard.abstract_partial
    # The users who submitted the papers and the links rows are not titles.
    assert {p.title for p in papers}.isdisjoint({"ada-quill", "Submitted by", "arXiv Page"})


def test_entries_without_submitted_by_keep_every_text_line() -> None:
    from pages import TODAY

    from readq.ingest.hf_trending import parse_hf_trending

    parsed = parse_hf_trending(
        [
            "Trending Papers",
            "First Title",
            "First text.",
            "- 2 authors · Published on Dec 1, 2026",
            "Upvote",
            "5",
            "arXiv Page",
            "Second Title",
            "A first paragraph of the second text.",
            "A second paragraph of the second text.",
            "Org · Published on Dec 2, 2026",
        ],
        today=TODAY,
    )
    first, second = parsed.papers
    assert (first.title, first.abstract, first.upvotes) == ("First Title", "First text.", 5)
    assert second.title == "Second Title"
    assert second.abstract == (
        "A first paragraph of the second text. A second paragraph of the second text."
    )
