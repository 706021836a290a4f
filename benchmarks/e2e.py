"""End-to-end benchmark: the real ``readq`` driven in a pseudo-terminal, timed from outside.

    python -m benchmarks.e2e --sizes 10000,100000 [--runs 3] [--quick] [--json out.json]

For each library size (fictional papers from :mod:`benchmarks.generate`), each run starts a
fresh ``readq`` on a 120x40 pty (``TERM=xterm-256color``) and measures, like a user would see it:

* cold start: process spawn to the first list row showing the newest paper's title;
* search ready: spawn to the process going idle (the in-memory index has been built);
* keystrokes: typed queries (typos, prefixes, several words, filters) one key at a time, each
  from the key written to the pty to the screen showing the expected count and first title
  (computed beforehand by an oracle process running ``readq.search`` on the same library).
  A key whose expected screen equals the previous one cannot be observed and is skipped;
* page down: key to the first list row changing;
* mark / star: key to the change committed in SQLite (``PRAGMA data_version`` polled from here);
* memory: ``VmHWM`` (peak RSS) of the readq process at the end of the run.

It also times ``readq ingest`` of a listing of the same papers, and side by side on the same
papers: ``fzf --filter`` over the titles, a plain SQLite ``LIKE`` over titles and abstracts,
and coBib (see :mod:`benchmarks.cobib_bench`). Results are one JSON object per size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.generate import CACHE_DIR, Generator, cached_library, listing_text
from benchmarks.term import Predicate, PtyApp, Screen, python_env

HERE = Path(__file__).resolve().parent
READQ = [sys.executable, "-m", "readq"]
COLS, ROWS = 120, 40
TITLE_PREFIX = 36
"""How much of a title must be on the first list row (the list column shows ~48 chars)."""

TYPED_QUERIES: tuple[tuple[str, str], ...] = (
    ("typo", "difusion"),
    ("typo", "trasnformer"),
    ("prefix", "spectro"),
    ("words", "lora fine"),
    ("words", "gaussian splat"),
    ("filter", "org:kestrel video"),
    ("filter", "year:>=2024 reward"),
    ("exclude", "robust -video"),
)
QUICK_QUERIES = TYPED_QUERIES[:4]
BURST_QUERY = "gaussian splat video"
"""Typed in one burst (20 characters): at 30 ms a key, and at once as a paste."""
BURST_GAP = 0.03
AFTER_INGEST_QUERY = "difusion"
"""A typo: only the full index answers it (the SQL evaluation used while it loads does not)."""
ALT_QUERIES = ("difusion", "trasnformer", "spectro", "lora fine", "gaussian splat")
"""Plain-word queries that fzf and LIKE can also answer (for ratios)."""
PAGE_DOWN = "\x1b[6~"
ESCAPE = "\x1b"


@dataclass
class RunResult:
    """What one run of the TUI measured (times in ms)."""

    cold_start_ms: float | None = None
    ready_ms: float | None = None
    keystrokes: list[dict[str, object]] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    burst_ms: list[float] = field(default_factory=list)
    paste_ms: list[float] = field(default_factory=list)
    mark_ms: list[float] = field(default_factory=list)
    star_ms: list[float] = field(default_factory=list)
    hwm_kb: int | None = None
    rss_kb: int | None = None
    errors: list[str] = field(default_factory=list)


# --------------------------------------------------------------------- the oracle
def oracle(db: Path, texts: Sequence[str]) -> dict[str, dict[str, object]]:
    """What the inbox (sorted by added) must show for each query text: count and first title.

    Runs ``readq.search`` in a child process (at 1M papers the index is large) and caches the
    answer beside the library.
    """
    import hashlib

    import readq.search

    digest = hashlib.sha1()
    for source in sorted(Path(readq.search.__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    cache = db.with_suffix(f".oracle-{digest.hexdigest()[:10]}.json")
    known: dict[str, dict[str, object]] = {}
    if cache.exists() and cache.stat().st_mtime >= db.stat().st_mtime:
        known = json.loads(cache.read_text())
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.e2e", "--oracle", str(db)],
            input=json.dumps(missing),
            capture_output=True,
            text=True,
            check=True,
            env=_env_with_path(),
        )
        known.update(json.loads(done.stdout))
        cache.write_text(json.dumps(known))
    return {t: known[t] for t in texts}


def _run_oracle(db: Path, texts: Sequence[str]) -> dict[str, dict[str, object]]:
    from readq.models import SortKey, Status
    from readq.search import QueryError, SearchEngine
    from readq.store import Store
    from readq.tui.widgets.paper_list import display_title

    answers: dict[str, dict[str, object]] = {}
    with Store.open(db) as store:
        engine = SearchEngine.load(store.open_reader())
        for text in texts:
            try:
                result = engine.search(text, sort=SortKey.ADDED, view=Status.NEW)
            except QueryError as exc:
                answers[text] = {"error": " ".join(str(exc).split())}
                continue
            count = len(result)
            title = display_title(store.get(result[0])) if count else None
            answers[text] = {"count": count, "title": title}
    return answers


# ------------------------------------------------------------------ screen reading
def list_column(line: str) -> str:
    """The part of a row that belongs to the list (left of the detail pane's border)."""
    border = line.find("▏")
    return line if border < 0 else line[:border]


def showing(expected: dict[str, object], first_row: int = 3) -> Predicate:
    """A predicate: the screen shows this oracle answer (message line and first row)."""
    error = expected.get("error")
    if error is not None:
        wanted = str(error)[:30]
        return lambda s: wanted in " ".join(s.line(2).split())
    count = int(expected["count"])  # type: ignore[call-overload]
    title = expected.get("title")
    head = f"{count} paper"
    prefix = str(title)[:TITLE_PREFIX] if title else None

    def check(s: Screen) -> bool:
        if not s.line(2).strip().startswith(head):
            return False
        return prefix is None or prefix in list_column(s.line(first_row))

    return check


def unfiltered(title: str | None) -> Predicate:
    """A predicate: no filter message, and the first list row shows ``title``."""
    prefix = (title or "")[:TITLE_PREFIX]
    return lambda s: prefix in list_column(s.line(2))


# ------------------------------------------------------------------ one TUI run
def run_tui(
    db: Path,
    answers: dict[str, dict[str, object]],
    queries: Sequence[tuple[str, str]],
    *,
    marks: int,
    pages: int,
    timeout: float,
    keep_chunks: bool = False,
) -> tuple[RunResult, PtyApp]:
    """Start readq on ``db`` and measure one run."""
    result = RunResult()
    config = Path(tempfile.mkdtemp(prefix="readq-bench-config-"))
    env = python_env({"READQ_CONFIG_DIR": str(config), "PYTHONPATH": str(HERE.parent)})
    first_title = answers[""].get("title")
    app = PtyApp([*READQ, "--db", str(db)], env=env, cols=COLS, rows=ROWS, keep_chunks=keep_chunks)
    watch = sqlite3.connect(str(db), isolation_level=None)
    try:
        shown = app.wait_for(unfiltered(str(first_title)), timeout=max(30.0, timeout))
        if shown is None:
            code = app.proc.poll()
            result.errors.append(
                "first list never appeared"
                + (f" (readq exited with {code})" if code is not None else "")
                + ": "
                + " | ".join(line.strip() for line in app.screen.display()[:6] if line.strip())
            )
            return result, app
        result.cold_start_ms = (shown - app.started) * 1000
        ready = app.wait_idle(timeout=600)
        if ready is not None:
            result.ready_ms = (ready - app.started) * 1000
        _type_queries(app, answers, queries, str(first_title), result, timeout)
        if BURST_QUERY in answers:
            for gap, times in ((BURST_GAP, result.burst_ms), (0.0, result.paste_ms)):
                _burst(app, answers, str(first_title), gap, times, result, timeout)
        _page(app, pages, result, timeout)
        _marks(app, watch, marks, result, timeout)
        result.hwm_kb = app.proc_status("VmHWM")
        result.rss_kb = app.proc_status("VmRSS")
    finally:
        watch.close()
        app.close()
        shutil.rmtree(config, ignore_errors=True)
    return result, app


def _type_queries(
    app: PtyApp,
    answers: dict[str, dict[str, object]],
    queries: Sequence[tuple[str, str]],
    first_title: str,
    result: RunResult,
    timeout: float,
) -> None:
    for kind, query in queries:
        app.send("/")
        app.drain(quiet=0.2)
        state: dict[str, object] = answers[""]
        for end in range(1, len(query) + 1):
            text = query[:end]
            expected = answers[text]
            if _same_screen(expected, state):
                app.send(query[end - 1])
                app.drain(quiet=0.1)
                continue
            sent = app.send(query[end - 1])
            seen = app.wait_for(showing(expected), timeout=timeout)
            if seen is None:
                result.errors.append(
                    f"timeout on {text!r}: " + " | ".join(app.screen.display()[:4])
                )
                app.drain(quiet=0.3)
            else:
                result.keystrokes.append(
                    {"kind": kind, "query": query, "text": text, "ms": (seen - sent) * 1000}
                )
            state = expected
            app.drain(quiet=0.03)
        app.send(ESCAPE)
        # Esc keeps the cursor on the paper it was on, and the next filter's results open at
        # the cursor's row, not at the top: `g` (first row) so every query starts alike.
        app.wait_for(lambda s: "filter:" not in s.line(0), timeout=timeout)
        app.send("g")
        if app.wait_for(unfiltered(first_title), timeout=timeout) is None:
            result.errors.append(f"list did not come back after {query!r}")
        app.drain(quiet=0.2)


def _burst(
    app: PtyApp,
    answers: dict[str, dict[str, object]],
    first_title: str,
    gap: float,
    times: list[float],
    result: RunResult,
    timeout: float,
) -> None:
    """Type :data:`BURST_QUERY` with ``gap`` seconds between keys (0: one write, as a paste)
    and time the last key that changes the expected screen (written to the pty) → the screen
    showing the query's final result (later keys that change nothing cannot be observed)."""
    app.send("/")
    app.drain(quiet=0.2)
    if gap:
        last = max(
            (
                i
                for i in range(1, len(BURST_QUERY) + 1)
                if answers.get(BURST_QUERY[:i]) is not None
                and not _same_screen(answers[BURST_QUERY[:i]], answers[BURST_QUERY[: i - 1]])
            ),
            default=len(BURST_QUERY),
        )
        sent = 0.0
        for i, char in enumerate(BURST_QUERY, start=1):
            stamp = app.send(char)
            if i == last:
                sent = stamp
            if i < len(BURST_QUERY):
                app.drain(quiet=gap, timeout=gap)  # read the screen meanwhile, as a terminal does
    else:
        sent = app.send(BURST_QUERY)
    seen = app.wait_for(showing(answers[BURST_QUERY]), timeout=timeout)
    if seen is None:
        result.errors.append(f"burst {BURST_QUERY!r} (gap {gap}) never showed its result")
    else:
        times.append((seen - sent) * 1000)
    app.drain(quiet=0.2)
    app.send(ESCAPE)
    app.wait_for(lambda s: "filter:" not in s.line(0), timeout=timeout)
    app.send("g")
    if app.wait_for(unfiltered(first_title), timeout=timeout) is None:
        result.errors.append("list did not come back after the burst")
    app.drain(quiet=0.2)


def _same_screen(a: dict[str, object], b: dict[str, object]) -> bool:
    if "error" in a or "error" in b:
        return a.get("error") == b.get("error")
    return a.get("count") == b.get("count") and a.get("title") == b.get("title")


def _page(app: PtyApp, pages: int, result: RunResult, timeout: float) -> None:
    app.send(PAGE_DOWN)  # the first page-down moves the cursor to the bottom row only
    app.drain(quiet=0.2)
    for _ in range(pages):
        before = list_column(app.screen.line(2))
        sent = app.send(PAGE_DOWN)
        seen = app.wait_for(lambda s, b=before: list_column(s.line(2)) != b, timeout=timeout)  # type: ignore[misc]
        if seen is None:
            result.errors.append(
                "page down did not scroll: " + " | ".join(app.screen.display()[:4])
            )
        else:
            result.page_ms.append((seen - sent) * 1000)
        app.drain(quiet=0.1)


def _marks(
    app: PtyApp, watch: sqlite3.Connection, marks: int, result: RunResult, timeout: float
) -> None:
    for key, bucket in (("r", result.mark_ms), ("s", result.star_ms)):
        for _ in range(marks):
            version = watch.execute("PRAGMA data_version").fetchone()[0]
            sent = app.send(key)
            deadline = sent + timeout
            while True:
                now = time.perf_counter()
                if watch.execute("PRAGMA data_version").fetchone()[0] != version:
                    bucket.append((now - sent) * 1000)
                    break
                if now > deadline:
                    result.errors.append(f"{key!r} was not stored")
                    break
                time.sleep(0.0002)
            app.drain(quiet=0.1)
    read = watch.execute("SELECT count(*) FROM papers WHERE status = 'read'").fetchone()[0]
    if read != marks:
        result.errors.append(f"expected {marks} papers marked read, found {read}")


def reset_marks(db: Path) -> None:
    """Put the library back as generated (every paper new, none starred)."""
    with sqlite3.connect(str(db), isolation_level=None) as conn:
        conn.execute("UPDATE papers SET status = 'new' WHERE status != 'new'")
        conn.execute("UPDATE papers SET starred = 0 WHERE starred != 0")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# -------------------------------------------------------------------- alternatives
def titles_file(db: Path) -> Path:
    """The titles of the library, one per line (fzf's input)."""
    path = db.with_suffix(".titles.txt")
    if not path.exists():
        with sqlite3.connect(str(db)) as conn, path.open("w", encoding="utf-8") as out:
            for (title,) in conn.execute("SELECT title FROM papers ORDER BY id DESC"):
                out.write(" ".join(str(title).split()) + "\n")
    return path


def fzf_times(db: Path, queries: Iterable[str], repeat: int) -> dict[str, float] | None:
    """Median ms of ``fzf --filter QUERY < titles`` per query (process start included)."""
    fzf = shutil.which("fzf")
    if fzf is None:
        return None
    titles = titles_file(db)
    times: dict[str, float] = {}
    for query in queries:
        samples = []
        for _ in range(repeat):
            with titles.open("rb") as handle:
                started = time.perf_counter()
                subprocess.run(
                    [fzf, "--filter", query], stdin=handle, stdout=subprocess.DEVNULL, check=False
                )
                samples.append((time.perf_counter() - started) * 1000)
        times[query] = statistics.median(samples)
    return times


def like_times(db: Path, queries: Iterable[str], repeat: int) -> dict[str, float]:
    """Median ms of a plain SQLite filter: each word ``LIKE '%w%'`` in title or abstract,
    inbox only, newest first, count and first row (what the TUI shows)."""
    times: dict[str, float] = {}
    with sqlite3.connect(str(db)) as conn:
        for query in queries:
            words = query.split()
            where = " AND ".join("(title LIKE ? OR abstract LIKE ?)" for _ in words)
            params = [p for w in words for p in (f"%{w}%", f"%{w}%")]
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                ids = [
                    r[0]
                    for r in conn.execute(
                        f"SELECT id FROM papers WHERE status = 'new' AND {where} ORDER BY id DESC",
                        params,
                    )
                ]
                if ids:
                    conn.execute("SELECT title FROM papers WHERE id = ?", (ids[0],)).fetchone()
                samples.append((time.perf_counter() - started) * 1000)
            times[query] = statistics.median(samples)
    return times


# -------------------------------------------------------------------------- ingest
def listing_file(count: int, seed: int = 7, cache_dir: Path = CACHE_DIR) -> Path:
    """A Hugging Face listing of ``count`` generated papers (cached; written in batches)."""
    path = cache_dir / f"listing-{count}-s{seed}.txt"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    generator = Generator(seed)
    done = 0
    with tmp.open("w", encoding="utf-8") as out:
        while done < count:
            size = min(20_000, count - done)
            text = listing_text([generator.paper(done + i) for i in range(size)], seed + done)
            out.write(text if done == 0 else text.split("\n", 12)[12])
            done += size
    tmp.rename(path)
    return path


def timed_ingest(db: Path, listing: Path, count: int) -> dict[str, float]:
    """Run ``readq ingest listing`` into ``db`` and time it from outside: wall seconds, papers
    per second, CPU seconds of readq and its parser process, peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*READQ, "--db", str(db), "ingest", str(listing)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_env_with_path(),
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise RuntimeError(f"readq ingest failed: {err}")
    return {
        "seconds": seconds,
        "papers_per_s": count / seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "hwm_kb": usage.ru_maxrss,
    }


def ingest_once(listing: Path, count: int) -> dict[str, float]:
    """Time ``readq ingest`` of ``listing`` into a new library (wall time, peak RSS)."""
    # Beside the listing (in the cache dir the caller chose, which exists).
    work = Path(tempfile.mkdtemp(prefix="readq-bench-ingest-", dir=listing.parent))
    try:
        db = work / "lib.db"
        result = timed_ingest(db, listing, count)
        with sqlite3.connect(str(db)) as conn:
            result["stored"] = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def after_ingest(listing: Path, count: int, *, repeat: int = 3) -> dict[str, object]:
    """Right after ``readq ingest`` of ``listing`` into a new library, as a new user would:

    * ``answer_ms``: spawn ``readq`` → the typo query :data:`AFTER_INGEST_QUERY` (typed as
      soon as the first list shows) shows the full index's answer;
    * ``ready_ms``: spawn → idle (a second start, like the per-size "search ready");
    * ``list_query_ms``: ``readq list --query`` in a fresh process, wall time, ``repeat`` times.
    """
    work = Path(tempfile.mkdtemp(prefix="readq-bench-after-", dir=listing.parent))
    out: dict[str, object] = {}
    try:
        db = work / "lib.db"
        out["ingest"] = timed_ingest(db, listing, count)
        # The oracle builds its own index in a child (it never writes readq's cache).
        answers = oracle(db, ["", AFTER_INGEST_QUERY])
        first = str(answers[""].get("title"))
        config = Path(tempfile.mkdtemp(prefix="readq-bench-config-"))
        env = python_env({"READQ_CONFIG_DIR": str(config), "PYTHONPATH": str(HERE.parent)})
        try:
            app = PtyApp([*READQ, "--db", str(db)], env=env, cols=COLS, rows=ROWS)
            try:
                if app.wait_for(unfiltered(first), timeout=60.0) is not None:
                    app.send("/" + AFTER_INGEST_QUERY)
                    seen = app.wait_for(showing(answers[AFTER_INGEST_QUERY]), timeout=300.0)
                    out["answer_ms"] = None if seen is None else (seen - app.started) * 1000
            finally:
                app.close()
            app = PtyApp([*READQ, "--db", str(db)], env=env, cols=COLS, rows=ROWS)
            try:
                if app.wait_for(unfiltered(first), timeout=60.0) is not None:
                    ready = app.wait_idle(timeout=300.0)
                    out["ready_ms"] = None if ready is None else (ready - app.started) * 1000
            finally:
                app.close()
        finally:
            shutil.rmtree(config, ignore_errors=True)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(
                [*READQ, "--db", str(db), "list", "--query", AFTER_INGEST_QUERY, "--limit", "20"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=_env_with_path(),
                check=True,
            )
            times.append((time.perf_counter() - started) * 1000)
        out["list_query_ms"] = times
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ----------------------------------------------------------------------- one size
def working_copy(size: int, cache_dir: Path) -> Path:
    """A copy of the cached library that runs may write to (marks are reset after each)."""
    source = cached_library(size, cache_dir=cache_dir)
    copy = cache_dir / f"e2e-{source.name}"
    if not copy.exists() or copy.stat().st_mtime < source.stat().st_mtime:
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)
        with sqlite3.connect(str(source)) as src, sqlite3.connect(str(copy)) as dst:
            src.backup(dst)
    return copy


def bench_size(
    size: int, *, runs: int, quick: bool, cache_dir: Path, ingest_runs: int, alternatives: bool
) -> dict[str, object]:
    """Every measurement at one library size."""
    db = working_copy(size, cache_dir)
    reset_marks(db)
    queries = QUICK_QUERIES if quick else TYPED_QUERIES
    texts = [""] + [q[:i] for _k, q in queries for i in range(1, len(q) + 1)]
    texts += [BURST_QUERY[:i] for i in range(1, len(BURST_QUERY) + 1)]
    answers = oracle(db, texts)
    runs_out: list[dict[str, object]] = []
    for index in range(runs):
        print(f"  {size:,} papers: TUI run {index + 1}/{runs}", file=sys.stderr, flush=True)
        result, _app = run_tui(
            db,
            answers,
            queries,
            marks=5 if quick else 10,
            pages=3 if quick else 10,
            timeout=10.0 if size < 500_000 else 30.0,  # only waited out when a screen is wrong
        )
        reset_marks(db)
        runs_out.append(asdict(result))
    out: dict[str, object] = {"size": size, "runs": runs_out, "answers": answers}
    if ingest_runs:
        listing = listing_file(size, cache_dir=cache_dir)
        out["listing_mb"] = listing.stat().st_size / 1e6
        out["ingest"] = []
        for index in range(ingest_runs):
            print(f"  {size:,} papers: ingest {index + 1}/{ingest_runs}", file=sys.stderr)
            out["ingest"].append(ingest_once(listing, size))  # type: ignore[attr-defined]
        print(f"  {size:,} papers: search right after ingest", file=sys.stderr, flush=True)
        out["after_ingest"] = after_ingest(listing, size)
    if alternatives:
        repeat = 3 if size >= 500_000 else 5
        out["fzf_ms"] = fzf_times(db, ALT_QUERIES, repeat)
        out["like_ms"] = like_times(db, ALT_QUERIES, repeat)
    return out


def _env_with_path() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH")]))
    return env


def main(argv: Sequence[str] | None = None) -> None:
    """Command line (also the oracle's entry point, ``--oracle DB`` with texts on stdin)."""
    parser = argparse.ArgumentParser(description="readq end-to-end benchmark")
    parser.add_argument("--oracle", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ingest-runs", type=int, default=2)
    parser.add_argument("--no-alternatives", action="store_true")
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--output", type=Path, help="write the markdown report here")
    parser.add_argument("--cobib", action="store_true", help="also time coBib (own venv)")
    args = parser.parse_args(argv)
    if args.oracle is not None:
        print(json.dumps(_run_oracle(args.oracle, json.loads(sys.stdin.read()))))
        return
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    started = time.perf_counter()
    results = [
        bench_size(
            size,
            runs=args.runs,
            quick=args.quick,
            cache_dir=args.cache_dir,
            ingest_runs=args.ingest_runs,
            alternatives=not args.no_alternatives,
        )
        for size in sizes
    ]
    if args.cobib:
        from benchmarks import cobib_bench

        slow = False
        for r in results:
            if slow:
                r["cobib"] = {"note": "not run (the smaller size hit the time limit)"}
                continue
            r["cobib"] = cobib_bench.measure(int(r["size"]), args.cache_dir)
            slow = r["cobib"].get("first_list_ms") is None
    text = json.dumps(results, indent=1)
    if args.json:
        args.json.write_text(text)
    if args.output:
        command = "python -m benchmarks.e2e " + " ".join(argv if argv is not None else sys.argv[1:])
        args.output.write_text(render(results, command, time.perf_counter() - started))
    if not args.json and not args.output:
        print(text)


# -------------------------------------------------------------------------- report
TARGETS = {
    "cold": {100_000: 500.0, 1_000_000: 1000.0},
    "key_p50": {100_000: 20.0, 1_000_000: 50.0},
    "key_p95": {100_000: 50.0, 1_000_000: 150.0},
    "mark": {100_000: 50.0, 1_000_000: 50.0},
    "rss_mb": {100_000: 300.0, 1_000_000: 1500.0},
    "ingest": {100_000: 30_000.0, 1_000_000: 25_000.0},
}


def _pct(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    if q == 0.5:
        return statistics.median(values)
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _fmt(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _mark(value: float | None, size: int, key: str, higher_is_better: bool = False) -> str:
    target = TARGETS[key].get(size)
    if value is None or target is None:
        return ""
    ok = value >= target if higher_is_better else value <= target
    return " ✓" if ok else " ✗"


def summarise(size_result: dict[str, object]) -> dict[str, float | None]:
    """Medians and p95s of one size's runs."""
    runs = size_result["runs"]
    assert isinstance(runs, list)
    cold = [r["cold_start_ms"] for r in runs if r["cold_start_ms"] is not None]
    ready = [r["ready_ms"] for r in runs if r["ready_ms"] is not None]
    keys = [float(k["ms"]) for r in runs for k in r["keystrokes"]]
    pages = [x for r in runs for x in r["page_ms"]]
    marks = [x for r in runs for x in r["mark_ms"] + r["star_ms"]]
    hwm = [r["hwm_kb"] / 1024 for r in runs if r["hwm_kb"]]
    ingest = size_result.get("ingest") or []
    assert isinstance(ingest, list)
    rates = [float(i["papers_per_s"]) for i in ingest]
    after = size_result.get("after_ingest") or {}
    assert isinstance(after, dict)
    bursts = [x for r in runs for x in r.get("burst_ms", [])]
    return {
        "after_answer": after.get("answer_ms"),
        "after_ready": after.get("ready_ms"),
        "list_query_p50": _pct(after.get("list_query_ms") or [], 0.5),
        "burst_p50": _pct(bursts, 0.5),
        "cold_p50": _pct(cold, 0.5),
        "cold_p95": _pct(cold, 0.95),
        "ready_p50": _pct(ready, 0.5),
        "key_p50": _pct(keys, 0.5),
        "key_p95": _pct(keys, 0.95),
        "key_n": float(len(keys)),
        "page_p50": _pct(pages, 0.5),
        "page_p95": _pct(pages, 0.95),
        "mark_p50": _pct(marks, 0.5),
        "mark_p95": _pct(marks, 0.95),
        "rss_mb": max(hwm) if hwm else None,
        "ingest_rate": statistics.median(rates) if rates else None,
        "ingest_s": statistics.median(float(i["seconds"]) for i in ingest) if ingest else None,
        "ingest_hwm_mb": max(float(i["hwm_kb"]) for i in ingest) / 1024 if ingest else None,
    }


def machine() -> str:
    """nproc, CPU model, RAM, Python and SQLite versions, load."""
    import platform

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.1f} GB RAM, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"Textual {_version('textual')}, "
        f"{platform.system()} {platform.release()}; load average at the end {load}"
    )


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def _verdict(
    value: float | None, size: int, key: str, higher_is_better: bool = False
) -> tuple[str, str]:
    target = TARGETS[key].get(size)
    if target is None:
        return "–", "no target"
    shown = f"{'≥' if higher_is_better else '≤'} {target:,.0f}"
    if value is None:
        return shown, "not measured"
    ok = value >= target if higher_is_better else value <= target
    return shown, "met" if ok else "**missed**"


def detail(size_result: dict[str, object]) -> list[str]:
    """One size: median and p95 of every measurement (keystrokes per query kind), targets."""
    size = int(size_result["size"])  # type: ignore[call-overload]
    runs = size_result["runs"]
    assert isinstance(runs, list)

    def row(
        name: str,
        values: Sequence[float],
        unit: str,
        key: str | None = None,
        p95_key: str | None = None,
        higher: bool = False,
        digits: int = 0,
    ) -> str:
        p50, p95 = _pct(values, 0.5), _pct(values, 0.95)
        targets, verdicts = [], []
        for k, v in ((key, p50), (p95_key, p95)):
            if k is not None:
                t, ok = _verdict(v, size, k, higher)
                if t != "–":
                    targets.append(t)
                    verdicts.append(ok)
        return (
            f"| {name} | {_fmt(p50, digits)} | {_fmt(p95, digits)} | {len(values)} | {unit} "
            f"| {' / '.join(targets) or '–'} | {' / '.join(verdicts) or '–'} |"
        )

    cold = [r["cold_start_ms"] for r in runs if r["cold_start_ms"] is not None]
    ready = [r["ready_ms"] for r in runs if r["ready_ms"] is not None]
    keys = [k for r in runs for k in r["keystrokes"]]
    marks = [x for r in runs for x in r["mark_ms"] + r["star_ms"]]
    pages = [x for r in runs for x in r["page_ms"]]
    hwm = [r["hwm_kb"] / 1024 for r in runs if r["hwm_kb"]]
    ingest = size_result.get("ingest") or []
    assert isinstance(ingest, list)
    rates = [float(i["papers_per_s"]) for i in ingest]
    after = size_result.get("after_ingest") or {}
    assert isinstance(after, dict)
    answer = [float(after["answer_ms"])] if after.get("answer_ms") is not None else []
    after_ready = [float(after["ready_ms"])] if after.get("ready_ms") is not None else []
    lines = [
        f"### {size:,} papers",
        "",
        "| measurement | median | p95 | n | unit | target (median / p95) | met? |",
        "|---|---:|---:|---:|---|---|---|",
        row("cold start → first list", cold, "ms", "cold"),
        row("search ready (index built, idle)", ready, "ms"),
        row(
            "keystroke → updated list, all kinds",
            [float(k["ms"]) for k in keys],
            "ms",
            "key_p50",
            "key_p95",
        ),
    ]
    for kind in dict.fromkeys(str(k["kind"]) for k in keys):
        lines.append(
            row(f"  keystroke, {kind}", [float(k["ms"]) for k in keys if k["kind"] == kind], "ms")
        )
    lines += [
        row("mark (r) / star (s) → stored", marks, "ms", "mark", digits=1),
        row(
            f"burst of {len(BURST_QUERY)} keys, {BURST_GAP * 1000:.0f} ms a key: last key → result",
            [x for r in runs for x in r.get("burst_ms", [])],
            "ms",
        ),
        row(
            f"paste of {len(BURST_QUERY)} characters → result",
            [x for r in runs for x in r.get("paste_ms", [])],
            "ms",
        ),
        row("page down → list scrolled", pages, "ms"),
        row("peak RSS (VmHWM), per run", hwm, "MB", "rss_mb"),
        row("ingest (index upkeep included)", rates, "papers/s", "ingest", higher=True),
        row(
            f"right after ingest: spawn → typo `{AFTER_INGEST_QUERY}` answered by the index",
            answer,
            "ms",
        ),
        row("right after ingest: spawn → idle (search ready)", after_ready, "ms"),
        row(
            "right after ingest: `readq list --query` (fresh process)",
            [float(x) for x in after.get("list_query_ms") or []],
            "ms",
        ),
    ]
    return lines


def render(results: list[dict[str, object]], command: str, seconds: float) -> str:
    """The markdown report (``benchmarks/RESULTS.md``)."""
    lines = [
        "# readq end to end",
        "",
        f"Command: `{command}` ({seconds / 60:.1f} min)  ",
        f"Machine: {machine()}  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        "The real `readq` in a 120x40 pseudo-terminal (`TERM=xterm-256color`), timed from outside "
        "the process by `benchmarks/e2e.py` (see its docstring for each measurement). Libraries "
        "are fictional papers from `benchmarks/generate.py` (abstracts 1,000-2,000 characters). "
        "Keystroke = key written to the pty → the screen shows the expected match count and "
        "first title (typed queries with typos, prefixes, several words, `org:`/`year:` filters "
        "and exclusions, one key at a time; the list is the Inbox sorted by date added). "
        "Cold start = spawn → first list row painted (file cache warm). Search ready = spawn → "
        "the process goes idle after building its index. Mark = `r`/`s` → committed in SQLite. "
        "RSS = peak (`VmHWM`) of the readq process at the end of a run. ✓/✗: target of issue 15. "
        "Search ready after ingest = `readq ingest` of the same papers into a new library, then "
        "spawn → a typo query typed at the first list answered by the full index.",
        "",
        "| papers | cold start p50 / p95 (ms) | search ready (ms) | search ready after ingest "
        "(ms) | keystroke p50 / p95 (ms) [n] | 20-key burst p50 (ms) | page down p50 / p95 (ms) "
        "| mark/star p50 / p95 (ms) | peak RSS (MB) | ingest (papers/s) | list --query (ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        size = int(r["size"])  # type: ignore[call-overload]
        s = summarise(r)
        lines.append(
            f"| {size:,} | {_fmt(s['cold_p50'])}{_mark(s['cold_p50'], size, 'cold')} / "
            f"{_fmt(s['cold_p95'])} | {_fmt(s['ready_p50'])} | {_fmt(s['after_answer'])} | "
            f"{_fmt(s['key_p50'])}{_mark(s['key_p50'], size, 'key_p50')} / "
            f"{_fmt(s['key_p95'])}{_mark(s['key_p95'], size, 'key_p95')} [{_fmt(s['key_n'])}] | "
            f"{_fmt(s['burst_p50'])} | {_fmt(s['page_p50'])} / {_fmt(s['page_p95'])} | "
            f"{_fmt(s['mark_p50'], 1)}{_mark(s['mark_p95'], size, 'mark')} / "
            f"{_fmt(s['mark_p95'], 1)} | {_fmt(s['rss_mb'])}{_mark(s['rss_mb'], size, 'rss_mb')} | "
            f"{_fmt(s['ingest_rate'])}{_mark(s['ingest_rate'], size, 'ingest', True)} | "
            f"{_fmt(s['list_query_p50'])} |"
        )
    lines += [
        "",
        "## Per size",
        "",
        "Medians and p95 over all runs (keystrokes: every "
        "observable keystroke of every typed query in every run).",
        "",
    ]
    for r in results:
        lines += [*detail(r), ""]
    lines += ["## Side by side (same papers, same machine, same run)", ""]
    lines += [
        "`fzf --filter` over the titles only (process start included) is the raw fuzzy-filter "
        "reference; the SQLite `LIKE` is every word `LIKE '%w%'` in title or abstract, Inbox, "
        "newest first, in-process; readq is the end-to-end time of the keystroke that painted "
        "the query's final result (median over runs), which also searches organisations and "
        "notes, tolerates typos, and includes painting the terminal. Ratio = alternative / "
        "readq (> 1: readq is faster).",
        "",
        "| papers | query | readq e2e (ms) | fzf (ms) | fzf / readq | SQLite LIKE (ms) "
        "| LIKE / readq |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        size = int(r["size"])  # type: ignore[call-overload]
        fzf = r.get("fzf_ms") or {}
        like = r.get("like_ms") or {}
        assert isinstance(fzf, dict) and isinstance(like, dict)
        runs = r["runs"]
        assert isinstance(runs, list)
        for query in ALT_QUERIES:
            # The keystroke that painted the query's final screen: its last measured one (the
            # keys after it left the screen as it was, e.g. `spectr` → `spectro`).
            ours_list = [
                float([k for k in run["keystrokes"] if k["query"] == query][-1]["ms"])
                for run in runs
                if any(k["query"] == query for k in run["keystrokes"])
            ]
            ours = statistics.median(ours_list) if ours_list else None
            f, lk = fzf.get(query), like.get(query)
            lines.append(
                f"| {size:,} | `{query}` | {_fmt(ours, 1)} | {_fmt(f, 1)} | "
                f"{_ratio(f, ours)} | {_fmt(lk, 1)} | {_ratio(lk, ours)} |"
            )
    cobib_rows = [(int(r["size"]), r.get("cobib")) for r in results if r.get("cobib")]  # type: ignore[call-overload]
    if cobib_rows:
        lines += [
            "",
            "coBib 6.0.3 (a Textual bibliography manager, own venv) opened on a YAML database of "
            "the same papers, in the same pty, spawn → first list row painted, and its peak RSS:",
            "",
            "| papers | coBib first list (ms) | readq cold start (ms) | coBib / readq | coBib "
            "peak RSS (MB) | readq peak RSS (MB) | coBib / readq |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results:
            c = r.get("cobib")
            if not isinstance(c, dict):
                continue
            s = summarise(r)
            size = int(r["size"])  # type: ignore[call-overload]
            first = c.get("first_list_ms")
            rss = c.get("hwm_mb")
            lines.append(
                f"| {size:,} | {_fmt(first) if first else c.get('note', '–')} | "
                f"{_fmt(s['cold_p50'])} | {_ratio(first, s['cold_p50'])} | {_fmt(rss)} | "
                f"{_fmt(s['rss_mb'])} | {_ratio(rss, s['rss_mb'])} |"
            )
    lines += [
        "",
        "## Ingest",
        "",
        "| papers | listing (MB) | seconds | papers/s | peak RSS (MB) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s = summarise(r)
        if s["ingest_rate"] is None:
            continue
        lines.append(
            f"| {int(r['size']):,} | {_fmt(float(r.get('listing_mb', 0)))} | "  # type: ignore[call-overload, arg-type]
            f"{_fmt(s['ingest_s'], 1)} | {_fmt(s['ingest_rate'])} | {_fmt(s['ingest_hwm_mb'])} |"
        )
    problems = [
        f"- {int(r['size']):,}: {e[:160]}"  # type: ignore[call-overload]
        for r in results
        for run in r["runs"]  # type: ignore[attr-defined]
        for e in run["errors"]
    ]
    if problems:
        lines += ["", "## Problems seen during the runs", "", *problems[:30]]
    return "\n".join(lines) + "\n"


def _ratio(other: float | None, ours: float | None) -> str:
    if other is None or not ours:
        return "–"
    return f"{other / ours:.2f}×"


if __name__ == "__main__":
    main()
