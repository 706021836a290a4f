"""The batched ingest path stores exactly what the one-paper-at-a-time path stores.

The reference below is the per-paper algorithm (``Store.match``: one lookup query per key,
``Store.merge_scraped``, one insert per paper), the path imports take. Random listings drawn
from small pools of titles, abstracts, arXiv ids and DOIs force every kind of repeat: same
title, derived titles matched by abstract, derived titles matched to papers without abstract,
same id under another title, same title under another id (kept apart), repeats within a file
and across files, and merges that change a paper's keys, across batch boundaries.
"""

from __future__ import annotations

import random
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from readq import store as store_module
from readq.models import ScrapedPaper, Source
from readq.store import IngestResult, SeenInFile, Store, now_iso, scraped_values
from readq.textclean import dedupe_keys

TITLES = [
    "Diffusion Models for Video",
    "diffusion models for video!",
    "LoRA: Low-Rank Adaptation",
    "Lora low rank adaptation",
    "Sparse Attention at Scale",
    "A Short One",
    "Gaussian Splatting in the Wild",
    "🚀",  # no title key: identified by the abstract, or by nothing
    "...",
]
ABSTRACTS = [
    "",
    "too short",
    "We study diffusion models for video generation at scale and find consistent gains "
    "across many benchmarks.",
    "We study diffusion models for video generation at scale and find consistent gains "
    "across many benchmarks, version two.",
    "Low-rank adapters make fine-tuning of large language models cheap; we show how and why "
    "in detail.",
    "Splatting Gaussians works in the wild when the cameras are calibrated and the light "
    "stays the same.",
]


def reference_ingest(store: Store, papers: Iterable[ScrapedPaper], source: Source) -> IngestResult:
    """The per-paper ingest (as it was before batching, with today's identity and merge
    rules: :func:`identity_key`, dates from a listing)."""
    new_ids: list[int] = []
    new_set: set[int] = set()
    merged_ids: set[int] = set()
    updated_ids: set[int] = set()
    duplicates: list[tuple[int, int]] = []
    before: dict[int, dict[str, object]] = {}
    total = 0
    stamp = now_iso()
    with store.write() as conn:
        seen = SeenInFile()
        for paper in papers:
            total += 1
            tkey, akey = dedupe_keys(paper.title, paper.abstract)
            match = store.match(paper, tkey, akey, seen)
            existing_id = match.paper_id
            if existing_id is None:
                values = scraped_values(paper, tkey, akey)
                marks = ",".join("?" * (len(values) + 2))
                cur = conn.execute(
                    f"INSERT INTO papers ({', '.join(store_module.SCRAPED_COLUMNS)}, "
                    f"added_at, updated_at) VALUES ({marks})",
                    (*values, stamp, stamp),
                )
                pid = int(cur.lastrowid or 0)
                new_ids.append(pid)
                new_set.add(pid)
                duplicates.extend((pid, other) for other in match.possible_duplicates)
            else:
                pid = existing_id
                if pid not in new_set and pid not in before:
                    before[pid] = whole_row(conn, pid)
                changed = store.merge_scraped(pid, paper, tkey, akey, stamp, from_listing=True)
                if pid not in new_set:
                    merged_ids.add(pid)
                    if changed:
                        updated_ids.add(pid)
            seen.record(pid, match, paper, tkey, akey)
            conn.execute(
                "INSERT INTO paper_sources (paper_id, name, path, seen_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (paper_id, path) DO NOTHING",
                (pid, source.name, source.path, source.seen_at),
            )
        # A stored paper the file changed one way and back is as it was: not updated, and
        # its time stamp is put back.
        for pid in sorted(updated_ids):
            old, now = before[pid], whole_row(conn, pid)
            if {**old, "updated_at": None} == {**now, "updated_at": None}:
                conn.execute(
                    "UPDATE papers SET updated_at = ? WHERE id = ?", (old["updated_at"], pid)
                )
                updated_ids.discard(pid)
    return IngestResult(
        total, len(new_ids), len(merged_ids), len(updated_ids), tuple(new_ids), tuple(duplicates)
    )


def whole_row(conn: sqlite3.Connection, pid: int) -> dict[str, object]:
    """Every column of a stored paper, by name."""
    cursor = conn.execute("SELECT * FROM papers WHERE id = ?", (pid,))
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def random_paper(rng: random.Random) -> ScrapedPaper:
    """A paper from the small pools (so that repeats are frequent)."""
    derived = rng.random() < 0.3
    abstract = rng.choice(ABSTRACTS)
    title = abstract[:60] if derived and abstract else rng.choice(TITLES)
    return ScrapedPaper(
        title=title,
        abstract=abstract,
        title_derived=derived,
        published=rng.choice([None, "2024-01-02", "2023-05-06"]),
        published_text=rng.choice([None, "Jan 2", "May 6, 2023"]),
        upvotes=rng.choice([None, 0, 3, 17]),
        authors=rng.choice([None, 2, 9]),
        org=rng.choice([None, "Kestrel Labs"]),
        urls=tuple(rng.sample(["https://a.example", "https://b.example"], rng.randint(0, 2))),
        arxiv_id=rng.choice([None, None, "2401.00001", "2401.00002", "arXiv:2401.00001v2"]),
        arxiv_version=rng.choice([None, 1, 3]),
        author_names=rng.choice([(), ("A Quill", "B Osei"), ("Ada Quill", "Bram Osei")]),
        categories=rng.choice([(), ("cs.LG",), ("cs.CV", "cs.LG")]),
        comments=rng.choice([None, "9 pages", "12 pages, v3"]),
        doi=rng.choice([None, None, "10.1234/Fict.1", "https://doi.org/10.1234/fict.2"]),
        abstract_partial=rng.random() < 0.2,
        summary=rng.choice([None, "A one-line summary."]),
    )


def dump(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every stored paper and source, without the time stamps."""
    with sqlite3.connect(path) as conn:
        papers = conn.execute(
            "SELECT id, title, title_key, title_derived, abstract, abstract_key, published, "
            "published_text, upvotes, authors, org, urls, arxiv_id, status, starred, note, "
            "arxiv_version, author_names, categories, comments, journal_ref, doi, "
            "abstract_partial, summary, added_at = updated_at FROM papers ORDER BY id"
        ).fetchall()
        sources = conn.execute(
            "SELECT paper_id, name, path FROM paper_sources ORDER BY paper_id, path"
        ).fetchall()
    return papers, sources


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("batch", [1, 3, 500])
@pytest.mark.parametrize("expected", [None, 1000])
def test_batched_ingest_matches_per_paper_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, batch: int, expected: int | None
) -> None:
    """``expected`` = 1000 makes every file read the stored key hashes (skipping lookups of
    unknown keys); None leaves that to the first file (an empty library) only."""
    monkeypatch.setattr(store_module, "INGEST_BATCH", batch)
    rng = random.Random(seed)
    files = [[random_paper(rng) for _ in range(rng.randint(1, 25))] for _ in range(4)]
    got: list[IngestResult] = []
    want: list[IngestResult] = []
    with Store.open(tmp_path / "new.db") as new, Store.open(tmp_path / "ref.db") as ref:
        for number, papers in enumerate(files):
            source = Source(name=f"f{number}", path=f"/l/f{number}", seen_at="2025-01-01")
            keyed = [(p, *dedupe_keys(p.title, p.abstract)) for p in papers]
            got.append(new.ingest_keyed(keyed, source, "hf", expected=expected))
            want.append(reference_ingest(ref, papers, source))
    assert got == want
    assert dump(tmp_path / "new.db") == dump(tmp_path / "ref.db")


@pytest.mark.parametrize("year", [2024, None])
def test_parsing_in_a_child_process_stores_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, year: int | None
) -> None:
    """A big listing is parsed in a child process; the library ends up the same. Without a
    ``--year`` the parent scans the listing's years while the child starts, and sends it."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.generate import Generator, listing_text
    from readq.ingest import ingest_paths, parallel

    generator = Generator(3)
    papers = [generator.paper(i) for i in range(300)]
    listing = tmp_path / "listing.txt"
    listing.write_text(listing_text(papers + papers[:20]), encoding="utf-8")
    with Store.open(tmp_path / "inline.db") as inline:
        want = ingest_paths(inline, [str(listing)], listing_year=year)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    calls: list[str] = []
    real = parallel.parse_in_child

    def spy(source, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(source.name)
        return real(source, **kwargs)

    monkeypatch.setattr(parallel, "parse_in_child", spy)
    with Store.open(tmp_path / "child.db") as child:
        got = ingest_paths(child, [str(listing)], listing_year=year)
    assert calls == ["listing.txt"]
    assert got[0].error is None and want[0].error is None
    assert [
        (r.format, r.result.papers, r.result.new, r.result.merged) for r in got if r.result
    ] == [(r.format, r.result.papers, r.result.new, r.result.merged) for r in want if r.result]
    assert dump(tmp_path / "child.db") == dump(tmp_path / "inline.db")


def test_a_listing_that_cannot_be_read_for_its_year_scan_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent scans a big listing's years while the parser process starts: a read error
    there fails that file with one line, and the next file is still ingested."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import readq.ingest as ingest_module  # the parent's pre-scan (_prescan) is here
    from benchmarks.generate import Generator, listing_text
    from readq.ingest import ingest_paths, parallel

    generator = Generator(5)
    listings = []
    for k in range(2):
        listing = tmp_path / f"listing{k}.txt"
        papers = [generator.paper(100 * k + i) for i in range(40)]
        listing.write_text(listing_text(papers), encoding="utf-8")
        listings.append(str(listing))
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    real_scan = ingest_module.scan_years_bytes
    calls: list[int] = []

    def failing_once(*args: object) -> list[int]:
        calls.append(1)
        if len(calls) == 1:
            raise OSError(5, "Input/output error")
        return real_scan(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_module, "scan_years_bytes", failing_once)
    with Store.open(tmp_path / "lib.db") as store:
        reports = ingest_paths(store, listings)
        stored = store.stats()
    assert reports[0].error == "listing0.txt: Input/output error"
    assert reports[1].error is None and reports[1].result is not None
    assert reports[1].result.new == 40
    assert stored.total == 40
