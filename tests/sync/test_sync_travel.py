"""Every kind of change travels between two and three libraries through one folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from synclib import comparable, fictional, ingest, open_library, pid_of, run

from readq import rules
from readq.models import Source, Status
from readq.store import Store
from readq.sync import sync_status


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shared = tmp_path / "Shared"
    shared.mkdir()
    return shared


def test_papers_and_every_kind_of_state_travel(tmp_path: Path, folder: Path) -> None:
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(1), fictional(2), fictional(3, with_id=False)])
    run(a, folder)
    got = run(b, folder)
    assert got.received == 3 and got.joined
    assert comparable(a) == comparable(b)

    one, two, three = pid_of(a, "2612.10001"), pid_of(a, "2612.10002"), None
    three = int(a.conn.execute("SELECT id FROM papers WHERE arxiv_id IS NULL").fetchone()[0])
    a.set_status([one], Status.READ)
    a.set_starred([two], True)
    a.rename(three, "My own name for it")
    a.save_note(one, "first thoughts")
    a.trash([two])
    ingest(a, [fictional(1)], listing="weekly.txt")  # a second source for paper 1
    run(a, folder)
    run(b, folder)
    assert comparable(a) == comparable(b)
    b_one = pid_of(b, "2612.10001")
    paper = b.get(b_one)
    assert paper.status is Status.READ and paper.read_at is not None
    assert paper.note == "first thoughts"
    assert [s.name for s in paper.sources] == ["daily.txt", "weekly.txt"]
    assert b.deleted_at(pid_of(b, "2612.10002")) is not None
    assert b.conn.execute("SELECT count(*) FROM papers WHERE title = 'My own name for it'")

    # Back the other way: undo-style restores, restore from trash, empty trash.
    b.restore_trashed([pid_of(b, "2612.10002")])
    b.set_status([b_one], Status.TO_READ)
    run(b, folder)
    run(a, folder)
    assert comparable(a) == comparable(b)
    assert a.get(one).status is Status.TO_READ and a.get(one).read_at is None
    assert a.deleted_at(two) is None

    a.trash([two])
    a.empty_trash()
    run(a, folder)
    run(b, folder)
    assert b.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 2
    assert comparable(a) == comparable(b)


def test_three_devices_converge(tmp_path: Path, folder: Path) -> None:
    stores = [open_library(tmp_path, n) for n in ("a", "b", "c")]
    a, b, c = stores
    ingest(a, [fictional(1)])
    ingest(b, [fictional(1), fictional(2)])  # paper 1 ingested on two devices: one paper
    ingest(c, [fictional(3, with_id=False)])
    for store in (*stores, *stores):
        run(store, folder)
    for store in stores:
        assert store.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 3
    c.save_note(pid_of(c, "2612.10002"), "from c")
    b.set_starred([pid_of(b, "2612.10001")], True)
    for store in (*stores, *stores):
        run(store, folder)
    assert comparable(a) == comparable(b) == comparable(c)


def test_concurrent_note_edits_keep_both_texts(tmp_path: Path, folder: Path) -> None:
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(1)])
    run(a, folder)
    run(b, folder)
    a.save_note(pid_of(a, "2612.10001"), "written on the laptop")
    b.save_note(pid_of(b, "2612.10001"), "written on the desktop")  # later: current
    first = run(a, folder)
    second = run(b, folder)
    third = run(a, folder)
    assert comparable(a) == comparable(b)
    for store in (a, b):
        pid = pid_of(store, "2612.10001")
        assert store.get(pid).note == "written on the desktop"
        kinds = {(r.text, r.kind) for r in store.note_revisions(pid)}
        assert ("written on the laptop", "conflict") in kinds
    assert not first.conflicts
    assert second.conflicts or third.conflicts  # the user is told


def test_clock_skew_an_edit_after_a_sync_wins(tmp_path: Path, folder: Path) -> None:
    """A device whose clock is 5 hours ahead edits; the other, behind, edits after syncing:
    the later edit (in causal order) wins, not the bigger wall clock."""
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(1)])
    ahead = lambda: 1_800_000_000.0 + 5 * 3600  # noqa: E731
    behind = lambda: 1_800_000_000.0  # noqa: E731
    run(a, folder, clock=ahead)
    run(b, folder, clock=behind)
    a.set_status([pid_of(a, "2612.10001")], Status.TO_READ)
    run(a, folder, clock=ahead)
    run(b, folder, clock=behind)
    b.set_status([pid_of(b, "2612.10001")], Status.READ)  # after seeing a's change
    run(b, folder, clock=behind)
    run(a, folder, clock=ahead)
    assert a.get(pid_of(a, "2612.10001")).status is Status.READ
    assert comparable(a) == comparable(b)


def test_an_edit_after_a_delete_elsewhere_revives_the_paper(tmp_path: Path, folder: Path) -> None:
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(1), fictional(2)])
    run(a, folder)
    run(b, folder)
    a.trash([pid_of(a, "2612.10001")])
    run(a, folder)
    b.set_starred([pid_of(b, "2612.10001")], True)  # b has not seen the delete: later edit
    got_b = run(b, folder)
    got_a = run(a, folder)
    assert got_b.revived or got_a.revived
    for store in (a, b):
        assert store.deleted_at(pid_of(store, "2612.10001")) is None
    assert comparable(a) == comparable(b)


def test_a_delete_after_an_edit_wins(tmp_path: Path, folder: Path) -> None:
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(1)])
    run(a, folder)
    run(b, folder)
    b.set_starred([pid_of(b, "2612.10001")], True)
    run(b, folder)
    run(a, folder)
    a.trash([pid_of(a, "2612.10001")])
    run(a, folder)
    result = run(b, folder)
    assert not result.revived
    assert b.deleted_at(pid_of(b, "2612.10001")) is not None


def test_an_edit_after_emptying_the_trash_elsewhere_brings_it_back(
    tmp_path: Path, folder: Path
) -> None:
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(1)])
    run(a, folder)
    run(b, folder)
    a.trash([pid_of(a, "2612.10001")])
    a.empty_trash()
    run(a, folder)
    b.save_note(pid_of(b, "2612.10001"), "still reading this")
    got = run(b, folder)
    assert got.revived
    run(a, folder)
    assert a.get(pid_of(a, "2612.10001")).note == "still reading this"
    assert comparable(a) == comparable(b)


def test_a_library_that_never_synced_has_no_sync_records(store: Store) -> None:
    """A library that never synced has no sync records (the migration adds empty tables)."""
    assert store.conn.execute("SELECT count(*) FROM sync_meta").fetchone()[0] == 0


# ------------------------------------------------------------ tags, rules, views, queue
def _tags(store: Store, arxiv_id: str) -> list[str]:
    return list(store.tag_snapshot([pid_of(store, arxiv_id)])[0].tags)


def _synced_pair(tmp_path: Path, folder: Path, count: int = 3) -> tuple[Store, Store]:
    a, b = open_library(tmp_path, "a"), open_library(tmp_path, "b")
    ingest(a, [fictional(n) for n in range(1, count + 1)])
    run(a, folder)
    run(b, folder)
    return a, b


def test_tags_travel_both_ways_with_renames_and_undo(tmp_path: Path, folder: Path) -> None:
    a, b = _synced_pair(tmp_path, folder)
    a.change_tags([pid_of(a, "2612.10001"), pid_of(a, "2612.10002")], add=["Project/Avatars"])
    a.change_tags([pid_of(a, "2612.10003")], add=["survey"])
    run(a, folder)
    run(b, folder)
    assert _tags(b, "2612.10001") == ["Project/Avatars"]
    assert _tags(b, "2612.10003") == ["survey"]
    assert comparable(a) == comparable(b)

    # Back the other way: a removal by hand (remembered), a rename that merges, an undo.
    before = b.change_tags([pid_of(b, "2612.10002")], remove=["project/avatars"])
    b.rename_tag("survey", "Project/Avatars")
    run(b, folder)
    run(a, folder)
    assert _tags(a, "2612.10002") == []
    assert a.tag_snapshot([pid_of(a, "2612.10002")])[0].excluded == ("project/avatars",)
    assert _tags(a, "2612.10003") == ["Project/Avatars"]
    assert comparable(a) == comparable(b)
    # Nothing is left to send once synced (a hand removal is not a change at every sync).
    assert sync_status(a).pending == sync_status(b).pending == 0
    b.restore_tags(before)  # undo of the removal
    b.rename_tag("project/avatars", "PROJECT/avatars")  # a rename of the case only
    run(b, folder)
    run(a, folder)
    assert _tags(a, "2612.10002") == ["PROJECT/avatars"]
    assert a.tag_snapshot([pid_of(a, "2612.10002")])[0].excluded == ()
    assert comparable(a) == comparable(b)


def test_concurrent_tag_adds_and_removes_merge_per_tag(tmp_path: Path, folder: Path) -> None:
    a, b = _synced_pair(tmp_path, folder)
    one_a, one_b = pid_of(a, "2612.10001"), pid_of(b, "2612.10001")
    a.change_tags([one_a], add=["alpha"])
    b.change_tags([one_b], add=["beta"])  # at the same time, on the other device
    run(a, folder)
    run(b, folder)
    run(a, folder)
    assert _tags(a, "2612.10001") == _tags(b, "2612.10001") == ["alpha", "beta"]
    a.change_tags([one_a], remove=["beta"], add=["gamma"])
    b.change_tags([one_b], remove=["alpha"])
    run(b, folder)
    run(a, folder)
    run(b, folder)
    assert _tags(a, "2612.10001") == _tags(b, "2612.10001") == ["gamma"]
    assert comparable(a) == comparable(b)


def test_a_rule_elsewhere_does_not_put_back_a_tag_removed_by_hand(
    tmp_path: Path, folder: Path
) -> None:
    a, b = _synced_pair(tmp_path, folder)
    a.change_tags([pid_of(a, "2612.10001")], add=["lattice"])
    a.change_tags([pid_of(a, "2612.10001")], remove=["lattice"])  # the user's decision
    # Meanwhile b, which has not seen it, adds a rule that selects every paper.
    rules.add(b, "lattice", "lattice")
    assert _tags(b, "2612.10001") == ["lattice"]
    run(b, folder)
    run(a, folder)
    run(b, folder)
    for store in (a, b):
        assert _tags(store, "2612.10001") == []
        assert _tags(store, "2612.10002") == ["lattice"]
        assert [(r.tag, r.query) for r in rules.rules(store.conn)] == [("lattice", "lattice")]
    assert comparable(a) == comparable(b)


def test_rules_travel_and_tag_the_papers_only_the_other_device_has(
    tmp_path: Path, folder: Path
) -> None:
    a, b = _synced_pair(tmp_path, folder, count=1)
    rules.add(a, "routing", "routing")
    ingest(b, [fictional(7)])  # only on b so far
    run(a, folder)
    run(b, folder)
    run(a, folder)
    assert [r.tag for r in rules.rules(b.conn)] == ["routing"]
    for store in (a, b):
        assert _tags(store, "2612.10007") == ["routing"]
    assert comparable(a) == comparable(b)
    (rule,) = rules.rules(b.conn)
    rules.remove(b, rule.id)
    run(b, folder)
    run(a, folder)
    assert rules.rules(a.conn) == []
    assert _tags(a, "2612.10001") == ["routing"]  # the tags a rule set stay: they are tags
    assert comparable(a) == comparable(b)


def test_saved_views_travel_add_remove_rename(tmp_path: Path, folder: Path) -> None:
    a, b = _synced_pair(tmp_path, folder, count=1)
    a.add_view("Reading group", "tag:rg -is:read")
    a.add_view("Survey", "tag:survey")
    assert sync_status(a).pending == 2  # the two views wait to be sent
    run(a, folder)
    assert sync_status(a).pending == 0
    run(b, folder)
    assert [(v.name, v.query) for v in b.views()] == [
        ("Reading group", "tag:rg -is:read"),
        ("Survey", "tag:survey"),
    ]
    # A rename is the view under its new name (the old one removed); a removal elsewhere.
    b.remove_view("Survey")
    b.add_view("For the survey", "tag:survey")
    a.remove_view("reading group")
    run(b, folder)
    run(a, folder)
    run(b, folder)
    assert [v.name for v in a.views()] == [v.name for v in b.views()] == ["For the survey"]
    assert comparable(a) == comparable(b)
    # Removed on one device, then added again on the other later: the later add wins.
    b.add_view("Survey", "tag:survey2")
    run(b, folder)
    run(a, folder)
    assert a.view("survey") is not None and a.view("survey").query == "tag:survey2"  # type: ignore[union-attr]


def test_queue_moves_on_two_devices_converge(tmp_path: Path, folder: Path) -> None:
    a, b = _synced_pair(tmp_path, folder, count=5)
    ids = ["2612.10001", "2612.10002", "2612.10003", "2612.10004", "2612.10005"]
    a.set_status([pid_of(a, i) for i in ids], Status.TO_READ)
    run(a, folder)
    run(b, folder)
    assert comparable(a) == comparable(b)
    a.queue_move(pid_of(a, "2612.10005"), "top")
    b.queue_move(pid_of(b, "2612.10004"), "top")  # concurrent moves to the same place
    b.queue_move(pid_of(b, "2612.10001"), "after", pid_of(b, "2612.10003"))
    run(a, folder)
    run(b, folder)
    run(a, folder)
    assert comparable(a) == comparable(b)
    order = [pid_of(a, i) for i in ("2612.10002", "2612.10001")]
    a.set_queue_order(order)  # an applied suggested order (places only, no updated_at)
    b.set_status([pid_of(b, "2612.10002")], Status.READ)  # meanwhile read on b
    run(a, folder)
    run(b, folder)
    run(a, folder)
    assert comparable(a) == comparable(b)
    for store in (a, b):
        queued = store.queue_ids()
        assert len(queued) == len(set(store.queue_slots(queued)))
        bad = store.conn.execute(
            "SELECT count(*) FROM papers WHERE (status = 'to-read') != (queue_pos IS NOT NULL)"
        ).fetchone()[0]
        assert bad == 0
        places = [s.position for s in store.queue_slots(queued)]
        assert len(places) == len(set(places))  # no two papers share a place


def test_two_devices_queueing_at_once_agree_on_one_order(tmp_path: Path, folder: Path) -> None:
    """Both devices put a different paper at the bottom: the same number on each, ordered
    the same way everywhere (not by local ids)."""
    a, b = _synced_pair(tmp_path, folder, count=2)
    ingest(b, [fictional(3)])
    run(b, folder)
    run(a, folder)
    a.set_status([pid_of(a, "2612.10003")], Status.TO_READ)
    b.set_status([pid_of(b, "2612.10001")], Status.TO_READ)
    run(a, folder)
    run(b, folder)
    run(a, folder)
    assert comparable(a) == comparable(b)
    assert len(a.queue_ids()) == 2


def test_write_paths_without_updated_at_are_sent(tmp_path: Path, folder: Path) -> None:
    """Tags a rule sets on ingest, an applied order (places only) and its undo all reach
    the other device: the capture compares the tables, not ``updated_at``."""
    a, b = _synced_pair(tmp_path, folder, count=3)
    rules.add(a, "sparse", "sparse")
    ids = ["2612.10001", "2612.10002", "2612.10003"]
    a.set_status([pid_of(a, i) for i in ids], Status.TO_READ)
    run(a, folder)
    run(b, folder)
    with a.write():  # as readq.ingest does: the rule tags it in the ingest's transaction
        source = Source(name="w.txt", path="/listings/w.txt", seen_at="2026-12-02T09:00:00")
        rules.apply_to_new(a, a.ingest([fictional(4)], source, "paste").new_ids)
    assert _tags(a, "2612.10004") == ["sparse"]
    before = a.set_queue_order([pid_of(a, "2612.10003"), pid_of(a, "2612.10002")])
    run(a, folder)
    run(b, folder)
    assert _tags(b, "2612.10004") == ["sparse"]
    assert [b.get(p).arxiv_id for p in b.queue_ids()] == ["2612.10003", "2612.10002", "2612.10001"]
    assert comparable(a) == comparable(b)
    a.restore_queue_slots(before)  # undo of the applied order
    run(a, folder)
    run(b, folder)
    assert [b.get(p).arxiv_id for p in b.queue_ids()] == ids
    assert comparable(a) == comparable(b)


def test_a_device_joining_from_a_snapshot_gets_tags_rules_views_and_the_queue(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readq.sync import engine

    monkeypatch.setattr(engine, "SNAPSHOT_MIN_ENTRIES", 3)
    a = open_library(tmp_path, "a")
    ingest(a, [fictional(n) for n in range(1, 5)])
    a.change_tags([pid_of(a, "2612.10001")], add=["kept"])
    a.change_tags([pid_of(a, "2612.10002")], add=["gone"])
    a.change_tags([pid_of(a, "2612.10002")], remove=["gone"])  # a hand removal
    rules.add(a, "toy", "toy")
    a.add_view("Kept", "tag:kept")
    a.add_view("Dropped", "tag:x")
    a.remove_view("Dropped")  # a tombstone in the snapshot
    a.set_status([pid_of(a, "2612.10003"), pid_of(a, "2612.10001")], Status.TO_READ)
    a.queue_move(pid_of(a, "2612.10001"), "top")
    first = run(a, folder)
    assert first.snapshot is not None
    for log in (folder / "readq-sync").rglob("log-*.jsonl"):
        log.unlink()  # the joiner reads the snapshot alone
    c = open_library(tmp_path, "c")
    run(c, folder)
    assert comparable(a) == comparable(c)
    assert c.tag_snapshot([pid_of(c, "2612.10002")])[0].excluded == ("gone",)
    assert [v.name for v in c.views()] == ["Kept"]
