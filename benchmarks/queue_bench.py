"""Timings of the to-read queue at scale: moves, renumbering, an applied order, the first
screen and the whole queue in order, the index's "queue" order, m009 on an existing library.

    python -m benchmarks.queue_bench --papers 100000

Fictional papers (titles "Fictional paper N"), every one marked to read, in a temporary
directory. Each move is timed from the ``Store`` call to its commit (one transaction).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.store import Store


def _ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and max of ``repeat`` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    """Build the library, then print one line per measurement."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    n, repeat = args.papers, args.repeat
    rng = random.Random(17)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "readq.db"
        store = Store.open(path)
        start = time.perf_counter()
        store.ingest(
            (
                ScrapedPaper(f"Fictional paper {i}", f"A made-up abstract number {i}.")
                for i in range(n)
            ),
            Source("bench", "/bench", "2026-01-01"),
            "hf",
        )
        print(f"ingest {n:,} papers: {time.perf_counter() - start:.1f} s")
        ids = [int(r[0]) for r in store.conn.execute("SELECT id FROM papers ORDER BY id")]
        start = time.perf_counter()
        store.set_status(ids, Status.TO_READ)
        print(f"mark all {n:,} to read (they join the queue): {time.perf_counter() - start:.2f} s")

        def pick() -> int:
            return ids[rng.randrange(n)]

        for place in ("top", "bottom"):
            med, worst = _ms(lambda place=place: store.queue_move(pick(), place), repeat)
            print(f"queue_move {place}: median {med:.2f} ms, max {worst:.2f} ms ({repeat} moves)")

        def between(place: str) -> None:
            a, b = pick(), pick()
            if a != b:
                store.queue_move(a, place, b)

        for place in ("before", "after"):
            med, worst = _ms(lambda place=place: between(place), repeat)
            print(f"queue_move {place}: median {med:.2f} ms, max {worst:.2f} ms ({repeat} moves)")
        target = pick()

        def same_gap() -> None:
            # Always into the same gap: it is used up after ~50 moves, then renumbered.
            store.queue_move(pick(), "before", target)

        med, worst = _ms(same_gap, 200)
        print(
            f"200 moves into one gap (renumbering included): median {med:.2f} ms, "
            f"max {worst:.1f} ms"
        )
        with store.write() as conn:
            start = time.perf_counter()
            store._renumber_queue(conn)
            print(f"renumber the whole queue: {(time.perf_counter() - start) * 1000:.0f} ms")
        order = ids[:]
        rng.shuffle(order)
        start = time.perf_counter()
        before = store.set_queue_order(order)
        print(f"apply an order to {n:,} papers: {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        store.restore_queue_slots(before)
        print(f"undo it (restore {n:,} places): {time.perf_counter() - start:.2f} s")
        med, worst = _ms(lambda: store.queue_ids(limit=200), 20)
        print(f"first 200 of the queue: median {med:.2f} ms")
        med, worst = _ms(store.queue_ids, 5)
        print(f"whole queue in order: median {med:.0f} ms")
        from readq.search.selection import Selection, View
        from readq.search.sql import selection_ids

        to_read = Selection(View.TO_READ, sort=SortKey.QUEUE)
        med, worst = _ms(lambda: selection_ids(store, to_read, limit=200), 20)
        print(f"To-read view, first screen (200 rows, sort queue): median {med:.2f} ms")
        from readq.search.engine import SearchEngine

        engine = SearchEngine.load(store)
        try:

            def fresh_order() -> None:
                engine.drop_order(SortKey.QUEUE)
                engine.search("", sort=SortKey.QUEUE, view=Status.TO_READ)[:50]

            med, worst = _ms(fresh_order, 5)
            print(f"index: queue order recomputed + first page: median {med:.0f} ms")
        finally:
            engine.close()
        store.close()


if __name__ == "__main__":
    main()
