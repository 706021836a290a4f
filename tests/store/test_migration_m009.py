"""m009_views_queue on a library of the previous schema (m001-m007): every paper and state
is kept, papers already to read join the queue oldest-added first, the "queue" order and the
queue's edges use their indexes, and saved views can be added."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from readq.migrations import KNOWN_MIGRATIONS, migrations
from readq.models import SortKey, Status
from readq.store import Store, sort_sql


def _plan(store: Store, sql: str) -> str:
    return " ".join(str(r[3]) for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))


def test_a_library_of_the_previous_schema_gains_views_and_a_queue(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db = Database(str(db_path))
    migrations.apply(db, stop_before="m009_views_queue")
    for title, status, added in (
        ("Queued second", "to-read", "2026-02-01T10:00:00+00:00"),
        ("Already read", "read", "2026-01-01T10:00:00+00:00"),
        ("Queued first", "to-read", "2026-01-05T10:00:00+00:00"),
        ("Still new", "new", "2026-03-01T10:00:00+00:00"),
    ):
        db.execute(
            "INSERT INTO papers (title, title_key, urls, status, added_at, updated_at) "
            "VALUES (?, ?, '[]', ?, ?, ?)",
            (title, title.lower(), status, added, added),
        )
    db.conn.commit()
    db.close()
    with Store.open(db_path) as store:
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)
        assert [p.title for p in store.get_many(store.queue_ids())] == [
            "Queued first",
            "Queued second",
        ]
        assert {p.status for p in store.list_papers()} == {Status.NEW, Status.TO_READ, Status.READ}
        assert store.count() == 4
        to_read_screen = _plan(
            store,
            f"SELECT id FROM papers WHERE status = 'to-read' "
            f"ORDER BY {sort_sql(SortKey.QUEUE)} LIMIT 5",
        )
        assert "idx_papers_queue " in to_read_screen and "TEMP B-TREE" not in to_read_screen
        assert "idx_papers_queue_pos" in _plan(
            store, "SELECT max(queue_pos) FROM papers WHERE queue_pos IS NOT NULL"
        )
        store.set_status([4], Status.TO_READ)
        store.queue_move(4, "top")
        assert store.queue_ids() == [4, 3, 1]
        store.add_view("Queued", "is:to-read")
        assert [v.name for v in store.views()] == ["Queued"]
