"""Tags at scale: a rule applied to a whole library, rules on ingest, and ``tag:`` queries.

    python -m benchmarks.tags_bench --size 100000 [--repeats 7] [--db LIB]

1. ``rule add``: the time to store a rule and tag every paper it selects (one INSERT..SELECT
   through the exact SQL path), for a word, a phrase-free OR query and a filter.
2. Ingest: a generated listing of ``--ingest`` papers into the library, with no rule and with
   the three rules above (they run on the new ids in the ingest's transaction).
3. ``tag:`` queries on the in-memory index (what a keystroke costs: the first 40 ids and the
   count), cold (the first search after a tag write) and warm (the next keystrokes), and on
   the SQL path (first screen, ``LIMIT 200``), median and p95.

Works on a copy of ``benchmarks.generate.cached_library(size)`` (or ``--db``); prints Markdown.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.generate import CACHE_DIR, Generator, cached_library
from readq import rules, tags
from readq.models import ScrapedPaper, Source
from readq.search import SearchEngine, parse_query
from readq.search import sql as query_sql
from readq.store import Store

RULES = (
    ("bench/diffusion", "diffusion"),
    ("bench/agents", "agent OR agents OR robot"),
    ("bench/recent", "year:>=2024"),
)
SMALL = 1_000
"""Papers tagged by hand with ``small/hand`` (spread over the library): a tag of usual size."""
QUERIES = (
    "tag:small",
    "tag:small diffusion",
    "tag:bench",
    "tag:bench/diffusion",
    "-tag:bench",
    "has:tag",
    "tag:bench/recent transformer",
    "(tag:bench/agents OR tag:bench/diffusion) -is:read",
)


def _timed_search(engine: SearchEngine, text: str) -> tuple[float, int]:
    """Seconds to the first 40 ids and the count of ``text``, and the count."""
    start = time.perf_counter()
    result = engine.search(text)
    result[0:40]
    count = len(result)
    return time.perf_counter() - start, count


def _stats(values: Sequence[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:.1f} | {p95 * 1000:.1f}"


def _ingest(store: Store, papers: Sequence[ScrapedPaper], source: Source) -> int:
    """Papers stored and tagged by the rules in one transaction, as ``readq ingest`` does."""
    with store.write():
        result = store.ingest(papers, source, "generated")
        return rules.apply_to_new(store, result.new_ids)


def run(db: Path, size: int, repeats: int, ingest: int) -> list[str]:
    """Every measurement on the library at ``db`` (changed: pass a copy)."""
    out = [f"## Tags at {size:,} papers", "", "| rule | papers tagged | seconds |", "|---|---|---|"]
    with Store.open(db) as store:
        for tag, query in RULES:
            start = time.perf_counter()
            _rule, count = rules.add(store, tag, query)
            out.append(f"| `{tag}` = `{query}` | {count:,} | {time.perf_counter() - start:.2f} |")
    with Store.open(db) as store:
        ids = [int(r[0]) for r in store.conn.execute("SELECT id FROM papers ORDER BY id")]
        chosen = ids[:: max(1, len(ids) // SMALL)][:SMALL]
        start = time.perf_counter()
        store.change_tags(chosen, ["small/hand"])
        out.append(
            f"| `small/hand` by hand (`tag add`) | {SMALL:,} | {time.perf_counter() - start:.2f} |"
        )
    out += ["", "| ingest of new papers | papers | seconds | papers/s |", "|---|---|---|---|"]
    generator = Generator(seed=11)
    papers = list(generator.papers(2 * ingest))
    for label, batch, keep_rules in (
        ("no rules", papers[:ingest], False),
        ("3 rules", papers[ingest:], True),
    ):
        with Store.open(db) as store:
            saved = rules.rules(store.conn)
            if not keep_rules:
                with store.write() as conn:
                    conn.execute("DELETE FROM rules")
            source = Source(name=label, path=f"bench/{label}", seen_at="2026-01-01")
            start = time.perf_counter()
            _ingest(store, batch, source)
            seconds = time.perf_counter() - start
            if not keep_rules:
                with store.write() as conn:
                    conn.executemany(
                        "INSERT INTO rules (id, tag, query, created_at) VALUES (?, ?, ?, ?)",
                        [(r.id, r.tag, r.query, r.created_at) for r in saved],
                    )
        out.append(f"| {label} | {len(batch):,} | {seconds:.2f} | {len(batch) / seconds:,.0f} |")
    with Store.open(db) as store:
        start = time.perf_counter()
        engine = SearchEngine.load(store)
        seconds = time.perf_counter() - start
        out += [
            "",
            f"Index loaded in {seconds:.1f} s.",
            "",
            "Index: the first 40 ids and the count. Cold: the first search after a tag write "
            "(the tag is read from SQLite); warm: the next keystrokes (its set is kept). "
            "SQL: the first screen (`LIMIT 200`), what the TUI shows while the index loads.",
            "",
            "| query | matches | index cold, ms (median, p95) | index warm, ms (median, p95) "
            "| SQL first 200, ms (median, p95) |",
            "|---|---|---|---|---|",
        ]
        for text in QUERIES:
            cold: list[float] = []
            warm: list[float] = []
            sql_times: list[float] = []
            matches = 0
            for _ in range(repeats):
                with store.write() as conn:
                    tags.touch(conn)  # as any tag write does: the index reads the tag again
                for times in (cold, warm):
                    seconds, matches = _timed_search(engine, text)
                    times.append(seconds)
                start = time.perf_counter()
                query_sql.select_ids(store, parse_query(text), limit=200)
                sql_times.append(time.perf_counter() - start)
            out.append(
                f"| `{text}` | {matches:,} | {_stats(cold)} | {_stats(warm)} "
                f"| {_stats(sql_times)} |"
            )
        engine.close()
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: measure on a copy of the cached library (or ``--db``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--ingest", type=int, default=10_000)
    parser.add_argument("--db", type=Path, help="a library to copy (default: the cached one)")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    args = parser.parse_args(argv)
    source = args.db or cached_library(args.size, cache_dir=args.cache_dir)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "readq.db"
        shutil.copy(source, db)
        print("\n".join(run(db, args.size, args.repeats, args.ingest)))


if __name__ == "__main__":
    main()
