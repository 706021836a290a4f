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


_PAUSED_SYNC = """
import sys, time
from pathlib import Path
from readq.store import Store
from readq.sync import engine, folder
marker = Path(sys.argv[3])
where = sys.argv[4]

def pause() -> None:
    marker.write_text("paused")
    time.sleep(60)

if where == "log-renamed":  # the log is in the folder, the transaction not committed
    real = folder.fsync_dir
    def fsync_then_pause(directory):
        real(directory)
        if any(directory.glob("log-*.jsonl")):
            pause()
    folder.fsync_dir = fsync_then_pause
elif where == "applying":  # half of the other device's entries applied
    real_apply = engine._Session.apply
    count = [0]
    def apply_then_pause(self, entry):
        real_apply(self, entry)
        count[0] += 1
        if count[0] == 700:
            pause()
    engine._Session.apply = apply_then_pause
with Store.open(sys.argv[1]) as store:
    engine.sync(store, sys.argv[2])
"""


@pytest.mark.slow
@pytest.mark.parametrize("where", ["log-renamed", "applying"])
def test_kill_9_at_a_chosen_moment(tmp_path: Path, where: str) -> None:
    """Killed after its log is in the folder but before its transaction commits, or halfway
    through applying another device's entries: the library is as before the sync, the next
    sync completes, and both libraries end equal."""
    folder = tmp_path / "Shared"
    folder.mkdir()
    a = open_library(tmp_path, "a")
    ingest(a, [fictional(n) for n in range(1500)])
    from readq.sync import sync

    sync(a, folder)
    b = open_library(tmp_path, "b")
    ingest(b, [fictional(n) for n in range(1400, 1600)])
    b.close()
    marker = tmp_path / "paused"
    victim = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _PAUSED_SYNC,
            str(tmp_path / "b" / "readq.db"),
            str(folder),
            str(marker),
            where,
        ],
        stderr=subprocess.PIPE,
    )
    for _ in range(600):
        if marker.exists() or victim.poll() is not None:
            break
        time.sleep(0.05)
    assert marker.exists(), victim.stderr.read() if victim.stderr else ""
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    with Store.open(tmp_path / "b" / "readq.db", check=True) as b:
        assert b.count() == 200  # the killed sync left nothing half-applied
        assert b.conn.execute("SELECT count(*) FROM sync_meta").fetchone()[0] == 0
        result = sync(b, folder)
        assert not result.problems
        sync(a, folder)
        assert b.count() == a.count() == 1600
        assert comparable(a) == comparable(b)
    a.close()
