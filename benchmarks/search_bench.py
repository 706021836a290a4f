"""Search benchmark for one library size, run in its own process so memory is measured cleanly.

    python -m benchmarks.search_bench --size 100000 [--quick] [--cache-dir DIR]

prints one JSON object: index build time, memory (RSS before/after the build and the
engine's own estimate), and per query the median and p95 of the time from calling
``engine.search`` to having ``len(result)`` and the first page of 50 ids (what the TUI paints),
plus the time to materialise every id once. Caches of the engine are cleared before every
timed run, so each query is measured cold (as the first keystroke that produces it would be);
the keystroke sequence keeps caches between keystrokes within one typing pass, as typing does.
``fzf --filter`` over the same titles is timed as a reference.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.generate import CACHE_DIR, cached_library
from readq.models import SortKey
from readq.search import SearchEngine
from readq.store import Store

QUERIES: tuple[tuple[str, str, SortKey], ...] = (
    ("typo", "difusion", SortKey.RELEVANCE),
    ("typo", "trasnformer", SortKey.RELEVANCE),
    ("typo", "quantizaton", SortKey.RELEVANCE),
    ("prefix 1", "d", SortKey.RELEVANCE),
    ("prefix 2", "di", SortKey.RELEVANCE),
    ("prefix 3", "gra", SortKey.RELEVANCE),
    ("prefix 4", "diff", SortKey.RELEVANCE),
    ("word", "lora", SortKey.RELEVANCE),
    ("word", "diffusion", SortKey.RELEVANCE),
    ("word, sort published", "diffusion", SortKey.PUBLISHED),
    ("2 words", "diffusion video", SortKey.RELEVANCE),
    ("3 words", "efficient long context", SortKey.RELEVANCE),
    ("3 words", "gaussian splatting robotic", SortKey.RELEVANCE),
    ("phrase", '"flow matching"', SortKey.RELEVANCE),
    ("phrase", '"diffusion models are"', SortKey.RELEVANCE),
    ("filter", "is:new", SortKey.ADDED),
    ("filter", "year:>=2024", SortKey.ADDED),
    ("filter", "org:nimbus", SortKey.ADDED),
    ("mixed", "diffusion year:2023 -video", SortKey.RELEVANCE),
    ("mixed", "title:agent is:new", SortKey.RELEVANCE),
    ("empty", "", SortKey.ADDED),
)
TYPED = "difusion models video"
FZF_QUERIES = ("difusion", "trasnformer", "d", "diff", "lora", "diffusion video")
PAGE = 50


def rss_bytes() -> int:
    """Resident set size of this process now (Linux ``/proc``), 0 when unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[k]


def _time(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _first_page(engine: SearchEngine, text: str, sort: SortKey) -> int:
    result = engine.search(text, sort=sort)
    result[:PAGE]
    return len(result)


def _clear(engine: SearchEngine) -> None:
    engine.clear_caches()


def run_size(size: int, quick: bool, cache_dir: Path) -> dict[str, object]:
    """Benchmark one library size; returns a JSON-ready dict."""
    repeats = 3 if quick else 15
    path = cached_library(size, cache_dir=cache_dir)
    gc.collect()
    rss_before = rss_bytes()
    store = Store.open(path, migrate=False)
    started = time.perf_counter()
    engine = SearchEngine.load(store)
    build = time.perf_counter() - started
    gc.collect()
    gc.freeze()
    rss_after = rss_bytes()
    queries: list[dict[str, object]] = []
    for label, text, sort in QUERIES:
        times = []
        hits = 0
        for _ in range(repeats):
            _clear(engine)
            times.append(_time(lambda t=text, s=sort: _first_page(engine, t, s)))
        _clear(engine)
        hits = len(engine.search(text, sort=sort))
        full = _time(lambda t=text, s=sort: list(engine.search(t, sort=s)))
        queries.append(
            {
                "label": label,
                "query": text,
                "sort": sort.value,
                "hits": hits,
                "median_ms": statistics.median(times) * 1000,
                "p95_ms": _percentile(times, 0.95) * 1000,
                "all_ids_ms": full * 1000,
            }
        )
    keystrokes: list[float] = []
    for _ in range(max(1, repeats // 3)):
        _clear(engine)
        for i in range(1, len(TYPED) + 1):
            prefix = TYPED[:i]
            keystrokes.append(_time(lambda q=prefix: _first_page(engine, q, SortKey.RELEVANCE)))
    fzf = _fzf(store, repeats)
    ours = {}
    for text in FZF_QUERIES:
        times = []
        for _ in range(repeats):
            _clear(engine)
            times.append(_time(lambda t=text: _first_page(engine, t, SortKey.RELEVANCE)))
        ours[text] = statistics.median(times) * 1000
    result: dict[str, object] = {
        "size": size,
        "papers": len(engine),
        "vocabulary": engine.vocabulary_size,
        "build_s": build,
        "rss_before_mb": rss_before / 2**20,
        "rss_after_mb": rss_after / 2**20,
        "index_mb": engine.memory_bytes() / 2**20,
        "queries": queries,
        "keystrokes": {
            "typed": TYPED,
            "count": len(keystrokes),
            "median_ms": statistics.median(keystrokes) * 1000,
            "p95_ms": _percentile(keystrokes, 0.95) * 1000,
            "max_ms": max(keystrokes) * 1000,
        },
        "fzf": {"available": fzf is not None, "median_ms": fzf or {}, "ours_ms": ours},
    }
    engine.close()
    store.close()
    return result


def _fzf(store: Store, repeats: int) -> dict[str, float] | None:
    """Median wall time of ``fzf --filter Q`` over all titles (a file on stdin), per query."""
    binary = shutil.which("fzf")
    if binary is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for (title,) in store.conn.execute("SELECT title FROM papers ORDER BY id DESC"):
            f.write(title.replace("\n", " ") + "\n")
        titles = Path(f.name)
    out: dict[str, float] = {}
    try:
        for text in FZF_QUERIES:
            times = []
            for _ in range(repeats):
                with titles.open("rb") as stdin:
                    started = time.perf_counter()
                    subprocess.run(
                        [binary, "--filter", text],
                        stdin=stdin,
                        stdout=subprocess.DEVNULL,
                        check=False,
                    )
                    times.append(time.perf_counter() - started)
            out[text] = statistics.median(times) * 1000
    finally:
        titles.unlink(missing_ok=True)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Run one size and print the JSON result."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    args = parser.parse_args(argv)
    print(json.dumps(run_size(args.size, args.quick, args.cache_dir)))


if __name__ == "__main__":
    main()
