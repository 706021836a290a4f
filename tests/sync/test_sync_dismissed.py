"""The "not interested" label travels by sync: last writer wins by the hybrid clock, from
every write path (store, Library with undo / redo, import merge, CLI), in snapshots too, and
a label said after a delete elsewhere brings the paper back as any other edit does."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from synclib import comparable, fictional, ingest, open_library, pid_of, run

from readq.cli import cli
from readq.export.json import write_json
from readq.importers import import_text
from readq.library import Library
from readq.store import Store


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shared = tmp_path / "Shared"
    shared.mkdir()
    return shared


def _pair(tmp_path: Path, folder: Path, count: int = 2) -> tuple[Store, Store]:
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(n) for n in range(1, count + 1)])
    run(a, folder)
    run(b, folder)
    return a, b


def _label(store: Store, arxiv_id: str) -> str | None:
    """When the paper was said "not interested" in here (None: it was not)."""
    row = store.conn.execute(
        "SELECT dismissed_at FROM dismissed WHERE paper_id = ?", (pid_of(store, arxiv_id),)
    ).fetchone()
    return None if row is None else str(row[0])


def test_not_interested_travels_both_ways(tmp_path: Path, folder: Path) -> None:
    a, b = _pair(tmp_path, folder)
    a.set_dismissed([pid_of(a, "2612.10001")], True)
    said = _label(a, "2612.10001")
    assert said is not None
    sent = run(a, folder)
    assert sent.sent == 1
    got = run(b, folder)
    assert got.changed == 1
    assert _label(b, "2612.10001") == said  # the moment it was said travels with it
    assert _label(b, "2612.10002") is None
    assert comparable(a) == comparable(b)
    # Taken back on the other device, later: the later wins on both.
    b.set_dismissed([pid_of(b, "2612.10001")], False)
    run(b, folder)
    run(a, folder)
    assert _label(a, "2612.10001") is None
    assert comparable(a) == comparable(b)
    # Nothing moved since: the next syncs send nothing (what was applied is not sent back).
    assert run(a, folder).sent == 0 and run(b, folder).sent == 0


def test_undo_and_redo_of_not_interested_travel(tmp_path: Path, folder: Path) -> None:
    a, b = _pair(tmp_path, folder)
    library = Library(a)
    try:
        target = pid_of(a, "2612.10002")
        library.dismiss([target])
        run(a, folder)
        run(b, folder)
        assert _label(b, "2612.10002") is not None
        library.undo()  # Library's undo: not a write that moves updated_at
        run(a, folder)
        run(b, folder)
        assert _label(b, "2612.10002") is None
        library.redo()
        run(a, folder)
        run(b, folder)
        assert _label(b, "2612.10002") == _label(a, "2612.10002") is not None
        assert comparable(a) == comparable(b)
    finally:
        library.close(timeout=5.0)


def test_the_cli_dismiss_is_sent(tmp_path: Path, folder: Path) -> None:
    a, b = _pair(tmp_path, folder)
    target = pid_of(a, "2612.10001")
    a.close()
    db = tmp_path / "a" / "readq.db"
    done = CliRunner().invoke(cli, ["--db", str(db), "dismiss", str(target)])
    assert done.exit_code == 0, done.output
    synced = CliRunner().invoke(cli, ["--db", str(db), "sync", "--json"])
    assert synced.exit_code == 0, synced.output
    run(b, folder)
    assert _label(b, "2612.10001") is not None
    again = CliRunner().invoke(cli, ["--db", str(db), "dismiss", "--undo", str(target)])
    assert again.exit_code == 0, again.output
    status = CliRunner().invoke(cli, ["--db", str(db), "sync", "--status", "--json"])
    assert '"pending": 1' in status.output  # the taken-back label waits to be sent
    CliRunner().invoke(cli, ["--db", str(db), "sync"])
    run(b, folder)
    assert _label(b, "2612.10001") is None


def test_a_label_merged_by_an_import_is_sent(tmp_path: Path, folder: Path) -> None:
    a, b = _pair(tmp_path, folder)
    other = open_library(tmp_path, "backup")
    ingest(other, [fictional(1), fictional(2)])
    other.set_dismissed([pid_of(other, "2612.10002")], True)
    out = io.StringIO()
    write_json(other, None, out)
    other.close()
    import_text(a, out.getvalue(), name="backup.json")  # merged into papers a already has
    assert _label(a, "2612.10002") is not None
    run(a, folder)
    run(b, folder)
    assert _label(b, "2612.10002") == _label(a, "2612.10002")
    assert comparable(a) == comparable(b)


def test_concurrent_labels_converge_to_the_later(tmp_path: Path, folder: Path) -> None:
    """Taken back on one device and said again on the other without seeing it: both end
    with the one stamped later; two devices saying it at once agree on one moment."""
    a, b = _pair(tmp_path, folder)
    a.set_dismissed([pid_of(a, "2612.10001")], True)
    run(a, folder, clock=lambda: 1_800_000_000.0)
    run(b, folder, clock=lambda: 1_800_000_000.0)
    a.set_dismissed([pid_of(a, "2612.10001")], False)  # a: interested again
    b.set_dismissed([pid_of(b, "2612.10001")], False)
    b.set_dismissed([pid_of(b, "2612.10001")], True)  # b: not interested, said anew
    b.set_dismissed([pid_of(b, "2612.10002")], True)
    a.set_dismissed([pid_of(a, "2612.10002")], True)
    said_b = _label(b, "2612.10002")
    run(a, folder, clock=lambda: 1_800_000_050.0)
    run(b, folder, clock=lambda: 1_800_000_100.0)  # b's stamps are later: b wins both
    run(a, folder, clock=lambda: 1_800_000_200.0)
    assert _label(a, "2612.10001") == _label(b, "2612.10001") is not None
    assert _label(a, "2612.10002") == said_b == _label(b, "2612.10002")
    assert comparable(a) == comparable(b)
    # The other way round: a takes it back, b says it anew, a's change is stamped later.
    a.set_dismissed([pid_of(a, "2612.10001")], False)
    b.set_dismissed([pid_of(b, "2612.10001")], False)
    b.set_dismissed([pid_of(b, "2612.10001")], True)
    run(a, folder, clock=lambda: 1_800_000_400.0)
    run(b, folder, clock=lambda: 1_800_000_300.0)  # b's clock behind: its stamp is earlier
    run(a, folder, clock=lambda: 1_800_000_500.0)
    assert _label(a, "2612.10001") is None and _label(b, "2612.10001") is None
    assert comparable(a) == comparable(b)


def test_not_interested_after_a_delete_elsewhere_revives_the_paper(
    tmp_path: Path, folder: Path
) -> None:
    """As a star or a note: a later "not interested" is the user's edit, the paper comes back."""
    a, b = _pair(tmp_path, folder)
    a.trash([pid_of(a, "2612.10001")])
    run(a, folder)
    b.set_dismissed([pid_of(b, "2612.10001")], True)  # b has not seen the delete
    got_b = run(b, folder)
    got_a = run(a, folder)
    assert got_b.revived or got_a.revived
    for store in (a, b):
        assert store.deleted_at(pid_of(store, "2612.10001")) is None
        assert _label(store, "2612.10001") is not None
    assert comparable(a) == comparable(b)


def test_a_device_joining_from_a_snapshot_gets_the_labels(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readq.sync import engine

    monkeypatch.setattr(engine, "SNAPSHOT_MIN_ENTRIES", 3)
    a = open_library(tmp_path, "a")
    ingest(a, [fictional(n) for n in range(1, 5)])
    a.set_dismissed([pid_of(a, "2612.10001"), pid_of(a, "2612.10003")], True)
    a.set_dismissed([pid_of(a, "2612.10003")], False)
    first = run(a, folder)
    assert first.snapshot is not None
    for log in (folder / "readq-sync").rglob("log-*.jsonl"):
        log.unlink()  # the joiner reads the snapshot alone
    c = open_library(tmp_path, "c")
    run(c, folder)
    assert _label(c, "2612.10001") == _label(a, "2612.10001") is not None
    assert _label(c, "2612.10003") is None
    assert comparable(a) == comparable(c)
    assert run(c, folder).sent == 0  # what the snapshot gave is not sent back


def test_an_older_readq_skips_the_label_and_keeps_the_rest(tmp_path: Path, folder: Path) -> None:
    """An entry's field this readq does not know is skipped: a ``dismissed`` field next to
    a star from a newer readq leaves the star applied (the rule older readqs follow)."""
    from readq.sync import fields as F

    a, b = _pair(tmp_path, folder)
    a.set_dismissed([pid_of(a, "2612.10001")], True)
    a.set_starred([pid_of(a, "2612.10001")], True)
    monkey = pytest.MonkeyPatch()
    try:
        monkey.setattr(F, "BY_NAME", {k: v for k, v in F.BY_NAME.items() if k != F.DISMISSED})
        run(a, folder)
        got = run(b, folder)
    finally:
        monkey.undo()
    assert not got.problems
    assert b.get(pid_of(b, "2612.10001")).starred
    assert _label(b, "2612.10001") is None
