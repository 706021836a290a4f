"""Schema migrations: empty DB, previous schema, applied twice, newer DB refused."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from readq.migrations import KNOWN_MIGRATIONS, migrations
from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.store import SORT_SQL, CorruptDatabaseError, NewerDatabaseError, Store
from readq.textclean import abstract_key


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def test_empty_database_gets_every_migration(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with Store.open(db_path) as store:
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)
    assert {"papers", "paper_sources", "note_revisions", "ingests"} <= _tables(db_path)


def test_applying_twice_is_a_no_op(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with Store.open(db_path) as store:
        store.ingest([ScrapedPaper("T", "a" * 100)], Source("s", "/s", "now"), "hf")
        migrations.apply(Database(store.conn))
        migrations.apply(Database(store.conn))
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)
        assert store.count() == 1
    with Store.open(db_path) as store:
        assert store.count() == 1


def test_previous_schema_is_upgraded_with_data_kept(db_path: Path) -> None:
    """A library at the first schema, opened by this readq, keeps its papers."""
    db_path.parent.mkdir(parents=True)
    db = Database(str(db_path))
    migrations.apply(db, stop_before=KNOWN_MIGRATIONS[1:] or None)
    db.execute(
        "INSERT INTO papers (title, title_key, added_at, updated_at, status, starred, note)"
        " VALUES ('Old', 'old', 'x', 'x', 'read', 1, 'kept')"
    )
    db.conn.commit()
    db.close()
    with Store.open(db_path) as store:
        paper = store.get(1)
        assert (paper.title, paper.status.value, paper.starred, paper.note) == (
            "Old",
            "read",
            True,
            "kept",
        )
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_database_from_a_newer_readq_is_refused_untouched(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('readq', 'm999_from_the_future', 'later')"
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = _digest(db_path)
    with pytest.raises(NewerDatabaseError, match="newer readq"):
        Store.open(db_path)
    assert _digest(db_path) == before


def test_a_file_that_is_not_a_database_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"hello, this is not sqlite" * 100)
    with pytest.raises(CorruptDatabaseError):
        Store.open(db_path)
    assert db_path.read_bytes().startswith(b"hello")


def test_migrating_a_library_writes_a_verified_backup_first(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db = Database(str(db_path))
    migrations.apply(db, stop_before=KNOWN_MIGRATIONS[1])
    db.execute(
        "INSERT INTO papers (title, title_key, added_at, updated_at)"
        " VALUES ('Old', 'old', 'x', 'x')"
    )
    db.conn.commit()
    db.close()
    backups = db_path.parent / "backups"
    with Store.open(db_path, backup_dir=backups) as store:
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)
    (backup,) = backups.glob("*.db")
    assert KNOWN_MIGRATIONS[1] in backup.name
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT title FROM papers").fetchall() == [("Old",)]
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    assert names == [KNOWN_MIGRATIONS[0]]
    conn.close()


def test_the_static_migration_names_match_the_migrations() -> None:
    """``readq.schema`` lets a start skip importing sqlite_utils: it must list every migration."""
    from readq.schema import MIGRATION_NAMES, MIGRATION_SET

    assert MIGRATION_NAMES == KNOWN_MIGRATIONS
    assert migrations.name == MIGRATION_SET


def test_opening_an_up_to_date_library_does_not_import_sqlite_utils(db_path: Path) -> None:
    """sqlite_utils and its plugin scan cost ~170 ms: only a pending migration needs them."""
    import subprocess
    import sys

    db_path.parent.mkdir(parents=True, exist_ok=True)
    Store.open(db_path).close()
    code = (
        "import sys; from readq.store import Store; "
        f"Store.open({str(db_path)!r}).close(); "
        "print(any(m.startswith('sqlite_utils') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_keys_with_format_characters_are_recomputed(db_path: Path) -> None:
    """Issue 12 item 7: a library keyed before format characters were ignored gets keys that
    match the plain spelling, so the next ingest of it merges instead of adding a copy."""
    db_path.parent.mkdir(parents=True)
    db = Database(str(db_path))
    migrations.apply(db, stop_before="m004_format_char_keys")
    abstract = "We study sparse attention in a fictional setting and report made-up gains."
    old_rows = [
        ("Atten\u200dtion Is Sparse", "atten tion is sparse", abstract, "old-akey"),
        ("Plain Title", "plain title", "Soft\u00adhyphenated " + abstract, "old-akey-2"),
        ("Café Untouched", "café untouched", "", ""),
    ]
    for title, tkey, text, akey in old_rows:
        db.execute(
            "INSERT INTO papers (title, title_key, abstract, abstract_key, added_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'x', 'x')",
            (title, tkey, text, akey),
        )
    db.conn.commit()
    db.close()
    with Store.open(db_path) as store:
        keys = store.conn.execute(
            "SELECT title, title_key, abstract_key, updated_at FROM papers ORDER BY id"
        ).fetchall()
        assert keys[0][1:] == ("attention is sparse", abstract_key(abstract), "x")
        assert keys[1][2] == abstract_key("Softhyphenated " + abstract)
        assert keys[2][1:] == ("café untouched", "", "x")
        assert keys[0][0] == "Atten\u200dtion Is Sparse"  # the text itself is not rewritten
        result = store.ingest(
            [ScrapedPaper("Attention Is Sparse", abstract)], Source("s", "/s", "now"), "hf"
        )
        assert (result.new, result.merged) == (0, 1)


def test_a_library_of_the_previous_schema_gains_the_identity_columns(db_path: Path) -> None:
    """m005: a library made by the schema before it (m001-m004) keeps every paper, state,
    note, revision and source; ids stored with a version are split into id and version; the
    new columns have their defaults; the arXiv id and DOI lookups use their indexes."""
    db_path.parent.mkdir(parents=True)
    db = Database(str(db_path))
    migrations.apply(db, stop_before="m005_identity")
    with Store.open(db_path, migrate=False) as old:
        assert old.applied_migrations() == list(KNOWN_MIGRATIONS[:4])
    rows = [
        ("Kept with a versioned id", "2401.00001v2", "read", 1, "my note"),
        ("Kept with a plain id", "hep-th/9901001", "to-read", 0, ""),
        ("Kept without an id", None, "new", 0, ""),
        ("Kept with an odd id", "not an id", "new", 1, ""),
    ]
    for title, arxiv_id, status, starred, note in rows:
        db.execute(
            "INSERT INTO papers (title, title_key, abstract, abstract_key, urls, arxiv_id, "
            "status, starred, note, authors, added_at, updated_at) "
            "VALUES (?, ?, 'An abstract.', 'k', ?, ?, ?, ?, ?, 3, 'a', 'u')",
            (title, title.lower(), '["https://x.example"]', arxiv_id, status, starred, note),
        )
    db.execute(
        "INSERT INTO note_revisions (paper_id, text, created_at, kind) "
        "VALUES (1, 'my note', 'c', 'save')"
    )
    db.execute("UPDATE papers SET note_revision = 1 WHERE id = 1")
    db.execute("INSERT INTO paper_sources VALUES (1, 'hf.txt', '/l/hf.txt', 's')")
    db.conn.commit()
    db.close()
    with Store.open(db_path) as store:
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)
        papers = {p.title: p for p in store.list_papers()}
        first = papers["Kept with a versioned id"]
        assert (first.arxiv_id, first.arxiv_version) == ("2401.00001", 2)
        assert (first.status.value, first.starred, first.note, first.note_revision) == (
            "read",
            True,
            "my note",
            1,
        )
        assert [s.path for s in first.sources] == ["/l/hf.txt"]
        assert (first.urls, first.authors, first.abstract) == (
            ("https://x.example",),
            3,
            "An abstract.",
        )
        assert (first.author_names, first.categories, first.doi, first.comments) == (
            (),
            (),
            None,
            None,
        )
        assert (first.journal_ref, first.summary, first.abstract_partial) == (None, None, False)
        assert papers["Kept with a plain id"].arxiv_id == "hep-th/9901001"
        assert papers["Kept with a plain id"].arxiv_version is None
        assert papers["Kept without an id"].arxiv_id is None
        assert papers["Kept with an odd id"].arxiv_id == "not an id"
        plans = {
            column: " ".join(
                str(r[3])
                for r in store.conn.execute(
                    f"EXPLAIN QUERY PLAN SELECT id FROM papers WHERE {column} = ?", ("x",)
                )
            )
            for column in ("arxiv_id", "doi")
        }
        assert "idx_papers_arxiv_id" in plans["arxiv_id"]
        assert "idx_papers_doi" in plans["doi"]
        # The migrated library takes a paper with an identity and matches it by id.
        result = store.ingest(
            [ScrapedPaper("Another title", arxiv_id="arXiv:2401.00001v3")],
            Source("s", "/s", "now"),
            "hf",
        )
        assert (result.new, result.merged) == (0, 1)
        assert store.get(1).arxiv_version == 3
        assert store.get(1).status.value == "read"


def test_a_library_of_the_previous_schema_gains_the_trash(db_path: Path) -> None:
    """m007: a library made before the trash keeps every paper (none of them in the trash),
    and papers can then be deleted and found there."""
    db_path.parent.mkdir(parents=True)
    db = Database(str(db_path))
    migrations.apply(db, stop_before="m007_trash")
    db.close()
    with Store.open(db_path, migrate=False) as old:
        old.ingest(
            [ScrapedPaper("Kept Lanterns", "A fictional abstract about lanterns kept.")],
            Source("s", "/s", "2026-01-01"),
            "hf",
        )
        before = KNOWN_MIGRATIONS.index("m007_trash")
        assert old.applied_migrations() == list(KNOWN_MIGRATIONS[:before])
    with Store.open(db_path) as store:
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)
        assert [p.title for p in store.list_papers()] == ["Kept Lanterns"]
        assert store.trashed_ids() == [] and store.count() == 1
        store.trash([1])
        assert store.trashed_ids() == [1] and store.count() == 0
        plan = " ".join(
            str(r[3])
            for r in store.conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM papers WHERE deleted_at IS NOT NULL"
            )
        )
        assert "idx_papers_deleted_at" in plan


def test_a_library_of_the_previous_schema_gains_read_dates(db_path: Path) -> None:
    """m006: a library made by m001-m005 keeps its papers and states; papers already read get
    no date (unknown, not a guess from ``updated_at``); the "added" order and ``read_at``
    lookups use their indexes; marking read afterwards records a date."""
    db_path.parent.mkdir(parents=True)
    db = Database(str(db_path))
    migrations.apply(db, stop_before="m006_read_dates")
    for title, status, added in (
        ("Read long ago", "read", "2026-01-01T10:00:00+00:00"),
        ("Still queued", "to-read", "2026-01-01T10:00:00+00:00"),
        ("Added later", "new", "2026-02-01T10:00:00+00:00"),
    ):
        db.execute(
            "INSERT INTO papers (title, title_key, urls, status, added_at, updated_at) "
            "VALUES (?, ?, '[]', ?, ?, '2026-11-30T00:00:00+00:00')",
            (title, title.lower(), status, added),
        )
    db.conn.commit()
    db.close()
    with Store.open(db_path) as store:
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)
        papers = store.list_papers()
        # Newest ingest first; the two papers of the first ingest keep their order.
        assert [p.title for p in papers] == ["Added later", "Read long ago", "Still queued"]
        assert [(p.status.value, p.read_at) for p in papers] == [
            ("new", None),
            ("read", None),
            ("to-read", None),
        ]
        plan = " ".join(
            str(r[3])
            for r in store.conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM papers ORDER BY added_at DESC, id LIMIT 5"
            )
        )
        assert "idx_papers_added_at" in plan
        plan = " ".join(
            str(r[3])
            for r in store.conn.execute(
                f"EXPLAIN QUERY PLAN SELECT id FROM papers ORDER BY {SORT_SQL[SortKey.READ]} "
                "LIMIT 5"
            )
        )
        assert "idx_papers_read_at" in plan and "TEMP B-TREE" not in plan
        store.set_status([2], Status.READ)
        assert store.get(2).read_at is not None
