"""The TUI's answer while the index loads: the exact SQL evaluation of a query, timed.

    python -m benchmarks.sql_search_bench --size 100000 [--repeats 5] [--db LIB]

Per query, the median and p95 of (a) the first screen (``LIMIT 200``, what is painted first)
and (b) the whole answer (every id in order, then the count), each on a fresh reader as the
TUI's worker does; then a typing pass (every prefix of a query, as typed) with the same two
figures. Prints a Markdown table. Uses ``benchmarks.generate.cached_library`` unless ``--db``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.generate import CACHE_DIR, cached_library
from readq.library.searcher import ListRequest, Searcher
from readq.models import SortKey
from readq.search.selection import Selection, View
from readq.store import Store

QUERIES = (
    "d",
    "diff",
    "diffusion",
    "diffusion video",
    "(diffusion OR transformer) -survey",
    '"flow matching"',
    "llm",
    "-survey",
    "year:>=2024",
    "is:new org:nimbus",
    "zzqqxx",
)
TYPED = "diffusion transformer -survey"
PAGE = 200


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _measure(path: Path, text: str) -> tuple[float, float, int]:
    """(first screen ms, whole answer ms, matches) for one query on a fresh reader."""
    store = Store.open(path)
    try:
        searcher = Searcher()
        request = ListRequest(1, Selection(View.ALL, text, SortKey.ADDED))
        started = time.perf_counter()
        page = searcher.first_page(store, request, PAGE, lambda: False)
        first = time.perf_counter() - started
        if page is not None and not page.partial:
            result = page
        else:
            result = searcher.search(store, request, lambda: False)
        whole = time.perf_counter() - started
        return first * 1000, whole * 1000, len(result.ids)
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    args = parser.parse_args(argv)
    path = args.db or cached_library(args.size, cache_dir=args.cache_dir)
    print(f"library: {path}")
    print("| query | matches | first screen p50 / p95 ms | whole answer p50 / p95 ms |")
    print("|---|---|---|---|")
    for text in QUERIES:
        runs = [_measure(path, text) for _ in range(args.repeats)]
        firsts, wholes = [r[0] for r in runs], [r[1] for r in runs]
        print(
            f"| `{text}` | {runs[0][2]} | {statistics.median(firsts):.1f} / {_p95(firsts):.1f} "
            f"| {statistics.median(wholes):.1f} / {_p95(wholes):.1f} |"
        )
    typed = [TYPED[:i] for i in range(1, len(TYPED) + 1) if TYPED[i - 1] not in " -"]
    runs = [_measure(path, text) for text in typed]
    firsts, wholes = [r[0] for r in runs], [r[1] for r in runs]
    print(
        f"| typing `{TYPED}` ({len(typed)} keys) | | {statistics.median(firsts):.1f} / "
        f"{_p95(firsts):.1f} | {statistics.median(wholes):.1f} / {_p95(wholes):.1f} |"
    )


if __name__ == "__main__":
    main()
