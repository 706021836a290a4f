"""coBib on the same papers: time to the first list on screen and peak RSS.

coBib 6.0.3 (a Textual bibliography manager) is installed at bench time into its own venv under
``benchmarks/.cache/cobib-venv`` (never into readq's dependencies). Its YAML database is written
from the same generated library readq opens (labels ``p<id>``, title, abstract, year, authors or
organisation), its database cache and git integration are off, and it runs in the same
120x40 pty. The time is spawn → the row of the newest entry painted (coBib lists newest first).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from benchmarks.generate import cached_library
from benchmarks.term import PtyApp, python_env

COBIB_VERSION = "6.0.3"
TIME_LIMIT_S = 180.0


def cobib_bin(cache_dir: Path) -> Path | None:
    """The coBib executable in its own venv (created on first use), or None if unavailable."""
    venv = cache_dir / "cobib-venv"
    exe = venv / "bin" / "cobib"
    if exe.exists():
        return exe
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", f"cobib=={COBIB_VERSION}"], check=True
        )
    except (subprocess.CalledProcessError, OSError):
        return None
    return exe if exe.exists() else None


def write_database(db: Path, out: Path) -> str:
    """Write coBib's YAML database from the library; returns the newest entry's label."""
    last = ""
    with sqlite3.connect(str(db)) as conn, out.open("w", encoding="utf-8") as handle:
        rows = conn.execute(
            "SELECT id, title, abstract, substr(published, 1, 4), authors, org FROM papers "
            "ORDER BY id"
        )
        for pid, title, abstract, year, authors, org in rows:
            label = f"p{pid}"
            who = org or f"{authors or 1} authors"
            handle.write(
                f"---\n{label}:\n  ENTRYTYPE: article\n  title: {json.dumps(title)}\n"
                f"  author: {json.dumps(who)}\n  year: {year or 2024}\n"
                f"  abstract: {json.dumps(abstract)}\n...\n"
            )
            last = label
    return last


def measure(size: int, cache_dir: Path, runs: int = 2) -> dict[str, object]:
    """Spawn → first list painted (median of ``runs``) and peak RSS, or a note why not."""
    exe = cobib_bin(cache_dir)
    if exe is None:
        return {"note": "coBib could not be installed"}
    work = cache_dir / f"cobib-{size}"
    work.mkdir(parents=True, exist_ok=True)
    database = work / "db.yaml"
    label_file = work / "last-label"
    library = cached_library(size, cache_dir=cache_dir)
    if not database.exists() or not label_file.exists():
        label_file.write_text(write_database(library, database))
    label = label_file.read_text()
    config = work / "config.py"
    config.write_text(
        "from cobib.config import config\n"
        f"config.database.file = {str(database)!r}\n"
        "config.database.cache = None\n"
        "config.database.git = False\n"
        f"config.logging.cache = {str(work / 'cache')!r}\n"
        "config.logging.version = None\n"
    )
    times: list[float] = []
    peaks: list[float] = []
    for _ in range(runs):
        print(f"  {size:,} papers: coBib", file=sys.stderr, flush=True)
        app = PtyApp([str(exe), "-c", str(config)], env=python_env())
        try:
            seen = app.wait_for(
                lambda s: any(line.lstrip().startswith(label + " ") for line in s.display()[:6]),
                timeout=TIME_LIMIT_S,
            )
            hwm = app.proc_status("VmHWM")
        finally:
            app.close()
        if seen is None:
            return {"note": f"no list within {TIME_LIMIT_S:.0f} s", "hwm_mb": (hwm or 0) / 1024}
        times.append((seen - app.started) * 1000)
        peaks.append((hwm or 0) / 1024)
    times.sort()
    return {"first_list_ms": times[len(times) // 2], "hwm_mb": max(peaks), "runs": times}
