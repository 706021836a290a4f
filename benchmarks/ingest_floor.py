"""What an ingest cannot go below on this machine: the CPU time of each unavoidable stage,
measured alone, in one process, on the generated listing.

    python -m benchmarks.ingest_floor [--count 100000]

Why: issue 15 asks for ≥ 30k papers/s at 100k papers (≥ 25k/s at 1M) for the whole
``readq ingest``, index upkeep included. The stages below are each done once per paper by any
design that keeps readq's library (SQLite, twelve indexes on ``papers``) and its search index
(words → documents, built in Python): reading and parsing the listing, the dedupe keys, storing
the rows, and splitting titles and abstracts into the words the index posts. Their sum, divided
by the cores, bounds the whole command from below however well the stages overlap.

Stages (CPU seconds of this process, ``time.process_time``):

* ``parse``: :func:`readq.ingest.parse.parse_source` over the listing (every paper built);
* ``dedupe keys``: :func:`readq.textclean.dedupe_keys` of every paper;
* ``store``: :meth:`readq.store.Store.ingest_rows` of every paper into a new library in one
  transaction, commit included (the dedupe lookups are part of it);
* ``index words``: :func:`readq.search.build.scan_rows` over the stored rows (read back,
  words split, per-paper word sets, postings appended), without the compaction into bit sets;
* for comparison, SQLite's own full-text index (FTS5, contentless, ``detail=column``: per-field
  postings, as readq's index keeps) over the same titles and abstracts.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.e2e import listing_file
from benchmarks.generate import CACHE_DIR
from readq.ingest.parse import parse_source
from readq.ingest.reader import open_listing
from readq.models import ScrapedPaper, Source
from readq.search.build import scan_rows
from readq.search.documents import LibraryRows
from readq.store import ScrapedRow, Store, now_iso, scraped_values
from readq.textclean import dedupe_keys


def _cpu(action: object) -> tuple[float, object]:
    started = time.process_time()
    result = action() if callable(action) else None
    return time.process_time() - started, result


def measure(count: int, cache_dir: Path = CACHE_DIR) -> dict[str, float]:
    """CPU seconds of each stage for the cached listing of ``count`` papers."""
    listing = listing_file(count, cache_dir=cache_dir)
    seconds: dict[str, float] = {}

    def parse() -> list[ScrapedPaper]:
        _fmt, papers = parse_source(open_listing(str(listing)))
        return list(papers)

    seconds["parse"], parsed = _cpu(parse)
    assert isinstance(parsed, list)
    # What a stage keeps (every paper, every row) is not garbage the next stage's collections
    # should walk: in ``readq ingest`` papers stream through and are gone.
    gc.freeze()

    def keys() -> list[ScrapedRow]:
        return [scraped_values(p, *dedupe_keys(p.title, p.abstract)) for p in parsed]

    seconds["dedupe keys"], rows = _cpu(keys)
    assert isinstance(rows, list)
    gc.freeze()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "floor.db"
        with Store.open(db) as store:

            def store_rows() -> None:
                with store.write():
                    store.ingest_rows(
                        iter(rows), Source("floor", str(listing), now_iso()), "hf", expected=count
                    )

            seconds["store"], _ = _cpu(store_rows)
            seconds["index words"], _ = _cpu(lambda: scan_rows(LibraryRows(store).rows_from(0), 0))
            texts = store.conn.execute("SELECT id, title, abstract FROM papers").fetchall()
            gc.freeze()
        fts = sqlite3.connect(Path(folder) / "fts.db")
        fts.execute("CREATE VIRTUAL TABLE f USING fts5(title, abstract, content='', detail=column)")

        def fts_insert() -> None:
            fts.executemany("INSERT INTO f(rowid, title, abstract) VALUES (?, ?, ?)", texts)
            fts.commit()

        seconds["sqlite fts5 (comparison)"], _ = _cpu(fts_insert)
        fts.close()
    return seconds


def main() -> None:
    """Print each stage's CPU seconds, their sum and the throughput it bounds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    seconds = measure(args.count)
    cores = os.cpu_count() or 1
    print(f"{args.count:,} papers, load {os.getloadavg()[0]:.2f}, {cores} cores")
    for stage, value in seconds.items():
        print(f"  {stage:<26} {value:6.2f} CPU-s")
    floor = sum(v for k, v in seconds.items() if "comparison" not in k)
    print(f"  {'sum of the stages':<26} {floor:6.2f} CPU-s")
    print(
        f"  at best {args.count / (floor / cores):,.0f} papers/s on {cores} cores "
        f"(every stage overlapped perfectly, nothing else done)"
    )


if __name__ == "__main__":
    main()
