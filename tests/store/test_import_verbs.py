"""The Store's public verbs for importers: one statement each, only inside ``Store.write()``,
and the importers reach the library through them alone (never a raw connection)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import readq.importers
from readq.models import ScrapedPaper, Source, Status
from readq.store import ImportedState, Store, StoreError, UnknownPaperError
from readq.textclean import dedupe_keys

STAMP = "2026-01-02T03:04:05Z"
PAPER = ScrapedPaper("Quiet Lanterns for Sparse Kettles", "Kettles, lanterns, sparsity. " * 3)


def _state(**changes: object) -> ImportedState:
    values: dict[str, object] = {
        "status": Status.TO_READ,
        "starred": True,
        "added_at": STAMP,
        "updated_at": STAMP,
    }
    values.update(changes)
    return ImportedState(**values)  # type: ignore[arg-type]


def test_every_write_verb_refuses_to_run_outside_a_transaction(store: Store) -> None:
    keys = dedupe_keys(PAPER.title, PAPER.abstract)
    with pytest.raises(StoreError, match=r"inside Store\.write\(\)"):
        store.insert_paper(PAPER, keys, _state())
    with store.write():
        pid = store.insert_paper(PAPER, keys, _state())
    calls = [
        lambda: store.add_note_revision(pid, "t", STAMP, "import", None),
        lambda: store.set_current_note(pid, "t", 1),
        lambda: store.update_state(pid, {"starred": 0}),
        lambda: store.add_sources(pid, [Source("a", "/a", None)], STAMP),
        lambda: store.log_ingest(
            name="a", path="/a", fmt="import-json", at=STAMP, papers=1, new=1, merged=0
        ),
    ]
    for call in calls:
        with pytest.raises(StoreError):
            call()
    assert store.note_state(pid) == ("", None)


def test_a_paper_and_its_history_stored_through_the_verbs(store: Store) -> None:
    assert store.is_empty()
    keys = dedupe_keys(PAPER.title, PAPER.abstract)
    with store.write():
        pid = store.insert_paper(PAPER, keys, _state(read_at=None), paper_id=41)
        first = store.add_note_revision(pid, "first", STAMP, "import", None, revision_id=7)
        second = store.add_note_revision(pid, "second", STAMP, "edit", first)
        store.set_current_note(pid, "second", second)
        store.add_sources(pid, [Source("list.txt", "/l/list.txt", None)], STAMP)
        store.add_sources(pid, [Source("list.txt", "/l/list.txt", "2020-01-01")], STAMP)
        store.log_ingest(
            name="b.json", path="/b.json", fmt="import-json", at=STAMP, papers=1, new=1, merged=0
        )
    assert pid == 41 and first == 7 and second > first
    assert not store.is_empty()
    stored = store.stored_state(pid)
    assert (stored.status, stored.starred, stored.note) == (Status.TO_READ, True, "second")
    assert stored.note_revision == second
    assert store.has_note_revision(pid, "first") and not store.has_note_revision(pid, "third")
    [paper] = store.get_many([pid])
    assert paper.title == PAPER.title
    assert [(s.name, s.seen_at) for s in paper.sources] == [("list.txt", STAMP)]  # kept once
    # The new paper is found by the same identity rule ingest uses.
    assert store.match(PAPER, *keys).paper_id == pid


def test_update_state_sets_only_user_state_columns(store: Store) -> None:
    keys = dedupe_keys(PAPER.title, PAPER.abstract)
    with store.write():
        pid = store.insert_paper(PAPER, keys, _state())
        with pytest.raises(ValueError, match="not a user-state column: title"):
            store.update_state(pid, {"title": "Hijacked"})
        store.update_state(pid, {"status": Status.READ.value, "read_at": STAMP})
    assert store.stored_state(pid).status is Status.READ
    with pytest.raises(UnknownPaperError):
        store.stored_state(9999)


def test_importers_never_touch_a_connection() -> None:
    """Only Store touches connections: no importer module names ``conn``/``.conn`` or
    imports sqlite3 (their writes go through the verbs above, in one ``store.write()``)."""
    offenders = []
    for path in sorted(Path(readq.importers.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "conn":
                offenders.append(f"{path.name}:{node.lineno} .conn")
            elif isinstance(node, ast.Name) and node.id == "conn":
                offenders.append(f"{path.name}:{node.lineno} conn")
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                module = node.module if isinstance(node, ast.ImportFrom) else None
                if module == "sqlite3" or "sqlite3" in names:
                    offenders.append(f"{path.name}:{node.lineno} sqlite3")
    assert offenders == []
