"""The Hugging Face listing parser, on fixtures we wrote."""

from __future__ import annotations

import codecs
import itertools
from datetime import date

from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from readq.ingest.hf import (
    infer_listing_year,
    parse_hf,
    scan_years,
    scan_years_bytes,
)

TODAY = date(2026, 11, 22)


def _papers() -> list:  # type: ignore[type-arg]
    lines = (FIXTURES / "hf_daily.txt").read_text(encoding="utf-8").splitlines()
    return parse_hf(lines, today=TODAY)


def test_every_paper_is_found_with_its_title_and_abstract() -> None:
    papers = _papers()
    assert [p.title for p in papers] == [
        "Gradient Lanterns: Illuminating Sparse Attention in Tiny Transformers",
        "Quiet Diffusion: Denoising Without the Noise Schedule",
        "Parrots All the Way Down: Measuring Repetition in Instruction Tuning Data",
        "A Paper Without Any Metadata Block",
        "Emoji 🦜 and CJK 注意力 in a [bracketed] <title> with $x^2$ math",
    ]
    assert all(len(p.abstract) > 150 for p in papers)
    assert not any(p.title_derived for p in papers)


def test_metadata_authors_org_date_and_upvotes() -> None:
    lanterns, quiet, parrots, bare, emoji = _papers()
    assert (lanterns.authors, lanterns.org) == (5, None)
    assert (lanterns.published, lanterns.published_text, lanterns.upvotes) == (
        "2024-09-20",
        "Sep 20, 2024",
        6,
    )
    assert (quiet.authors, quiet.org, quiet.upvotes) == (None, "Northwind AI", 3)
    assert parrots.authors == 8 and parrots.upvotes is None
    assert (bare.authors, bare.org, bare.published, bare.upvotes) == (None, None, None, None)
    assert emoji.authors == 1 and emoji.published == "2023-03-05"


def test_year_less_dates_take_the_listing_year() -> None:
    # Explicit years go up to 2024, so the listing is from 2025 (HF omits the current year).
    _, quiet, parrots, _, _ = _papers()
    assert quiet.published == "2025-10-16"
    assert parrots.published == "2025-12-03"


def test_listing_year_rules() -> None:
    assert infer_listing_year([2023, 2024], TODAY) == 2025
    assert infer_listing_year([], TODAY) == 2026
    assert infer_listing_year([2026], TODAY) == 2026  # never later than today
    assert scan_years(["Sep 20, 2024 6", "Oct 16 3", "Mar 5, 2023"]) == [2024, 2023]


def test_explicit_year_option_wins() -> None:
    lines = (FIXTURES / "hf_daily.txt").read_text(encoding="utf-8").splitlines()
    papers = parse_hf(lines, listing_year=2022, today=TODAY)
    assert papers[1].published == "2022-10-16"


def test_a_year_less_date_in_the_future_goes_to_the_year_before() -> None:
    lines = ["T1", "a" * 300, "  • 2 authors", "·", "Dec 30"]
    (paper,) = parse_hf(lines, listing_year=2026, today=TODAY)
    assert paper.published == "2025-12-30"


def test_urls_are_found_in_abstracts() -> None:
    lanterns, quiet, *_ = _papers()
    assert lanterns.urls == ("https://github.com/example/lanterns",)
    assert quiet.urls == ("https://quietdiff.github.io/home",)


def test_crlf_bom_and_lf_give_the_same_papers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from readq.ingest import parse_source
    from readq.ingest.reader import open_listing

    text = (FIXTURES / "hf_daily.txt").read_text(encoding="utf-8")
    lf = tmp_path / "lf.txt"
    lf.write_bytes(text.encode())
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    results = []
    for path in (lf, crlf):
        _, papers = parse_source(open_listing(str(path)), today=TODAY)
        results.append(list(papers))
    assert results[0] == results[1]
    assert len(results[0]) == 5


def test_control_characters_and_escapes_are_stripped() -> None:
    lines = ["Evil \x1b]0;pwned\x07Title\x1b[31m red\x07\x00", "x" * 250]
    (paper,) = parse_hf(lines, today=TODAY)
    assert paper.title == "Evil Title red"


def test_a_title_without_abstract_does_not_swallow_the_next_title() -> None:
    lines = ["Lonely Title", "Second Title", "b" * 400]
    papers = parse_hf(lines, today=TODAY)
    assert [p.title for p in papers] == ["Lonely Title", "Second Title"]
    assert papers[0].abstract == "" and papers[1].abstract == "b" * 400


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=40))
def test_parser_never_raises_on_arbitrary_text(lines: list[str]) -> None:
    papers = parse_hf(lines, today=TODAY)
    for paper in papers:
        assert paper.title
        assert "\x1b" not in paper.title and "\x00" not in paper.abstract


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["·", "  • 3 authors", "Oct 16 3", "Feb 29, 2023", "Dec 3", "new", ""]),
            st.text(min_size=1, max_size=250),
        ),
        max_size=60,
    )
)
def test_parser_never_raises_on_listing_shaped_noise(lines: list[str]) -> None:
    for paper in parse_hf(lines, today=TODAY):
        assert paper.published is None or len(paper.published) == 10


_SCAN_PIECES = [
    "Sep 20, 2024 6",
    "Oct 16 3",
    "Mar 5, 2023",
    "Dec 31, 2019",
    "Jan 40, 2022",
    "May 1,2021 12",
    "Sept 4, 2020",
    "March of the Penguins, 2024",
    " Sep 20, 2024",
    "Sep 20, 2024  ",
    "A title, 2024",
    "Jun 3, 2018 1234567",
    "\r",
    "\r\r",
    "·",
    ",",
    "",
    "x" * 45,
]


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from([*_SCAN_PIECES, "Sep 2, 2024 ·", "Oct 1, 2023 é", "\ufeff"]), max_size=30
    ),
    st.lists(st.integers(min_value=0, max_value=400), max_size=6),
    st.sampled_from(["utf-8-sig", "cp1252"]),
    st.booleans(),
    st.binary(max_size=4),
)
def test_scan_years_bytes_matches_the_line_scan(
    pieces: list[str], cuts: list[int], encoding: str, bom: bool, junk: bytes
) -> None:
    """The byte scan decodes only candidate lines and finds the same years as decoding the
    whole file and scanning its lines (a BOM, invalid bytes and non-ASCII text included)."""
    text = "".join(p + ("\n" if i % 3 else "\r\n") for i, p in enumerate(pieces))
    data = text.encode("utf-8" if encoding == "utf-8-sig" else "cp1252", errors="replace")
    data = (codecs.BOM_UTF8 if bom else b"") + data + junk + b"\nDec 1, 2018" + junk
    decoded = codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=True)
    lines = [line.rstrip("\r") for line in decoded.split("\n")]
    bounds = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    chunks = [data[a:b] for a, b in itertools.pairwise(bounds)]
    head = b"".join(chunks)[:3]
    if encoding == "utf-8-sig" and head == codecs.BOM_UTF8:  # as TextSource.byte_chunks does
        chunks = [b"".join(chunks)[3:]]
    assert scan_years_bytes(chunks, encoding) == scan_years(lines)
