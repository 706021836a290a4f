"""Files a sync tool mangles: cut logs, conflict copies, corrupt entries, a newer format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from synclib import comparable, fictional, ingest, open_library, pid_of, run

from readq.models import Status
from readq.sync import NewerFolderError
from readq.sync.folder import ROOT


def _logs(folder: Path) -> list[Path]:
    return sorted((folder / ROOT).glob("v1/devices/*/log-*.jsonl"))


def test_a_log_cut_mid_line_is_read_to_its_last_whole_entry(tmp_path: Path) -> None:
    folder = tmp_path / "Shared"
    folder.mkdir()
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(1), fictional(2), fictional(3)])
    run(a, folder)
    (log,) = _logs(folder)
    whole = log.read_bytes()
    log.write_bytes(whole[: whole.index(b"\n", whole.index(b"\n") + 1) + 40])  # 2 lines + a bit
    first = run(b, folder)
    assert first.received == 2 and not first.problems
    log.write_bytes(whole)  # the copy finished
    second = run(b, folder)
    assert second.received == 1
    assert comparable(a) == comparable(b)


@pytest.mark.parametrize(
    "copy_name",
    [
        "log-000002.sync-conflict-20261203-101010-ABCDEFG.jsonl",
        "log-000002 (conflicted copy 2026-12-03).jsonl",
    ],
)
def test_conflict_copies_are_read_too(tmp_path: Path, copy_name: str) -> None:
    folder = tmp_path / "Shared"
    folder.mkdir()
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(1), fictional(2)])
    run(a, folder)
    run(b, folder)
    a.set_starred([pid_of(a, "2612.10001")], True)
    run(a, folder)
    log = _logs(folder)[-1]
    # The sync tool kept the other version as a copy, and this one holds something else.
    log.rename(log.with_name(copy_name))
    a.set_status([pid_of(a, "2612.10002")], Status.READ)
    run(a, folder)
    run(b, folder)
    assert b.get(pid_of(b, "2612.10001")).starred
    assert b.get(pid_of(b, "2612.10002")).status is Status.READ


def test_a_corrupt_entry_is_named_skipped_and_the_rest_applied(tmp_path: Path) -> None:
    folder = tmp_path / "Shared"
    folder.mkdir()
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(1), fictional(2), fictional(3)])
    run(a, folder)
    (log,) = _logs(folder)
    lines = log.read_bytes().splitlines(keepends=True)
    bad = json.loads(lines[1])
    bad["f"]["status"][1] = ["nonsense", None]
    log.write_bytes(lines[0] + b"{not json\n" + json.dumps(bad).encode() + b"\n" + lines[2])
    result = run(b, folder)
    assert len(result.problems) == 2
    assert f"{log.parent.name}/{log.name}:2: not JSON" in result.problems[0]
    assert ":3: field status: unknown status 'nonsense'" in result.problems[1]
    assert b.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 2
    again = run(b, folder)
    assert not again.problems  # named once; the rest of the log is not read again


def test_a_folder_from_a_newer_readq_is_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "Shared"
    (folder / ROOT).mkdir(parents=True)
    marker = folder / ROOT / "format.json"
    marker.write_text('{"format": 2}\n')
    a = open_library(tmp_path, "a")
    ingest(a, [fictional(1)])
    with pytest.raises(NewerFolderError, match="newer readq"):
        run(a, folder)
    assert sorted(p.name for p in (folder / ROOT).iterdir()) == ["format.json"]
    assert marker.read_text() == '{"format": 2}\n'
    assert a.conn.execute("SELECT count(*) FROM sync_meta").fetchone()[0] == 0


def test_a_new_device_starts_from_a_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readq.sync import engine

    monkeypatch.setattr(engine, "SNAPSHOT_MIN_ENTRIES", 3)
    folder = tmp_path / "Shared"
    folder.mkdir()
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(n) for n in range(1, 6)])
    first = run(a, folder)
    assert first.snapshot is not None
    a.set_starred([pid_of(a, "2612.10001")], True)
    run(a, folder)
    log_one, _ = _logs(folder)
    log_one.unlink()  # a joiner must not need the logs the snapshot covers
    joined = run(b, folder)
    assert joined.received == 5 + 1
    assert comparable(a) == comparable(b)
