"""Schema migrations for the library, through ``sqlite_utils.Migrations``.

Each migration runs in its own transaction and is recorded once; applying the set twice is a
no-op. ``KNOWN_MIGRATIONS`` lets the store refuse a database written by a newer readq.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from readq.schema import MIGRATION_SET

migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_initial(db: Database) -> None:
    """Papers, where they were seen, note revisions and the ingest log."""
    db.execute(
        """
        CREATE TABLE papers (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            title_key TEXT NOT NULL,
            title_derived INTEGER NOT NULL DEFAULT 0,
            abstract TEXT NOT NULL DEFAULT '',
            abstract_key TEXT NOT NULL DEFAULT '',
            published TEXT,
            published_text TEXT,
            upvotes INTEGER,
            authors INTEGER,
            org TEXT,
            urls TEXT NOT NULL DEFAULT '[]',
            arxiv_id TEXT,
            status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'to-read', 'read')),
            starred INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
            note TEXT NOT NULL DEFAULT '',
            note_revision INTEGER,
            added_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_papers_title_key ON papers (title_key)")
    db.execute("CREATE INDEX idx_papers_abstract_key ON papers (abstract_key)")
    db.execute("CREATE INDEX idx_papers_status ON papers (status)")
    db.execute(
        """
        CREATE TABLE paper_sources (
            paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            path TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (paper_id, path)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE note_revisions (
            id INTEGER PRIMARY KEY,
            paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'save',
            base_revision INTEGER
        )
        """
    )
    db.execute("CREATE INDEX idx_note_revisions_paper ON note_revisions (paper_id, id)")
    db.execute(
        """
        CREATE TABLE ingests (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            at TEXT NOT NULL,
            papers INTEGER NOT NULL,
            new INTEGER NOT NULL,
            merged INTEGER NOT NULL
        )
        """
    )


@migrations()
def m002_sort_indexes(db: Database) -> None:
    """Indexes for the list orders, so the first screen of a large library is a LIMIT query."""
    db.execute("CREATE INDEX idx_papers_published ON papers (published DESC, id DESC)")
    db.execute("CREATE INDEX idx_papers_upvotes ON papers (upvotes DESC, id DESC)")
    db.execute("CREATE INDEX idx_papers_starred ON papers (starred) WHERE starred = 1")


@migrations()
def m003_updated_at_index(db: Database) -> None:
    """Find papers changed since a moment cheaply (the TUI's search index refresh)."""
    db.execute("CREATE INDEX idx_papers_updated_at ON papers (updated_at)")


@migrations()
def m004_format_char_keys(db: Database) -> None:
    """Dedupe keys ignore invisible format characters now ("Atten<ZWJ>tion" was keyed "atten
    tion"): recompute the keys of the papers whose title or abstract head holds one, so that
    a later ingest of the plain spelling finds them. Only keys change (no text, no state)."""
    from readq.textclean import dedupe_keys, has_format_characters

    # Format characters are not ASCII: only rows with a non-ASCII title or abstract head
    # (the 400 characters an abstract key reads) are looked at in Python.
    rows = db.execute(
        "SELECT id, title, substr(abstract, 1, 400), title_key, abstract_key FROM papers "
        "WHERE title GLOB '*[^ -~]*' OR substr(abstract, 1, 400) GLOB '*[^ -~]*'"
    )
    changed: list[tuple[str, str, int]] = []
    for pid, title, head, title_key, abstract_key in rows.fetchall():
        if has_format_characters(title) or has_format_characters(head):
            # The whole abstract: without its format characters, its key reads further.
            (abstract,) = db.execute("SELECT abstract FROM papers WHERE id = ?", [pid]).fetchone()
            keys = dedupe_keys(title, abstract)
            if keys != (title_key, abstract_key):
                changed.append((*keys, pid))
    db.conn.executemany("UPDATE papers SET title_key = ?, abstract_key = ? WHERE id = ?", changed)


@migrations()
def m005_identity(db: Database) -> None:
    """A paper's identity: author names, arXiv version, categories, comments, journal
    reference, DOI, whether the abstract is a truncated preview, a page's one-line summary;
    and indexes that find a paper by arXiv id or DOI (the first steps of the matching rule).

    Every column is added with a default, so existing rows keep everything they hold. The
    indexes are partial (only rows that have an id): a listing without ids, the usual Hugging
    Face paste, adds no entries to them. Ids stored by an older readq with their version
    (``2401.00001v2``) are split into the version-less id and ``arxiv_version``.
    """
    for column in (
        "arxiv_version INTEGER",
        "author_names TEXT NOT NULL DEFAULT '[]'",
        "categories TEXT NOT NULL DEFAULT '[]'",
        "comments TEXT",
        "journal_ref TEXT",
        "doi TEXT",
        "abstract_partial INTEGER NOT NULL DEFAULT 0",
        "summary TEXT",
    ):
        db.execute(f"ALTER TABLE papers ADD COLUMN {column}")
    from readq.identity import parse_arxiv_ref

    rows = db.execute("SELECT id, arxiv_id FROM papers WHERE arxiv_id IS NOT NULL").fetchall()
    for pid, stored in rows:
        ref = parse_arxiv_ref(str(stored))
        if ref is None:
            continue  # not an id readq can read: kept as it was
        if ref.id != stored or ref.version is not None:
            db.execute(
                "UPDATE papers SET arxiv_id = ?, arxiv_version = ? WHERE id = ?",
                (ref.id, ref.version, pid),
            )
    db.execute("CREATE INDEX idx_papers_arxiv_id ON papers (arxiv_id) WHERE arxiv_id IS NOT NULL")
    db.execute("CREATE INDEX idx_papers_doi ON papers (doi) WHERE doi IS NOT NULL")


@migrations()
def m006_read_dates(db: Database) -> None:
    """When each paper was marked read (``read_at``), for the "read" sort and ``read:``, and
    indexes whose terms are those of the "read" and "added" orders (``store.SORT_SQL``), so a
    first screen in either order is a LIMIT query (100k papers: 86 ms -> 0.1 ms for "read").

    Papers already read get no date (NULL, "read, date unknown"): the only candidate,
    ``updated_at``, also moves on a star, a note or a re-ingest, so it would put old reads in
    "last week". They sort after every dated read and no ``read:`` date matches them."""
    db.execute("ALTER TABLE papers ADD COLUMN read_at TEXT")
    db.execute("CREATE INDEX idx_papers_read_at ON papers (read_at IS NULL, read_at DESC, id DESC)")
    db.execute("CREATE INDEX idx_papers_added_at ON papers (added_at DESC, id)")


@migrations()
def m007_trash(db: Database) -> None:
    """The trash: a deleted paper keeps its row (state, note, revisions, sources) with the
    moment it was deleted, hidden from every view until it is restored or the trash is
    emptied. Re-ingest matches it as before, so a deleted paper is never added again as a new
    one. The partial index makes "what is in the trash" cheap (the search index asks it on
    every refresh) and costs nothing for papers outside it."""
    db.execute("ALTER TABLE papers ADD COLUMN deleted_at TEXT")
    db.execute(
        "CREATE INDEX idx_papers_deleted_at ON papers (deleted_at) WHERE deleted_at IS NOT NULL"
    )


@migrations()
def m008_tags(db: Database) -> None:
    """Tags, the rules that apply them, and the user's removals rules must respect.

    ``tags``: one row per tag, its name as first typed and its casefolded ``key`` (unique:
    tags are case-insensitive); ``paper_tags`` links papers to tags, with an index by tag so
    ``tag:NAME`` reads only that tag's papers. ``rules`` tag what their query selects.
    ``rule_exclusions`` remembers a tag the user removed by hand from a paper (by tag key, so
    it outlives the rule that applied it): no rule puts it back. Deleting a paper for good
    (or a tag) removes its links through the cascades. ``tag_version`` counts tag writes."""
    db.execute(
        "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL, key TEXT NOT NULL UNIQUE)"
    )
    db.execute(
        """
        CREATE TABLE paper_tags (
            paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
            PRIMARY KEY (paper_id, tag_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX idx_paper_tags_tag ON paper_tags (tag_id, paper_id)")
    db.execute(
        """
        CREATE TABLE rules (
            id INTEGER PRIMARY KEY,
            tag TEXT NOT NULL,
            query TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE rule_exclusions (
            tag_key TEXT NOT NULL,
            paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
            PRIMARY KEY (tag_key, paper_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX idx_rule_exclusions_paper ON rule_exclusions (paper_id)")
    # One number every tag write moves on (once per transaction, not per row): a running
    # search index keeps the papers of each tag it was asked about until it changes.
    db.execute(
        "CREATE TABLE tag_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)"
    )
    db.execute("INSERT INTO tag_version (id, n) VALUES (1, 0)")


@migrations()
def m009_views_queue(db: Database) -> None:
    """Saved views (a named query shown as a tab; names unique whatever their case) and the
    to-read queue's manual order: ``papers.queue_pos``, set exactly for to-read papers.

    Papers already to read join the queue in the order they were added, oldest first (the
    order the "added" sort shows reversed), so nothing jumps: the first ``[`` moves from there.
    Two indexes: one on the status then the terms of the "queue" sort (``store.SORT_SQL``), so
    the To-read view's first screen is a LIMIT query (100k to-read papers: 20 ms with the
    status index and a sort, see benchmarks/queue_bench.py), and one over the queued papers
    only (the top, the bottom and a paper's neighbours are one probe each; papers outside
    the queue cost nothing in it)."""
    db.execute(
        """
        CREATE TABLE views (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL COLLATE NOCASE UNIQUE,
            query TEXT NOT NULL,
            position INTEGER NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("ALTER TABLE papers ADD COLUMN queue_pos REAL")
    db.execute(
        "UPDATE papers SET queue_pos = ranked.n FROM ("
        "SELECT id, row_number() OVER (ORDER BY added_at, id) AS n FROM papers "
        "WHERE status = 'to-read') AS ranked WHERE papers.id = ranked.id"
    )
    db.execute("CREATE INDEX idx_papers_queue ON papers (status, queue_pos IS NULL, queue_pos, id)")
    db.execute(
        "CREATE INDEX idx_papers_queue_pos ON papers (queue_pos) WHERE queue_pos IS NOT NULL"
    )


@migrations()
def m010_discover(db: Database) -> None:
    """The papers the user said "not interested" in: a negative label for the recommended
    order (``readq.discover``), kept apart from status and star (the paper stays where it is).
    Its own table, so re-ingest (which upserts scraped columns only) never touches it and the
    label goes with the paper when the trash is emptied."""
    db.execute(
        "CREATE TABLE dismissed (paper_id INTEGER PRIMARY KEY "
        "REFERENCES papers(id) ON DELETE CASCADE, dismissed_at TEXT NOT NULL)"
    )


@migrations()
def m011_sync(db: Database) -> None:
    """Sync through a shared folder (``readq.sync``): this device's id, name and folder
    (``sync_meta``), and what was last exchanged, so a sync sends only what changed since.

    ``sync_base`` holds, per paper, its id across devices (``uid``), the ``updated_at`` and
    ``added_at`` it had when last captured, and each field's clock stamp and digest: a paper
    whose ``updated_at`` moved is compared field by field. Nothing is added to the write paths
    (no trigger): ingest without a sync folder costs what it cost before. Other tables map
    aliases, note revisions and sources across devices, remember files read in the folder,
    deletions for good (tombstones), entries waiting for their paper, and devices seen."""
    db.execute("CREATE TABLE sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        """
        CREATE TABLE sync_base (
            paper_id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL,
            added_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            stamps TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    db.execute("CREATE TABLE sync_uids (uid TEXT PRIMARY KEY, paper_id INTEGER NOT NULL)")
    db.execute("CREATE INDEX idx_sync_uids_paper ON sync_uids (paper_id)")
    db.execute(
        """
        CREATE TABLE sync_revs (
            rev_id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            paper_id INTEGER NOT NULL,
            hlc TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_sync_revs_paper ON sync_revs (paper_id)")
    db.execute(
        "CREATE TABLE sync_sources (paper_id INTEGER NOT NULL, path TEXT NOT NULL, "
        "PRIMARY KEY (paper_id, path))"
    )
    db.execute(
        "CREATE TABLE sync_files (device TEXT NOT NULL, name TEXT NOT NULL, "
        "lines INTEGER NOT NULL, PRIMARY KEY (device, name))"
    )
    db.execute("CREATE TABLE sync_tombstones (uid TEXT PRIMARY KEY, hlc TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE sync_pending (id INTEGER PRIMARY KEY, uid TEXT NOT NULL, entry TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_sync_pending_uid ON sync_pending (uid)")
    db.execute(
        "CREATE TABLE sync_devices (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
        "last_seen TEXT, last_hlc TEXT)"
    )


@migrations()
def m012_sync_records(db: Database) -> None:
    """Tags, tagging rules, saved views and queue places travel by sync too.

    ``sync_base.queue_pos`` is the place a paper had when last exchanged: the capture finds
    moved papers by comparing it (a renumbered queue or an applied order moves places without
    touching ``updated_at``). ``sync_tags`` holds each paper's tags and hand removals as last
    exchanged (``kind`` 't' or 'x'): the capture compares it with ``paper_tags`` and
    ``rule_exclusions``, so every tag write path (picker, CLI, rules, undo, rename) is seen
    without touching them. ``sync_records`` keeps, per saved view and rule (keyed by its uid
    across devices), each field's stamp and value, deleted ones included (tombstones).
    ``sync_tag_names`` holds the stamp of the spelling each tag is shown with (the newest
    spelling any device tagged a paper with wins: a rename of the case travels)."""
    db.execute("ALTER TABLE sync_base ADD COLUMN queue_pos REAL")
    db.execute(
        """
        CREATE TABLE sync_tags (
            paper_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (paper_id, kind, key)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE TABLE sync_records (uid TEXT PRIMARY KEY, fields TEXT NOT NULL)")
    db.execute("CREATE TABLE sync_tag_names (key TEXT PRIMARY KEY, hlc TEXT NOT NULL)")


@migrations()
def m013_sync_dismissed(db: Database) -> None:
    """The "not interested" label travels by sync. ``sync_base.dismissed_at`` is the label a
    paper had when last exchanged: the capture finds papers whose label was said or taken
    back by comparing it with ``dismissed`` (the label does not move ``updated_at``, and no
    trigger is added to the write paths, so ingest costs what it cost before). A library
    that synced before starts with none exchanged: its labels are sent at the next sync."""
    db.execute("ALTER TABLE sync_base ADD COLUMN dismissed_at TEXT")


KNOWN_MIGRATIONS: tuple[str, ...] = tuple(m.name for m in migrations._migrations)
