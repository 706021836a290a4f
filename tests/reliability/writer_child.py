"""The body of a writer child for the kill -9 tests: writes to a library, an ack per commit.

The tests fork and call :func:`main` with ``[DB, MODE, SEED, WORKDIR, *ARGS]``. Modes:

* ``ingest``: ingest new listing files (each one transaction); ack ``ingest PATH PAPERS``.
* ``note``: save notes round-robin on the first papers; ack ``note PAPER_ID TEXT``.
* ``status FIRST LAST``: mark papers FIRST..LAST read, one transaction each; ack ``status ID``.

Every ack is printed (and flushed) only after the write committed.
"""

from __future__ import annotations

import random
from pathlib import Path

from relutil import write_listing

from readq.ingest import ingest_paths
from readq.models import Status
from readq.store import Store


def main(argv: list[str]) -> int:
    """Run one mode until done (status) or killed (ingest, note)."""
    db, mode, seed, workdir = Path(argv[0]), argv[1], int(argv[2]), Path(argv[3])
    rng = random.Random(seed)
    store = Store.open(db)
    print("ready", flush=True)
    if mode == "ingest":
        for i in range(10_000):
            path = write_listing(
                workdir / f"s{seed}-f{i}.txt", f"s{seed}f{i}", rng.choice((1, 50, 400, 2000))
            )
            (report,) = ingest_paths(store, [str(path)])
            assert report.result is not None, report.error
            print(f"ingest {path} {report.result.papers}", flush=True)
    elif mode == "note":
        ids = [int(r[0]) for r in store.conn.execute("SELECT id FROM papers ORDER BY id LIMIT 5")]
        for i in range(100_000):
            pid = ids[i % len(ids)]
            text = f"note s{seed} n{i} " + "x" * rng.randrange(0, 5000)
            store.save_note(pid, text, kind="external")
            print(f"note {pid} {text[:40]}", flush=True)
    elif mode == "status":
        first, last = int(argv[4]), int(argv[5])
        errors = 0
        for pid in range(first, last + 1):
            try:
                store.set_status([pid], Status.READ)
            except Exception as exc:
                errors += 1
                print(f"error {pid} {exc}", flush=True)
                continue
            print(f"status {pid}", flush=True)
        print(f"done errors={errors}", flush=True)
    store.close()
    return 0
