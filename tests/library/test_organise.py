"""The library's queue and view actions: moves and applied suggestions are undo steps (one
step puts the whole previous order back), suggestions are only shown until applied, the
"queue" sort agrees between SQL and the index, and a backup round-trips views and places."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from readq.library import Library
from readq.library.undo import QueueChange
from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.queue_order import SUGGESTED_ORDERS, SuggestedOrder, register_order
from readq.search.engine import SearchEngine
from readq.search.query import QueryError
from readq.store import QueueError, Store, ViewError

# Fictional papers: (title, published, comments), in page order (ids 1..5).
PAPERS = [
    ("Gradient Lanterns for Quiet Experts", "2024-05-01", "12 pages, 3 figures"),
    ("Moss Tables", "2021-02-03", "40 pages"),
    ("Velvet Routers in Orbit", None, None),
    ("Sparse Owls of the Meadow", "2023-07-07", "8 pages"),
    ("Tea Leaves and Diffusion", "2025-01-09", None),
]


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    """Five fictional papers, ids 1-5, all new."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(db_path)
    store.ingest(
        [
            ScrapedPaper(
                t, f"A fictional abstract about {t.lower()}." * (i + 1), published=p, comments=c
            )
            for i, (t, p, c) in enumerate(PAPERS)
        ],
        Source("hf.txt", "/l/hf.txt", "2026-01-01"),
        "hf",
    )
    library = Library(store)
    try:
        yield library
    finally:
        library.close()


def _queue(library: Library) -> list[int]:
    return [p.id for p in library.queue()]


def test_a_move_is_one_undo_step_and_redo_moves_again(library: Library) -> None:
    library.mark([1, 2, 3, 4], Status.TO_READ)
    done = library.queue_move(4, "top")
    assert isinstance(done.change, QueueChange)
    assert done.message().startswith("Moved to the top of the queue: Sparse Owls")
    assert _queue(library) == [4, 1, 2, 3]
    library.queue_move(1, "after", 3)
    assert _queue(library) == [4, 2, 3, 1]
    assert library.undo().change is not None
    assert _queue(library) == [4, 1, 2, 3]
    library.undo()
    assert _queue(library) == [1, 2, 3, 4]
    library.redo()
    assert _queue(library) == [4, 1, 2, 3]


def test_a_move_to_where_it_is_records_nothing(library: Library) -> None:
    library.mark([1, 2], Status.TO_READ)
    depth = len(library.undo_stack.undo_stack)
    done = library.queue_move(1, "top")
    assert done.change is None and done.ids == ()
    assert len(library.undo_stack.undo_stack) == depth


def test_undoing_a_mark_puts_the_paper_back_in_its_queue_place(library: Library) -> None:
    library.mark([1, 2, 3], Status.TO_READ)
    library.mark([2], Status.READ)
    assert _queue(library) == [1, 3]
    library.undo()
    assert _queue(library) == [1, 2, 3]


def test_moves_of_papers_outside_the_queue_are_refused(library: Library) -> None:
    library.mark([1], Status.TO_READ)
    with pytest.raises(QueueError):
        library.queue_move(5, "top")
    with pytest.raises(QueueError):
        library.queue_move(1, "before", 5)


def test_suggestions_are_shown_not_applied_and_undo_restores_the_order(library: Library) -> None:
    library.mark([1, 2, 3, 4, 5], Status.TO_READ)
    library.queue_move(5, "top")
    before = _queue(library)
    assert before == [5, 1, 2, 3, 4]
    oldest = library.suggest_queue("oldest")
    assert oldest.ids == (2, 4, 1, 5, 3)  # undated last
    assert _queue(library) == before  # only shown
    shortest = library.suggest_queue("shortest")
    assert shortest.ids[:3] == (4, 1, 2)  # 8, 12, 40 pages; unknown lengths after
    assert set(shortest.ids[3:]) == {3, 5}
    done = library.apply_queue_order(oldest)
    assert _queue(library) == [2, 4, 1, 5, 3]
    assert isinstance(done.change, QueueChange)
    library.undo()  # one step: the whole previous order
    assert _queue(library) == before
    with pytest.raises(QueueError, match="unknown suggested order"):
        library.suggest_queue("astrology")


def test_another_order_plugs_in_by_name(library: Library) -> None:
    library.mark([1, 2, 3], Status.TO_READ)
    register_order(
        SuggestedOrder("reverse", "reversed", lambda papers: [p.id for p in papers][::-1])
    )
    try:
        assert library.suggest_queue("reverse").ids == (3, 2, 1)
    finally:
        SUGGESTED_ORDERS.pop("reverse")


def test_views_validate_their_query_and_count_live(library: Library) -> None:
    with pytest.raises(QueryError):
        library.add_view("broken", "org:")
    with pytest.raises(ViewError):
        library.add_view("empty", "   ")
    assert library.views() == []
    library.add_view("owls or moss", "owls OR moss")
    library.add_view("queued", "is:to-read")
    assert [(v.name, n) for v, n in library.view_counts()] == [("owls or moss", 2), ("queued", 0)]
    library.mark([1, 2], Status.TO_READ)
    assert [n for _v, n in library.view_counts()] == [2, 2]
    assert library.view_ids("QUEUED", sort=SortKey.QUEUE) == [1, 2]
    with pytest.raises(ViewError, match="views: owls or moss, queued"):
        library.find_view("nope")


def test_the_index_and_sql_order_the_queue_alike(library: Library) -> None:
    library.mark([3, 1, 5, 2], Status.TO_READ)
    library.queue_move(2, "top")
    library.queue_move(5, "before", 3)
    store = library.store
    by_sql = [
        int(r[0])
        for r in store.conn.execute(
            f"SELECT id FROM papers ORDER BY {'queue_pos IS NULL, queue_pos, id'}"
        )
    ]
    engine = SearchEngine.load(store)
    try:
        assert list(engine.search("", sort=SortKey.QUEUE)) == by_sql
        assert list(engine.search("", sort=SortKey.QUEUE, view=Status.TO_READ)) == [2, 5, 3, 1]
        # A move made after the index loaded is seen at its next refresh.
        library.queue_move(1, "top")
        engine.refresh()
        assert list(engine.search("", sort=SortKey.QUEUE, view=Status.TO_READ)) == [1, 2, 5, 3]
    finally:
        engine.close()


def test_the_backup_round_trips_views_and_queue_places(library: Library, tmp_path: Path) -> None:
    library.mark([3, 1, 5], Status.TO_READ)
    library.queue_move(5, "top")
    library.queue_move(1, "before", 5)
    library.add_view("Owls", "owls")
    library.add_view("next", "is:to-read -moss")
    out = io.StringIO()
    library.export(None, "json", out)
    data = json.loads(out.getvalue())
    assert data["views"] == [
        {"name": "Owls", "query": "owls", "position": 1},
        {"name": "next", "query": "is:to-read -moss", "position": 2},
    ]
    backup = tmp_path / "backup.json"
    backup.write_text(out.getvalue(), encoding="utf-8")
    target = tmp_path / "restored" / "readq.db"
    target.parent.mkdir()
    restored = Library(Store.open(target))
    try:
        restored.import_file(str(backup))
        assert _queue(restored) == _queue(library) == [1, 5, 3]
        assert restored.store.queue_slots() == library.store.queue_slots()
        assert restored.views() == library.views()
        again = io.StringIO()
        restored.export(None, "json", again)
        papers = [{k: v for k, v in p.items()} for p in json.loads(again.getvalue())["papers"]]
        assert [p["queue_pos"] for p in papers] == [p["queue_pos"] for p in data["papers"]]
    finally:
        restored.close()


def test_a_merge_import_puts_new_to_read_papers_at_the_bottom_in_file_order(
    library: Library, tmp_path: Path
) -> None:
    library.mark([1, 2], Status.TO_READ)
    listing = [
        {"title": "Fictional Heron Routing", "status": "to-read", "queue_pos": 9.0},
        {"title": "Fictional Kite Sampling", "status": "to-read", "queue_pos": 2.0},
        {"title": "Fictional Pond Metrics", "status": "new"},
    ]
    path = tmp_path / "list.json"
    path.write_text(json.dumps(listing), encoding="utf-8")
    library.import_file(str(path))
    titles = [p.title for p in library.queue()]
    assert titles[:2] == [PAPERS[0][0], PAPERS[1][0]]
    assert titles[2:] == ["Fictional Kite Sampling", "Fictional Heron Routing"]


def test_a_backup_with_a_bad_place_or_view_is_refused_whole(
    library: Library, tmp_path: Path
) -> None:
    from readq.ingest.errors import IngestError

    base = {"format": "readq", "version": 1, "papers": [], "views": []}
    for bad, words in (
        (
            {**base, "papers": [{"title": "X", "status": "to-read", "queue_pos": "top"}]},
            "queue_pos",
        ),
        ({**base, "views": [{"name": "[x]", "query": "q"}]}, "view 1"),
        ({**base, "views": [{"name": "a", "query": "q"}, {"name": "A", "query": "r"}]}, "view 2"),
    ):
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(bad), encoding="utf-8")
        with pytest.raises(IngestError, match=words):
            library.import_file(str(path))
    assert library.views() == [] and library.store.count() == 5


def test_an_older_backup_without_places_queues_its_to_read_papers_by_id(
    library: Library, tmp_path: Path
) -> None:
    library.mark([4, 2], Status.TO_READ)
    out = io.StringIO()
    library.export(None, "json", out)
    data = json.loads(out.getvalue())
    for paper in data["papers"]:
        paper.pop("queue_pos")
    data.pop("views")
    backup = tmp_path / "old.json"
    backup.write_text(json.dumps(data), encoding="utf-8")
    target = tmp_path / "old" / "readq.db"
    target.parent.mkdir()
    restored = Library(Store.open(target))
    try:
        restored.import_file(str(backup))
        assert _queue(restored) == [2, 4]
    finally:
        restored.close()


def test_a_view_name_is_offered_from_the_filter() -> None:
    from readq.library.organise import suggest_view_name

    assert suggest_view_name("  diffusion   OR flow ", []) == "diffusion OR flow"
    assert suggest_view_name("a[b]\\c", []) == "a b c"
    assert suggest_view_name("", []) == "view"
    assert suggest_view_name("tea", ["Tea", "tea 2"]) == "tea 3"
    long = "x" * 40
    assert suggest_view_name(long, [long[:30]]) == "x" * 28 + " 2"
