"""Ingest throughput: ``readq ingest`` timed from outside, as :func:`benchmarks.e2e.ingest_once`.

    python -m benchmarks.ingest_bench [--count 100000] [--runs 3] [--cases empty,reingest,big]

Cases (each run is a fresh ``readq`` process, wall time from spawn to exit):

* ``empty``: the cached listing of ``count`` papers into a new library (as ``ingest_once``:
  wall time from spawn to exit; the library is in /tmp here);
* ``reingest``: the same listing again into a library that already holds it (all repeats);
* ``big``: ``count`` papers of another seed (mostly new) into a copy of the cached 1M library
  in /tmp, migrated once beforehand.

Prints one line per run (wall time, and the CPU time of readq and its parser process, which
other jobs on a shared machine disturb less) and the median per case, with the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.e2e import listing_file, timed_ingest
from benchmarks.generate import CACHE_DIR, Generator, listing_text


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def new_listing(count: int, seed: int = 8) -> Path:
    """A listing of ``count`` papers from another seed (new to the cached libraries)."""
    path = Path(tempfile.gettempdir()) / f"rq-listing-{count}-s{seed}.txt"
    if not path.exists():
        papers = list(Generator(seed).papers(count))
        tmp = path.with_suffix(".tmp")
        tmp.write_text(listing_text(papers, seed), encoding="utf-8")
        tmp.rename(path)
    return path


def migrated_million() -> Path:
    """A copy of the cached 1M library in /tmp with every migration applied (the cached file
    may predate one: an ingest would then time a verified backup and an index build)."""
    path = Path(tempfile.gettempdir()) / "rq-library-1000000-migrated.db"
    if not path.exists():
        source = CACHE_DIR / "library-1000000-s7-v1.db"
        # A file copy is a whole library only when no WAL holds more of it.
        wal = Path(str(source) + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0, "checkpoint the cached library first"
        tmp = path.with_suffix(".tmp")
        shutil.copyfile(source, tmp)
        from readq.store import Store

        with Store.open(tmp) as store:  # migrates (no backup: this is a scratch copy)
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ("-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        tmp.rename(path)
    return path


def main() -> None:
    """Run the cases and print medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default="empty,reingest")
    args = parser.parse_args()
    listing = listing_file(args.count)
    cases = args.cases.split(",")
    for case in cases:
        rates: list[float] = []
        for run in range(args.runs):
            load_before = _load()
            if case == "empty":
                work = Path(tempfile.mkdtemp(prefix="readq-ingest-bench-", dir="/tmp"))
                try:
                    result = timed_ingest(work / "lib.db", listing, args.count)
                finally:
                    shutil.rmtree(work, ignore_errors=True)
            else:
                work = Path(tempfile.mkdtemp(prefix="readq-ingest-bench-", dir="/tmp"))
                try:
                    db = work / "lib.db"
                    if case == "reingest":
                        timed_ingest(db, listing, args.count)
                        result = timed_ingest(db, listing, args.count)
                        src = listing
                    elif case == "big":
                        shutil.copyfile(migrated_million(), db)
                        src = new_listing(args.count)
                        result = timed_ingest(db, src, args.count)
                    else:
                        raise SystemExit(f"unknown case {case}")
                finally:
                    shutil.rmtree(work, ignore_errors=True)
                del src
            rates.append(result["papers_per_s"])
            print(
                f"{case} run {run + 1}: {result['seconds']:.2f} s "
                f"{result['papers_per_s']:,.0f} papers/s, cpu {result['cpu_s']:.1f} s "
                f"(parent + parser)  load {load_before} -> {_load()}",
                flush=True,
            )
        print(f"{case}: median {statistics.median(rates):,.0f} papers/s", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
