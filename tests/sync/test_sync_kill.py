"""kill -9 at any moment of a sync (real processes) leaves the library and the folder
consistent, and the next sync completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from synclib import comparable, fictional, ingest, open_library

from readq.store import Store


def _sync_process(db: Path, folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "READQ_DB": str(db)}
    return subprocess.Popen(
        [sys.executable, "-m", "readq", "--db", str(db), "sync", str(folder)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.25, 0.45, 0.6, 0.8, 1.0, 1.3])
def test_kill_9_during_sync_then_sync_again(tmp_path: Path, delay: float) -> None:
    folder = tmp_path / "Shared"
    folder.mkdir()
    a = open_library(tmp_path, "a")
    ingest(a, [fictional(n) for n in range(3000)])
    a.close()
    b = open_library(tmp_path, "b")
    ingest(b, [fictional(n) for n in range(2500, 4000)])
    b.close()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "readq",
            "--db",
            str(tmp_path / "a" / "readq.db"),
            "sync",
            str(folder),
        ],
        check=True,
        capture_output=True,
    )
    victim = _sync_process(tmp_path / "b" / "readq.db", folder)
    time.sleep(delay)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    for name in ("b", "a", "b"):  # the next syncs complete, with no problem named
        # (killed before its commit, b's first sync did not happen: the folder is given again)
        db = str(tmp_path / name / "readq.db")
        done = subprocess.run(
            [sys.executable, "-m", "readq", "--db", db, "sync", str(folder)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
    stores = [Store.open(tmp_path / n / "readq.db", check=True) for n in ("a", "b")]
    try:
        assert stores[0].count() == 4000
        assert comparable(stores[0]) == comparable(stores[1])
        leftovers = [p.name for p in folder.rglob(".*tmp-*")]
        assert leftovers == [] or all("tmp-" in n for n in leftovers)
    finally:
        for store in stores:
            store.close()
