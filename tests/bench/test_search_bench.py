"""The benchmark runs end to end at a tiny size (a smoke test: no timing assertions)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ is a package beside readq/, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks import run  # noqa: E402
from benchmarks.generate import Generator, listing_text  # noqa: E402
from readq.ingest import ingest_paths  # noqa: E402
from readq.store import Store  # noqa: E402


def test_quick_benchmark_writes_a_report(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    run.main(
        [
            "--quick",
            "--only",  # the end-to-end benchmark has its own smoke test (test_bench_smoke)
            "search",
            "--sizes",
            "300",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--output",
            str(output),
        ]
    )
    text = output.read_text(encoding="utf-8")
    assert "| kind | query |" in text and "difusion" in text


def test_generator_is_deterministic_and_listing_parses(tmp_path: Path) -> None:
    first = list(Generator(3).papers(40))
    assert first == list(Generator(3).papers(40))
    assert all(50 <= len(p.title) <= 150 for p in first)
    assert all(950 <= len(p.abstract) <= 2000 for p in first)
    listing = tmp_path / "listing.txt"
    listing.write_text(listing_text(first), encoding="utf-8")
    with Store.open(tmp_path / "lib.db") as store:
        ingest_paths(store, [str(listing)])
        titles = {p.title for p in store.list_papers()}
    assert titles == {p.title for p in first}
