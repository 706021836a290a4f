"""Each page shape is detected as itself, and no other page parser reads papers out of it
(readq/ingest/detect.py)."""

from __future__ import annotations

import pytest
from pages import FIXTURES, TODAY

from readq.ingest import parse_block
from readq.ingest.detect import PAGE_SHAPES, ListingFormat, detect_format

SHAPES = {
    "arxiv_list_new.txt": ListingFormat.ARXIV_LIST,
    "arxiv_list_new_labelled.txt": ListingFormat.ARXIV_LIST,
    "arxiv_list_recent.txt": ListingFormat.ARXIV_LIST,
    "arxiv_search.txt": ListingFormat.ARXIV_SEARCH,
    "arxiv_abs.txt": ListingFormat.ARXIV_ABS,
    "arxiv_abs_newlines.txt": ListingFormat.ARXIV_ABS,
    "arxiv_email.txt": ListingFormat.ARXIV_EMAIL,
    "hf_paper.txt": ListingFormat.HF_PAPER,
    "hf_trending.txt": ListingFormat.HF_TRENDING,
    "hf_collection.txt": ListingFormat.HF_COLLECTION,
    "scholar.txt": ListingFormat.SCHOLAR,
    "hf_daily.txt": ListingFormat.HF,
    "arxiv_dump.txt": ListingFormat.ARXIV,
}


def _lines(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()


def test_every_page_shape_has_a_fixture() -> None:
    assert PAGE_SHAPES | {ListingFormat.HF, ListingFormat.ARXIV} == set(SHAPES.values())


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_each_fixture_is_detected_as_its_own_shape(name: str) -> None:
    assert detect_format(_lines(name)) is SHAPES[name]


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_its_own_parser_reads_it_and_no_other_page_parser_does(name: str) -> None:
    lines = _lines(name)
    assert parse_block(SHAPES[name], lines, today=TODAY).papers
    for other in sorted(PAGE_SHAPES - {SHAPES[name]}):
        papers = parse_block(other, lines, today=TODAY).papers
        assert papers == [], (other, [p.title for p in papers])


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ('[{"title": "x"}]', ListingFormat.JSON),
        ("{", ListingFormat.JSON),
        ("[1] arXiv:2612.04011 [pdf, other]", ListingFormat.ARXIV_LIST),
        ("[PDF] arxiv.org", ListingFormat.UNKNOWN),
        ("@article{quill2026,", ListingFormat.BIBTEX),
    ],
)
def test_a_leading_bracket_is_json_only_when_it_opens_json(
    first: str, expected: ListingFormat
) -> None:
    assert detect_format([first]) is expected
