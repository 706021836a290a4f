"""m010_discover and the "not interested" label: a library of the previous schema gains the
table with its papers kept; the label is one transaction, never touched by re-ingest, and
goes with its paper when the trash is emptied."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from readq.migrations import KNOWN_MIGRATIONS, migrations
from readq.models import ScrapedPaper, Source
from readq.store import Store, UnknownPaperError

PAPERS = [
    ScrapedPaper("Kept Lanterns", "A fictional abstract about lanterns kept."),
    ScrapedPaper("Moss Tables", "A fictional abstract about tables of moss."),
]


def test_a_library_of_the_previous_schema_gains_not_interested(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db = Database(str(db_path))
    migrations.apply(db, stop_before="m010_discover")
    db.close()
    with Store.open(db_path, migrate=False) as old:
        old.ingest(PAPERS[:1], Source("s", "/s", "2026-01-01"), "hf")
        old.set_starred([1], True)
        assert "m010_discover" not in old.applied_migrations()
    with Store.open(db_path) as store:
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)
        assert store.get(1).starred and store.dismissed_ids() == set()
        assert store.set_dismissed([1], True) == [1]
        assert store.dismissed_ids() == {1}


def test_the_label_is_one_write_kept_by_re_ingest_and_gone_with_the_paper(store: Store) -> None:
    source = Source("s", "/s", "2026-01-01")
    store.ingest(PAPERS, source, "hf")
    assert store.set_dismissed([1, 2], True) == [1, 2]
    assert store.set_dismissed([1], True) == []  # already
    with pytest.raises(UnknownPaperError):
        store.set_dismissed([2, 99], False)
    assert store.dismissed_ids() == {1, 2}  # nothing changed by the refused write
    store.ingest(PAPERS, source, "hf")  # re-ingest: user state untouched
    assert store.dismissed_ids() == {1, 2}
    assert store.set_dismissed([2], False) == [2]
    assert store.dismissed_ids([1, 2]) == {1}
    store.trash([1])
    store.empty_trash([1])
    assert store.dismissed_ids() == set()
