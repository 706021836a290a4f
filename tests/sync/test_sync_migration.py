"""m011_sync on a library of the previous schema: papers kept, then it syncs."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from synclib import comparable, open_library, run

from readq.migrations import KNOWN_MIGRATIONS, migrations
from readq.models import ScrapedPaper, Source, Status
from readq.store import Store


def test_a_library_of_the_previous_schema_gains_sync(tmp_path: Path) -> None:
    db_path = tmp_path / "old" / "readq.db"
    db_path.parent.mkdir()
    db = Database(str(db_path))
    migrations.apply(db, stop_before="m011_sync")
    db.close()
    with Store.open(db_path, migrate=False) as old:
        old.ingest(
            [ScrapedPaper("Kept Lanterns", "A fictional abstract about lanterns kept.")],
            Source("s", "/s", "2026-01-01"),
            "hf",
        )
        old.set_status([1], Status.READ)
        before = KNOWN_MIGRATIONS.index("m011_sync")
        assert old.applied_migrations() == list(KNOWN_MIGRATIONS[:before])
    folder = tmp_path / "Shared"
    folder.mkdir()
    with Store.open(db_path) as store:
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)
        assert store.get(1).status is Status.READ
        run(store, folder)
        other = open_library(tmp_path, "new")
        run(other, folder)
        assert comparable(other) == comparable(store)
        other.close()


def test_labels_said_before_m013_are_sent_at_the_next_sync(tmp_path: Path) -> None:
    """A library of the schema before m013_sync_dismissed (its labels said then, its other
    state as exchanged) gains the column; its labels travel at the next sync."""
    db_path = tmp_path / "old" / "readq.db"
    db_path.parent.mkdir()
    db = Database(str(db_path))
    migrations.apply(db, stop_before="m013_sync_dismissed")
    db.close()
    with Store.open(db_path, migrate=False) as old:
        old.ingest(
            [ScrapedPaper("Moss Tables", "A fictional abstract about tables of moss.")],
            Source("s", "/s", "2026-01-01"),
            "hf",
        )
        old.set_dismissed([1], True)
        assert "m013_sync_dismissed" not in old.applied_migrations()
    folder = tmp_path / "Shared"
    folder.mkdir()
    with Store.open(db_path) as store:
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)
        run(store, folder)
        other = open_library(tmp_path, "new")
        run(other, folder)
        assert other.dismissed_ids() == {1}
        assert comparable(other) == comparable(store)
        other.close()
