"""Several pastes in one file: each block is read in its own shape (readq/ingest/blocks.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from pages import FIXTURES, read_fixture, read_text
from test_detect import SHAPES

from readq.ingest.detect import ListingFormat

PAIRS = list(itertools.permutations(sorted(SHAPES), 2))


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_two_pastes_give_the_papers_of_each(first: str, second: str, tmp_path: Path) -> None:
    _a, papers_a, _wa = read_fixture(first)
    _b, papers_b, _wb = read_fixture(second)
    text = (FIXTURES / first).read_text(encoding="utf-8") + "\n"
    text += (FIXTURES / second).read_text(encoding="utf-8")
    shape, papers, _warnings = read_text(text, tmp_path)
    assert [p.title for p in papers] == [p.title for p in papers_a + papers_b]
    assert papers == papers_a + papers_b
    assert shape is (ListingFormat.MIXED if SHAPES[first] != SHAPES[second] else SHAPES[first])


def test_every_shape_in_one_file(tmp_path: Path) -> None:
    """All fixtures appended into one file, twice in different orders."""
    names = sorted(SHAPES)
    for order in (names, names[::-1]):
        expected = []
        text = ""
        for name in order:
            expected += read_fixture(name)[1]
            text += (FIXTURES / name).read_text(encoding="utf-8") + "\n"
        shape, papers, warnings = read_text(text, tmp_path)
        assert shape is ListingFormat.MIXED
        assert papers == expected
        assert warnings == []


def test_blocks_know_their_first_lines() -> None:
    from readq.ingest.blocks import split_blocks

    first = (FIXTURES / "hf_daily.txt").read_text(encoding="utf-8").splitlines()
    second = (FIXTURES / "arxiv_list_new.txt").read_text(encoding="utf-8").splitlines()
    blocks = split_blocks(first + second)
    assert [(b.shape, b.first_line) for b in blocks] == [
        (ListingFormat.HF, 1),
        (ListingFormat.ARXIV_LIST, len(first) + 1),
    ]
    assert blocks[1].lines[0] == "Skip to main content"


def test_many_unplaced_lines_are_reported(tmp_path: Path) -> None:
    lines: list[str] = []
    for i in range(1, 4):
        lines += [
            f"[{i}] arXiv:2612.0900{i} [pdf]",
            f"Title: Stray Lines {i}",
            "Xi Li, Yara Dahl",
            "a stray line",
            "another stray line",
            "Subjects: Machine Learning (cs.LG)",
            "An abstract.",
        ]
    shape, papers, warnings = read_text("\n".join(lines), tmp_path)
    assert shape is ListingFormat.ARXIV_LIST
    assert [p.title for p in papers] == [f"Stray Lines {i}" for i in range(1, 4)]
    assert all(p.abstract == "An abstract." for p in papers)
    assert warnings == ["arxiv-list from line 1: skipped 6 lines it could not place"]


def test_finding_the_pastes_of_a_stream_holds_a_bounded_window() -> None:
    """find_spans reads a stream once and keeps only a window of it (big files are split
    without being read into memory)."""
    import tracemalloc
    from collections.abc import Iterator

    from readq.ingest.blocks import find_spans

    entries = 60_000

    def stream() -> Iterator[str]:
        yield "Skip to main content"
        for i in range(entries):
            yield f"[{i + 1}] arXiv:2612.{i:05d} [pdf]"
            yield f"Title: Streamed Entry {i}"
            yield "Xi Li, Yara Dahl"
            yield "Subjects: Machine Learning (cs.LG)"
            yield "An abstract that is long enough to look like prose. " * 8
        yield from (FIXTURES / "hf_daily.txt").read_text(encoding="utf-8").splitlines()

    tracemalloc.start()
    try:
        spans = find_spans(stream())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(s.shape, s.start) for s in spans] == [
        (ListingFormat.ARXIV_LIST, 0),
        (ListingFormat.HF, 1 + 5 * entries),
    ]
    assert peak < 8_000_000, peak  # the stream is ~31 MB of text


@pytest.mark.parametrize(
    ("seed", "text", "found"),
    [
        (ListingFormat.HF, "new\nGet trending papers in your email inbox!\nT\n" + "a" * 300, False),
        (
            ListingFormat.HF,
            "Get trending papers in your email inbox!\nT\nx\nGet trending papers in your email "
            "inbox!\nU\n",
            True,
        ),
        (ListingFormat.HF, "Title A\n" + "a" * 300 + "\nAbstract:We introduce X.\n", True),
        (ListingFormat.HF, "T\nx\n[1] arXiv:2612.04011 [pdf]\n", True),
        (ListingFormat.ARXIV, "Abstract:One.\nAbstract:Two.\n", False),
        (ListingFormat.HF, "T\n" + "a" * 250 + "Title:X " + "b" * 300 + "\n", False),
        (ListingFormat.ARXIV, "Abstract:One.\nGet trending papers in your email inbox!\n", True),
    ],
)
def test_the_byte_scan_finds_what_opens_another_paste(
    seed: ListingFormat, text: str, found: bool
) -> None:
    from readq.ingest.blocks import has_page_anchors

    data = text.encode()
    assert has_page_anchors([data], seed) is found
    # Cut into small pieces, the scan still sees lines across the cuts.
    assert has_page_anchors([data[i : i + 7] for i in range(0, len(data), 7)], seed) is found
