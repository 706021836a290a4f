"""The trash, rename and the feedback texts of the library: delete hides a paper from every
view, count, search and export but keeps it whole; restore, undo and redo bring it back; a
re-ingest leaves it in the trash and says so; emptying deletes it for good."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from readq.library import Library, ingest_report
from readq.library.outcomes import short_title
from readq.library.undo import RenameChange, TrashChange
from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.search.engine import SearchEngine
from readq.search.query import parse_query
from readq.search.selection import Selection, View
from readq.search.sql import count as sql_count
from readq.search.sql import select_ids, selection_ids
from readq.store import Store, UnknownPaperError

TITLES = ["Gradient Lanterns for Quiet Experts", "Moss Tables", "Velvet Routers in Orbit"]


def _papers() -> list[ScrapedPaper]:
    return [
        ScrapedPaper(t, f"A fictional abstract about {t.lower()}, long enough to be a key.")
        for t in TITLES
    ]


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    """Three fictional papers: #1 Gradient Lanterns, #2 Moss Tables, #3 Velvet Routers."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(db_path)
    store.ingest(_papers(), Source("hf.txt", "/l/hf.txt", "2026-01-01"), "hf")
    lib = Library(store)
    try:
        yield lib
    finally:
        lib.close(timeout=5.0)


def _by_title(store: Store) -> dict[str, int]:
    return {p.title: p.id for p in store.list_papers()}


def test_delete_hides_everywhere_but_keeps_state_and_note(library: Library) -> None:
    store = library.store
    ids = _by_title(store)
    lantern = ids[TITLES[0]]
    library.mark([lantern], Status.READ)
    library.star([lantern], True)
    library.save_note(lantern, "my lantern note", base_revision=None)

    done = library.delete([lantern])
    assert done.ids == (lantern,)
    assert done.message() == "Moved to trash: Gradient Lanterns for Quiet… — u undoes"
    assert store.count() == 2
    stats = store.stats()
    assert (stats.total, stats.by_status[Status.READ], stats.starred, stats.with_notes) == (
        2,
        0,
        0,
        0,
    )
    assert lantern not in [p.id for p in store.list_papers()]
    assert lantern not in selection_ids(store, Selection(View.ALL, sort=SortKey.ADDED))
    assert select_ids(store, parse_query("lanterns")) == []
    assert sql_count(store, parse_query("lanterns OR moss")) == 1
    engine = SearchEngine.load(store)
    try:
        assert list(engine.search(parse_query("lanterns"))) == []
        assert engine.counts().total == 2
    finally:
        engine.close()
    out = io.StringIO()
    library.export(None, "bibtex", out)
    assert "Lanterns" not in out.getvalue()
    # Kept whole, in the trash.
    assert [p.id for p in library.trash()] == [lantern]
    kept = store.get(lantern)
    assert (kept.status, kept.starred, kept.note) == (Status.READ, True, "my lantern note")
    assert library.deleted_at(lantern) is not None


def test_undo_of_a_delete_restores_and_redo_deletes_again(library: Library) -> None:
    store = library.store
    moss = _by_title(store)["Moss Tables"]
    library.delete([moss])
    undone = library.undo()
    assert isinstance(undone.change, TrashChange)
    assert undone.message() == "Undid Moved to trash: Moss Tables — ctrl+r redoes"
    assert store.count() == 3 and library.trash() == []
    redone = library.redo()
    assert redone.message() == "Redid Moved to trash: Moss Tables — u undoes"
    assert [p.id for p in library.trash()] == [moss] and store.count() == 2


def test_restore_brings_back_and_is_undoable(library: Library) -> None:
    store = library.store
    ids = sorted(_by_title(store).values())
    library.delete(ids[:2])
    done = library.restore([ids[0], ids[2]])
    assert done.ids == (ids[0],) and done.skipped == (ids[2],)
    assert done.message() == f"Restored from trash: {short_title(store.get(ids[0]).title)}" + (
        " — u undoes"
    )
    assert store.count() == 2
    library.undo()
    assert store.count() == 1


def test_delete_of_an_unknown_id_changes_nothing(library: Library) -> None:
    with pytest.raises(UnknownPaperError):
        library.delete([1, 99])
    assert library.store.count() == 3 and library.trash() == []


def test_bulk_delete_names_the_count(library: Library) -> None:
    done = library.delete([1, 2, 3])
    assert done.message() == "Moved to trash: 3 papers — u undoes"
    assert library.delete([1]).message() == "Moved to trash: nothing to do"


def test_reingest_leaves_a_deleted_paper_in_the_trash_and_says_so(library: Library) -> None:
    store = library.store
    moss = _by_title(store)["Moss Tables"]
    library.delete([moss])
    result = store.ingest(_papers(), Source("hf2.txt", "/l/hf2.txt", "2026-02-01"), "hf")
    assert (result.new, result.merged, result.in_trash) == (0, 3, 1)
    assert store.count() == 2 and [p.id for p in library.trash()] == [moss]
    from readq.ingest import FileReport

    report = ingest_report([FileReport("hf2.txt", "/l/hf2.txt", "hf", result)])
    assert "1 in the trash (not restored" in report.text


def test_empty_trash_deletes_for_good_and_forgets_undo(library: Library) -> None:
    store = library.store
    moss = _by_title(store)["Moss Tables"]
    library.save_note(moss, "gone soon", base_revision=None)
    library.delete([moss])
    assert library.empty_trash() == 1
    assert not store.exists(moss)
    assert store.conn.execute(
        "SELECT count(*) FROM note_revisions WHERE paper_id = ?", (moss,)
    ).fetchone() == (0,)
    assert library.undo().change is None  # nothing left that names the paper
    assert store.count() == 2


def test_rename_is_undoable_and_named(library: Library) -> None:
    store = library.store
    moss = _by_title(store)["Moss Tables"]
    done = library.rename(moss, "Moss Tables, Revisited by Hand")
    assert done.message() == "Renamed: Moss Tables, Revisited by… — u undoes"
    assert store.get(moss).title == "Moss Tables, Revisited by Hand"
    undone = library.undo()
    assert isinstance(undone.change, RenameChange)
    assert store.get(moss).title == "Moss Tables"
    library.redo()
    assert store.get(moss).title == "Moss Tables, Revisited by Hand"
    with pytest.raises(ValueError):
        library.rename(moss, "   ")


def test_state_messages_name_the_paper_and_the_undo_key(library: Library) -> None:
    lantern = _by_title(library.store)[TITLES[0]]
    outcome = library.mark([lantern], Status.READ, "Marked read")
    assert outcome.message() == "Marked read: Gradient Lanterns for Quiet… — u undoes"
    assert library.mark([1, 2], Status.TO_READ, "Marked to read").message() == (
        "Marked to read: 2 papers — u undoes"
    )
    assert library.undo().message() == "Undid Marked to read: 2 papers — ctrl+r redoes"


def test_short_title_is_cleaned_and_cut() -> None:
    assert short_title("Gradient Lanterns for Quiet Experts in Sparse Mixtures") == (
        "Gradient Lanterns for Quiet…"
    )
    assert short_title("Moss Tables") == "Moss Tables"
    assert short_title("Pneumonoultramicroscopicsilicovolcanoconiosis Study") == (
        "Pneumonoultramicroscopicsili…"
    )
    assert short_title("[bold]x[/] \x1b]0;pwned\x07Title\u202e") == "[bold]x[/] Title"
    assert short_title("   ") == "(untitled)"


def test_json_backup_round_trip_keeps_the_trash(library: Library, tmp_path: Path) -> None:
    store = library.store
    moss = _by_title(store)["Moss Tables"]
    library.save_note(moss, "kept in the trash", base_revision=None)
    library.delete([moss])
    backup = tmp_path / "backup.json"
    library.export(None, "json", str(backup))
    records = {r["id"]: r for r in json.loads(backup.read_text())["papers"]}
    assert len(records) == 3 and records[moss]["deleted_at"] is not None
    other = tmp_path / "other" / "readq.db"
    other.parent.mkdir()
    with Store.open(other) as fresh:
        Library(fresh).import_file(str(backup))
        assert fresh.count() == 2
        assert fresh.trashed_ids() == [moss]
        assert fresh.get(moss).note == "kept in the trash"
    # Merged into a library that already has papers: a trashed paper arrives in the trash.
    third = tmp_path / "third" / "readq.db"
    third.parent.mkdir()
    with Store.open(third) as partial:
        partial.ingest(_papers()[:1], Source("a", "/a", "2026-01-01"), "hf")
        Library(partial).import_file(str(backup))
        assert partial.count() == 2
        assert [partial.get(i).title for i in partial.trashed_ids()] == ["Moss Tables"]


def test_the_search_index_follows_deletes_and_restores_by_others(library: Library) -> None:
    """The TUI's index sees another process's `readq delete` / `trash restore` on refresh
    (as it sees status changes), and its own at once through set_trashed."""
    store = library.store
    moss = _by_title(store)["Moss Tables"]
    engine = SearchEngine.load(store)
    try:
        with Store.open(store.path, migrate=False) as other:
            other.trash([moss])
        assert engine.refresh()
        assert list(engine.search(parse_query("moss"))) == []
        assert engine.counts().total == 2
        with Store.open(store.path, migrate=False) as other:
            other.restore_trashed([moss])
        assert engine.refresh()
        assert list(engine.search(parse_query("moss"))) == [moss]
        assert engine.counts().total == 3
        engine.set_trashed([moss], True)
        assert list(engine.search(parse_query("moss"))) == []
        assert moss not in list(engine.search(parse_query(""), SortKey.ADDED))
    finally:
        engine.close()


def test_undo_of_a_paper_emptied_elsewhere_fails_once_and_leaves_the_history(
    library: Library,
) -> None:
    """Another process emptied the trash: undoing the delete cannot bring the paper back; it
    says so (an error, no exception) and the step leaves the history."""
    moss = _by_title(library.store)["Moss Tables"]
    library.mark([1], Status.READ, "Marked read")
    library.delete([moss])
    with Store.open(library.store.path, migrate=False) as other:
        assert other.empty_trash() == 1
    failed = library.undo()
    assert isinstance(failed.error, UnknownPaperError) and failed.change is None
    assert failed.message() == f"Cannot undo that step: no paper with id {moss}, deleted for good."
    undone = library.undo()  # the step before it still works
    assert undone.error is None and undone.change is not None
    assert library.store.get(1).status is Status.NEW
