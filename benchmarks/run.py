"""Run the search benchmark at several library sizes and write ``RESULTS-search.md``.

    python -m benchmarks.run [--quick] [--sizes 10000,100000,1000000] [--output FILE]

Each size runs in its own process (``benchmarks.search_bench``) so that memory numbers are
not polluted by the previous size. ``--quick`` runs one tiny library with few repetitions
(a smoke test, well under a minute).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.generate import CACHE_DIR

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (2_000,)


def run_one(size: int, quick: bool, cache_dir: Path) -> dict[str, object]:
    """Benchmark one size in a subprocess and return its JSON result."""
    cmd = [sys.executable, "-m", "benchmarks.search_bench", "--size", str(size)]
    cmd += ["--cache-dir", str(cache_dir)]
    if quick:
        cmd.append("--quick")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH")]))
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _ms(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return f"{number:.1f}" if number >= 10 else f"{number:.2f}"


def render(results: list[dict[str, object]], command: str) -> str:
    """The markdown report."""
    lines = [
        "# Search benchmark",
        "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        f"  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        "Times are from `engine.search()` to `len(result)` plus the first page of 50 ids (what "
        "the TUI paints), each query measured cold (query caches cleared before every run). "
        "*all ids* materialises the whole ordered result once. Libraries are fictional papers "
        "from `benchmarks/generate.py` (abstracts 1,000-2,000 characters).",
        "",
        "## Summary",
        "",
        "| papers | build (s) | RSS before → after build (MB) | index arrays (MB) | vocabulary "
        "| worst query p95 (ms) | keystrokes median / p95 / max (ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        queries = r["queries"]
        assert isinstance(queries, list)
        worst = max(float(q["p95_ms"]) for q in queries)
        keys = r["keystrokes"]
        assert isinstance(keys, dict)
        lines.append(
            f"| {r['papers']:,} | {float(r['build_s']):.1f} "  # type: ignore[arg-type]
            f"| {float(r['rss_before_mb']):.0f} → {float(r['rss_after_mb']):.0f} "  # type: ignore[arg-type]
            f"| {float(r['index_mb']):.0f} | {r['vocabulary']:,} | {_ms(worst)} "  # type: ignore[arg-type]
            f"| {_ms(keys['median_ms'])} / {_ms(keys['p95_ms'])} / {_ms(keys['max_ms'])} |"
        )
    for r in results:
        queries = r["queries"]
        assert isinstance(queries, list)
        lines += [
            "",
            f"## {r['papers']:,} papers",
            "",
            "| kind | query | sort | hits | median (ms) | p95 (ms) | all ids (ms) |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
        for q in queries:
            shown = str(q["query"]).replace("|", "\\|") or "(empty)"
            lines.append(
                f"| {q['label']} | `{shown}` | {q['sort']} | {q['hits']:,} "
                f"| {_ms(q['median_ms'])} | {_ms(q['p95_ms'])} | {_ms(q['all_ids_ms'])} |"
            )
        keys = r["keystrokes"]
        assert isinstance(keys, dict)
        lines += [
            "",
            f"Typing `{keys['typed']}` one character at a time ({keys['count']} keystrokes): "
            f"median {_ms(keys['median_ms'])} ms, p95 {_ms(keys['p95_ms'])} ms, "
            f"max {_ms(keys['max_ms'])} ms.",
        ]
        fzf = r["fzf"]
        assert isinstance(fzf, dict)
        if fzf.get("available"):
            lines += [
                "",
                "Reference: `fzf --filter QUERY` over the same titles only (process start "
                "included), versus readq over titles, abstracts, organisations and notes:",
                "",
                "| query | fzf (ms) | readq (ms) | fzf / readq |",
                "|---|---:|---:|---:|",
            ]
            for text, fzf_ms in fzf["median_ms"].items():
                ours = float(fzf["ours_ms"][text])
                ratio = float(fzf_ms) / ours if ours else float("inf")
                lines.append(f"| `{text}` | {_ms(fzf_ms)} | {_ms(ours)} | {ratio:.1f}× |")
    return "\n".join(lines) + "\n"


def run_e2e(sizes: str | None, quick: bool, cache_dir: Path, output: Path) -> None:
    """The end-to-end benchmark (``benchmarks.e2e``): readq driven in a pty, ingest, and the
    alternatives (fzf, SQLite LIKE, coBib), written to ``output``. ~25 min for the default
    sizes on 2 cores (most of it at 1M papers); ``--quick``: one 1,500-paper run, < 30 s."""
    from benchmarks import e2e

    args = ["--output", str(output), "--cache-dir", str(cache_dir)]
    if quick:
        args += ["--quick", "--sizes", sizes or "1500", "--runs", "1", "--ingest-runs", "1"]
    else:
        args += ["--sizes", sizes or "10000,100000,1000000", "--runs", "3", "--cobib"]
        args += ["--ingest-runs", "2"]
    print(f"end to end: {' '.join(args)}", file=sys.stderr, flush=True)
    e2e.main(args)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and write the report."""
    parser = argparse.ArgumentParser(description="readq search benchmark")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run (< 60 s)")
    parser.add_argument("--sizes", default=None, help="comma-separated library sizes")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS-search.md")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument(
        "--only", choices=("search", "e2e"), default=None, help="run one of the two benchmarks"
    )
    parser.add_argument("--e2e-output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    if args.only != "search":
        run_e2e(args.sizes, args.quick, args.cache_dir, args.e2e_output)
    if args.only == "e2e":
        return
    if args.sizes:
        sizes = tuple(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    else:
        sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    results = []
    for size in sizes:
        print(f"benchmarking {size:,} papers ...", file=sys.stderr, flush=True)
        results.append(run_one(size, args.quick, args.cache_dir))
    args.output.write_text(render(results, command.strip()), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
