"""parse_source and ingest: big seed-format files stream without the block split, unless
another page is appended; the parser child reads the new shapes too (readq/ingest/__init__.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pages import FIXTURES, TODAY, read_fixture

import readq.ingest.parse as ingest_module
from readq.ingest import ingest_paths, parallel, parse_source
from readq.ingest.detect import ListingFormat
from readq.ingest.reader import open_listing
from readq.store import Store


def _hf_listing(path: Path, count: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.generate import Generator, listing_text

    generator = Generator(11)
    path.write_text(listing_text([generator.paper(i) for i in range(count)]), encoding="utf-8")


def test_a_big_listing_without_other_pages_streams_without_the_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = tmp_path / "big.txt"
    _hf_listing(listing, 200)
    monkeypatch.setattr(ingest_module, "SPLIT_MAX_BYTES", 1000)

    def no_split(lines: object) -> None:
        raise AssertionError("a seed-format listing without page anchors was split")

    monkeypatch.setattr(ingest_module, "find_spans", no_split)
    shape, papers = parse_source(open_listing(str(listing)), today=TODAY)
    assert shape is ListingFormat.HF
    assert len(list(papers)) == 200


def test_a_big_listing_with_a_page_appended_is_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = tmp_path / "big.txt"
    _hf_listing(listing, 200)
    with listing.open("a", encoding="utf-8") as out:
        out.write((FIXTURES / "arxiv_list_new.txt").read_text(encoding="utf-8"))
    monkeypatch.setattr(ingest_module, "SPLIT_MAX_BYTES", 1000)
    shape, papers = parse_source(open_listing(str(listing)), today=TODAY)
    got = list(papers)
    assert shape is ListingFormat.MIXED
    assert len(got) == 204
    assert got[-4:] == read_fixture("arxiv_list_new.txt")[1]


def test_the_parser_child_reads_an_appended_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = tmp_path / "big.txt"
    _hf_listing(listing, 100)
    with listing.open("a", encoding="utf-8") as out:
        out.write((FIXTURES / "arxiv_email.txt").read_text(encoding="utf-8"))
    calls: list[str] = []
    real = parallel.parse_in_child

    def spy(source, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(source.name)
        return real(source, **kwargs)

    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "parse_in_child", spy)
    with Store.open(tmp_path / "lib.db") as store:
        (report,) = ingest_paths(store, [str(listing)])
        ids = {p.arxiv_id for p in store.list_papers() if p.arxiv_id}
    # The first child is stopped when the parent's pre-scan finds the appended page; a second
    # one splits the file and reads each paste in its own shape.
    assert calls == ["big.txt", "big.txt"]
    assert report.error is None
    assert report.format == "mixed"
    assert report.result is not None and report.result.papers == 105
    assert {"2612.04502", "2612.04777", "2612.03877", "2612.04011", "2611.01234"} <= ids


def test_a_chrome_only_paste_fails_with_one_line_and_stores_nothing(
    store: Store, tmp_path: Path
) -> None:
    ingest_paths(store, [str(FIXTURES / "hf_daily.txt")])
    before = [p.to_json() for p in store.list_papers()]
    chrome = tmp_path / "chrome.txt"
    chrome.write_text(
        "Skip to main content\nHelp | Advanced Search\nMachine Learning\n"
        "Showing new listings for Friday, 4 December 2026\nTotal of 0 entries\nDec 9\n",
        encoding="utf-8",
    )
    (report,) = ingest_paths(store, [str(chrome)])
    assert report.error == "chrome.txt: no papers found (not a page readq reads)"
    assert report.result is None
    assert [p.to_json() for p in store.list_papers()] == before
