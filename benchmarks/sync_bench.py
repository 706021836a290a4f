"""Sync at scale: first sync of a big library, a new device joining, a daily sync.

    python -m benchmarks.sync_bench --papers 100000

Builds a library of fictional papers (``benchmarks.generate``), gives 10% of them a note,
syncs it into an empty folder, joins a second, empty library to that folder (the issue's
bound: <= 30 s at 100k), then makes 300 changes and times the daily sync on both sides.
Prints the JSON export's size beside the folder's.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.generate import build_library
from readq.export.json import write_json
from readq.models import Status
from readq.store import Store
from readq.sync import sync


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run(papers: int, root: Path) -> dict[str, float]:
    """Every measurement, in seconds or bytes."""
    folder = root / "Shared"
    folder.mkdir()
    a_path = build_library(root / "a" / "readq.db", papers)
    results: dict[str, float] = {}
    with Store.open(a_path) as a:
        ids = [int(r[0]) for r in a.conn.execute("SELECT id FROM papers ORDER BY id")]
        results["library_papers"] = len(ids)
        with a.write():
            for pid in ids[::10]:
                a.save_note(pid, f"Fictional note on paper {pid}: worth a second read.")
        out = io.StringIO()
        write_json(a, None, out)
        results["export_bytes"] = len(out.getvalue().encode())
        started, cpu = time.perf_counter(), time.process_time()
        sync(a, folder, device_name="a")
        results["first_sync_s"] = time.perf_counter() - started
        results["first_sync_cpu_s"] = time.process_time() - cpu
    results["folder_bytes"] = _size(folder)
    (root / "b").mkdir()
    with Store.open(root / "b" / "readq.db") as b:
        started, cpu = time.perf_counter(), time.process_time()
        joined = sync(b, folder, device_name="b")
        results["join_s"] = time.perf_counter() - started
        results["join_cpu_s"] = time.process_time() - cpu
        results["joined_papers"] = b.count()
        results["join_received"] = joined.received
        results["join_problems"] = len(joined.problems)
    with Store.open(a_path) as a:
        a.set_status(ids[:100], Status.READ)
        a.set_starred(ids[100:200], True)
        for pid in ids[200:300]:
            a.save_note(pid, "Daily change.")
        started = time.perf_counter()
        daily = sync(a, folder)
        results["daily_send_s"] = time.perf_counter() - started
        results["daily_sent"] = daily.sent
    with Store.open(root / "b" / "readq.db") as b:
        started = time.perf_counter()
        got = sync(b, folder)
        results["daily_receive_s"] = time.perf_counter() - started
        results["daily_received"] = got.received
    results["folder_bytes_after"] = _size(folder)
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for name, value in run(args.papers, Path(tmp)).items():
            print(f"{name}: {value:.2f}" if isinstance(value, float) else f"{name}: {value}")


if __name__ == "__main__":
    main()
