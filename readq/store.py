"""The library: one SQLite file, owned by a ``Store``.

Every write is one transaction started with ``BEGIN IMMEDIATE`` on a WAL database with a busy
timeout, so the CLI and any number of TUIs can write at the same time. Re-ingesting a listing
only touches scraped columns: status, star and note belong to the user.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from readq import tags
from readq.backup import backup_database
from readq.holders import LibraryBusyError, Registration, held_elsewhere, register, release
from readq.identity import names_match, normalise_doi, parse_arxiv_ref
from readq.models import (
    NoteRevision,
    Paper,
    SavedView,
    ScrapedPaper,
    SortKey,
    Source,
    Stats,
    Status,
)
from readq.store_values import VIEW_NAME_MAX as VIEW_NAME_MAX
from readq.store_values import PaperState as PaperState
from readq.store_values import QueueError as QueueError
from readq.store_values import StoreError as StoreError
from readq.store_values import UnknownPaperError as UnknownPaperError
from readq.store_values import ViewError as ViewError
from readq.tags import PaperTags, TagCount
from readq.textclean import dedupe_keys, identity_key, normalise_key

BUSY_TIMEOUT_MS = 15_000
NOTE_COALESCE_SECONDS = 60.0

PAPER_COLUMNS = (
    "id, title, title_derived, abstract, published, published_text, upvotes, authors, org, "
    "urls, status, starred, note, added_at, updated_at, arxiv_id, note_revision, "
    "arxiv_version, author_names, categories, comments, journal_ref, doi, abstract_partial, "
    "summary, read_at"
)

TRASHED = "deleted_at IS NOT NULL"
"""The papers in the trash (answered by the partial index ``idx_papers_deleted_at``)."""
NOT_TRASHED = f"id NOT IN (SELECT id FROM papers WHERE {TRASHED})"
"""The papers outside the trash, as a condition that keeps a query on its own index (a
"deleted_at IS NULL" test reads every row: 84 -> 201 ms for the Inbox's ids at 100k papers,
this form 128 ms); added only when the trash holds something (:meth:`Store.has_trash`)."""

SORT_SQL: dict[SortKey, str] = {
    # Newest ingest first, and within one ingest the page's order: every paper of an ingest
    # shares its ``added_at`` and takes ids in page order.
    SortKey.ADDED: "added_at DESC, id",
    SortKey.PUBLISHED: "published IS NULL, published DESC, id DESC",
    SortKey.UPVOTES: "upvotes IS NULL, upvotes DESC, id DESC",
    SortKey.TITLE: "title COLLATE NOCASE, id",
    SortKey.RELEVANCE: "id DESC",
    SortKey.READ: "read_at IS NULL, read_at DESC, id DESC",
    # The to-read queue's own order (``queue_pos``, set for to-read papers only), then the rest.
    SortKey.QUEUE: "queue_pos IS NULL, queue_pos, id",
    # Scores live in memory (readq.discover), not in SQL: SQL alone shows date added order.
    SortKey.RECOMMENDED: "added_at DESC, id",
}
"""``ORDER BY`` text of each sort (the engine's ``_sort_key`` orders rows identically)."""


def sort_sql(sort: SortKey, *, reverse: bool = False) -> str:
    """``ORDER BY`` text of ``sort``, or of its exact reverse (the list read bottom-up, so the
    engine can walk the same order backwards): every term's direction flips."""
    terms = SORT_SQL[sort].split(", ")
    if not reverse:
        return ", ".join(terms)
    flipped: list[str] = []
    for term in terms:
        if term.endswith(" DESC"):
            flipped.append(term[: -len(" DESC")])
        else:
            flipped.append(f"{term} DESC")
    return ", ".join(flipped)


class NewerDatabaseError(StoreError):
    """The library was written by a newer readq: refuse it and leave it untouched."""


class UnwritableLibraryError(StoreError):
    """The library could not be opened for writing (disk full, read-only file or directory,
    the ``-shm`` file cannot be created): a read-only command can still read it
    (:meth:`Store.open_read_only`). ``reason``: a few words for the user ("the disk is
    full")."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class CorruptDatabaseError(StoreError):
    """The library file failed ``PRAGMA quick_check`` or is not a database."""


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one listing did to the library."""

    papers: int
    new: int
    merged: int
    updated: int = 0
    new_ids: tuple[int, ...] = ()
    possible_duplicates: tuple[tuple[int, int], ...] = ()
    """(new paper, stored paper) pairs that share a title or abstract but have different
    arXiv ids: kept apart (two ids are two papers) and reported for the user to look at."""
    in_trash: int = 0
    """Repeats of papers in the trash: they stay there (re-ingest never restores a paper the
    user deleted); the summary says so, and ``readq trash restore`` brings them back."""


@dataclass(frozen=True, slots=True)
class QueueSlot:
    """A paper's place in the to-read queue (None: not in it), as saved for undo."""

    id: int
    position: float | None


QUEUE_PLACES = ("top", "bottom", "before", "after")
"""Where :meth:`Store.queue_move` puts a paper (``before``/``after`` another queued paper)."""
VIEW_NAME_REFUSED = ("[", "]", "\\")
"""Characters a view name cannot hold (markup in Textual's command palette)."""


@dataclass(frozen=True, slots=True)
class ImportedState:
    """The user state a new paper arrives with from an import (:meth:`Store.insert_paper`)."""

    status: Status
    starred: bool
    added_at: str
    updated_at: str
    deleted_at: str | None = None
    read_at: str | None = None
    note: str = ""
    note_revision: int | None = None
    queue_pos: float | None = None
    """Its place in the to-read queue (a restore keeps the backup's number)."""


@dataclass(frozen=True, slots=True)
class StoredState:
    """A paper's stored user state, as an import merges into it."""

    status: Status
    starred: bool
    note: str
    note_revision: int | None


USER_STATE_COLUMNS = frozenset(
    {"status", "starred", "read_at", "note", "note_revision", "updated_at"}
)
"""The columns :meth:`Store.update_state` may set."""


@dataclass(frozen=True, slots=True)
class NoteSaveResult:
    """What a note save did: the revision now current, and whether another writer got there
    first (then their text was kept as a conflict revision and ours is current)."""

    revision_id: int | None
    conflict: bool
    conflict_revision_id: int | None = None
    changed: bool = True


SCRAPED_COLUMNS = (
    "title",
    "title_key",
    "title_derived",
    "abstract",
    "abstract_key",
    "published",
    "published_text",
    "upvotes",
    "authors",
    "org",
    "urls",
    "arxiv_id",
    "arxiv_version",
    "author_names",
    "categories",
    "comments",
    "journal_ref",
    "doi",
    "abstract_partial",
    "summary",
)
SCRAPED_COLUMNS_SQL = ", ".join(SCRAPED_COLUMNS)
SCRAPED_MARKS = ", ".join("?" * len(SCRAPED_COLUMNS))


def scraped_values(paper: ScrapedPaper, title_key: str, abstract_key: str) -> tuple[object, ...]:
    """The values of ``SCRAPED_COLUMNS`` for a new paper (ingest and import share them).

    The identity is stored as :func:`identified` reads it (version-less arXiv id, canonical
    DOI, an author count that is at least the number of names), so that every path that
    stores a paper stores the same keys the matching rule looks up.
    """
    arxiv_id, version, doi, authors = paper.arxiv_id, paper.arxiv_version, paper.doi, paper.authors
    names = paper.author_names
    if arxiv_id is not None or doi is not None or names:
        arxiv_id, version, doi, authors = _identity(arxiv_id, version, doi, authors, names)
    return (
        paper.title,
        title_key,
        int(paper.title_derived),
        paper.abstract,
        abstract_key,
        paper.published,
        paper.published_text,
        paper.upvotes,
        authors,
        paper.org,
        json.dumps(list(paper.urls)) if paper.urls else "[]",
        arxiv_id,
        version,
        json.dumps(list(names), ensure_ascii=False) if names else "[]",
        json.dumps(list(paper.categories)) if paper.categories else "[]",
        paper.comments,
        paper.journal_ref,
        doi,
        int(paper.abstract_partial),
        paper.summary,
    )


def identified(paper: ScrapedPaper) -> ScrapedPaper:
    """``paper`` with its identity in the one form the library stores and matches on.

    The arXiv id loses its version (``2612.04011v2`` -> ``2612.04011``, version 2) whatever
    spelling it came in (``arXiv:``, an ``abs``/``pdf`` link...), an arXiv DOI
    (``10.48550/arXiv.ID``) gives the id when the paper has none, the DOI is canonical (lower
    case, no resolver), and the author count is at least the number of names.
    """
    if paper.arxiv_id is None and paper.doi is None and not paper.author_names:
        return paper
    arxiv_id, version, doi, authors = _identity(
        paper.arxiv_id, paper.arxiv_version, paper.doi, paper.authors, paper.author_names
    )
    if (arxiv_id, version, doi, authors) == (
        paper.arxiv_id,
        paper.arxiv_version,
        paper.doi,
        paper.authors,
    ):
        return paper
    return replace(paper, arxiv_id=arxiv_id, arxiv_version=version, doi=doi, authors=authors)


def _identity(
    arxiv_id: str | None,
    version: int | None,
    doi: str | None,
    authors: int | None,
    names: Sequence[str],
) -> tuple[str | None, int | None, str | None, int | None]:
    """The (arXiv id, version, DOI, author count) that :func:`identified` stores."""
    if doi is not None:
        doi = normalise_doi(doi) or doi.strip() or None
        if arxiv_id is None and doi is not None:
            from_doi = parse_arxiv_ref(doi)
            if from_doi is not None:
                arxiv_id = from_doi.id
    if arxiv_id is not None:
        ref = parse_arxiv_ref(arxiv_id)
        if ref is not None:
            arxiv_id = ref.id
            if version is None:
                version = ref.version
        arxiv_id = arxiv_id.strip() or None
    if names and (authors is None or authors < len(names)):
        authors = len(names)
    return arxiv_id, version, doi, authors


def now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds (sortable text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def row_to_paper(row: sqlite3.Row | tuple[object, ...], sources: Sequence[Source] = ()) -> Paper:
    """A ``Paper`` from a row of ``PAPER_COLUMNS``."""
    (
        pid,
        title,
        derived,
        abstract,
        published,
        published_text,
        upvotes,
        authors,
        org,
        urls,
        status,
        starred,
        note,
        added_at,
        updated_at,
        arxiv_id,
        note_revision,
        arxiv_version,
        author_names,
        categories,
        comments,
        journal_ref,
        doi,
        abstract_partial,
        summary,
        read_at,
    ) = tuple(row)
    return Paper(
        id=int(pid),  # type: ignore[call-overload]
        title=str(title),
        title_derived=bool(derived),
        abstract=str(abstract),
        published=published,  # type: ignore[arg-type]
        published_text=published_text,  # type: ignore[arg-type]
        upvotes=upvotes,  # type: ignore[arg-type]
        authors=authors,  # type: ignore[arg-type]
        org=org,  # type: ignore[arg-type]
        urls=tuple(json.loads(str(urls))),
        status=Status(str(status)),
        starred=bool(starred),
        note=str(note),
        added_at=str(added_at),
        updated_at=str(updated_at),
        arxiv_id=arxiv_id,  # type: ignore[arg-type]
        note_revision=note_revision,  # type: ignore[arg-type]
        sources=tuple(sources),
        arxiv_version=arxiv_version,  # type: ignore[arg-type]
        author_names=tuple(json.loads(str(author_names))),
        categories=tuple(json.loads(str(categories))),
        comments=comments,  # type: ignore[arg-type]
        journal_ref=journal_ref,  # type: ignore[arg-type]
        doi=doi,  # type: ignore[arg-type]
        abstract_partial=bool(abstract_partial),
        summary=summary,  # type: ignore[arg-type]
        read_at=read_at,  # type: ignore[arg-type]
    )


def with_tags(paper: Paper, names: Sequence[str]) -> Paper:
    """``paper`` carrying these tag names (the row holds none: tags are another table)."""
    return replace(paper, tags=tuple(names)) if names else paper


class Store:
    """The only owner of a connection to the library.

    A ``Store`` is used from one thread. Workers open their own with :meth:`open_reader`.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.read_only = read_only
        self._lock = threading.RLock()
        self._atomic_depth = 0
        """How many :meth:`atomic` blocks are open on this connection."""
        self._registration: Registration | None = None
        self.opened_read_only_because: str | None = None
        """Why a read-write open fell back to reading only (:meth:`open_read_only`), or None."""

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        migrate: bool = True,
        check: bool = False,
        backup_dir: Path | None = None,
        register: bool = True,
    ) -> Store:
        """Open (creating if needed) the library at ``path`` and bring its schema up to date.

        Refuses a database from a newer readq (``NewerDatabaseError``) without writing to it.
        With ``check``, runs ``PRAGMA quick_check`` first (``CorruptDatabaseError``). Before a
        migration of a non-empty library, a verified backup is written to ``backup_dir``.
        ``register``: hold the library's shared lock while open (``readq.holders``), so that a
        restore refuses to swap it; only a file that is not the library yet (a restore's copy)
        is opened without.
        """
        db_path = Path(path)
        # Registered before the connection is made: a restore in progress is waited for, and
        # the connection then opens the restored file, not the one moved aside.
        registration = _register(db_path) if register else None
        try:
            store = cls._open(db_path, migrate=migrate, check=check, backup_dir=backup_dir)
        except BaseException:
            release_registration(registration)
            raise
        store._registration = registration
        return store

    @classmethod
    def _open(cls, db_path: Path, *, migrate: bool, check: bool, backup_dir: Path | None) -> Store:
        from readq import schema

        existed = db_path.exists() and db_path.stat().st_size > 0
        # Never open() the file ourselves: closing any descriptor of a SQLite file drops every
        # POSIX lock this process holds on it (another Store's live WAL could then be lost).
        try:
            conn = _connect(db_path)
        except sqlite3.Error as exc:
            raise StoreError(f"{db_path}: cannot open the library ({exc})") from None
        try:
            if existed:
                _check_is_database(conn, db_path)
                if check:
                    _quick_check(conn, db_path)
                applied = _applied_migrations(conn)
                unknown = [name for name in applied if name not in schema.MIGRATION_NAMES]
                if unknown:
                    raise NewerDatabaseError(
                        f"{db_path}: written by a newer readq (unknown schema migration "
                        f"{unknown[0]}); upgrade readq to open it. The file was not changed."
                    )
            _configure(conn, new=not existed)
            store = cls(conn, db_path)
            if migrate:
                store._migrate(backup_dir=backup_dir if existed else None)
            return store
        except sqlite3.OperationalError as exc:  # read-only, cannot open, busy, disk full
            from readq.dberrors import (
                describe_sqlite_error,
                disk_full,
                is_unwritable,
                unwritable_reason,
            )

            conn.close()
            message = f"{db_path}: {describe_sqlite_error(exc, db_path)}"
            if is_unwritable(exc):
                reason = unwritable_reason(exc)
                if reason != "the library is read-only" and disk_full(db_path):
                    reason = "the disk is full"
                raise UnwritableLibraryError(message, reason) from None
            raise StoreError(message) from None
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise CorruptDatabaseError(f"{db_path}: not a readable readq library ({exc})") from None
        except BaseException:
            conn.close()
            raise

    def open_reader(self) -> Store:
        """A second, read-only connection to the same file, for a worker thread."""
        if self.opened_read_only_because is not None:  # the same kind of connection again
            return Store.open_read_only(self.path, reason=self.opened_read_only_because)
        registration = _register(self.path)
        try:
            conn = _connect(self.path, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA query_only = ON")
        except BaseException:
            release_registration(registration)
            raise
        reader = Store(conn, self.path, read_only=True)
        reader._registration = registration
        return reader

    @classmethod
    def open_helper_reader(cls, path: Path) -> Store:
        """A read-only connection for a helper process (the index builder's children): not
        registered (the process that started it holds the library open), queries only."""
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            isolation_level=None,
            timeout=15.0,
            check_same_thread=False,
        )
        conn.execute("PRAGMA query_only = ON")
        return cls(conn, path, read_only=True)

    @classmethod
    def open_read_only(cls, path: str | os.PathLike[str], *, reason: str) -> Store:
        """Open the library for reading only, when a read-write open failed because nothing can
        be written (a full disk, a read-only directory: WAL needs its ``-shm`` file).

        First ``mode=ro`` (SQLite still shares the WAL with any writer); if even that cannot
        start (the ``-shm`` cannot be created), ``immutable=1``, which reads the main file
        alone, without locks: only when no other readq has the library open and no ``-wal``
        holds commits the main file lacks (``StoreError`` otherwise, saying so). ``reason``
        is kept in :attr:`opened_read_only_because` for the caller to tell the user.
        """
        db_path = Path(path)
        if not db_path.is_file():
            raise StoreError(f"{db_path}: no library here")
        busy = held_elsewhere(db_path)
        registration = _register(db_path)
        try:
            conn = _connect_read_only(db_path, reason=reason, held_elsewhere=busy)
        except BaseException:
            release_registration(registration)
            raise
        store = cls(conn, db_path, read_only=True)
        store._registration = registration
        store.opened_read_only_because = reason
        try:
            store._require_current_schema(reason)
        except BaseException:
            store.close()
            raise
        return store

    def _require_current_schema(self, reason: str) -> None:
        """A library opened read-only cannot be migrated: refuse one that needs it."""
        from readq import schema

        applied = _applied_migrations(self.conn)
        unknown = [name for name in applied if name not in schema.MIGRATION_NAMES]
        if unknown:
            raise NewerDatabaseError(
                f"{self.path}: written by a newer readq (unknown schema migration "
                f"{unknown[0]}); upgrade readq to open it. The file was not changed."
            )
        if set(schema.MIGRATION_NAMES) - set(applied):
            raise StoreError(
                f"{self.path}: {reason}, and the library needs an upgrade by this readq "
                "(a write) before it can be read"
            )

    def close(self) -> None:
        """Close the connection (and drop this Store's hold on the library)."""
        self.conn.close()
        release_registration(self._registration)
        self._registration = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self, *, backup_dir: Path | None) -> None:
        from readq.schema import MIGRATION_NAMES

        if set(MIGRATION_NAMES) <= set(_applied_migrations(self.conn)):
            return  # up to date: sqlite_utils is not even imported (~170 ms of every start)
        from sqlite_utils import Database

        from readq.migrations import migrations

        db = Database(self.conn)
        pending = migrations.pending(db)
        if not pending:
            return
        if backup_dir is not None and self._has_papers_table():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            self.backup(backup_dir / f"readq-{stamp}-before-{pending[0].name}.db")
        migrations.apply(db)

    def backup(self, target: Path) -> Path:
        """Write a verified, consistent copy of the library to ``target`` (SQLite's backup
        API; ``BackupError`` if it cannot). Returns ``target``."""
        return backup_database(self.conn, target)

    def _has_papers_table(self) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'papers'"
        ).fetchone()
        return row is not None

    def applied_migrations(self) -> list[str]:
        """Names of the schema migrations applied to this library, in order."""
        return _applied_migrations(self.conn)

    # ------------------------------------------------------------- transactions
    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``): all of it is stored, or none of it.

        Nestable (:meth:`atomic`): inside another write it is a savepoint."""
        with self.atomic() as conn:
            yield conn

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """All of the block is stored, or none of it; blocks nest, as sqlite-utils'
        ``Database.atomic()``: the outermost is one ``BEGIN IMMEDIATE`` transaction, an inner
        one a savepoint that a failure inside it rolls back alone (the exception still
        reaches the outer block, which decides)."""
        if self.read_only:
            raise StoreError("this connection is read-only")
        with self._lock:
            depth = self._atomic_depth
            if depth == 0:
                begin, undo, end = "BEGIN IMMEDIATE", "ROLLBACK", "COMMIT"
            else:
                name = f"readq_atomic_{depth}"
                begin, undo = f"SAVEPOINT {name}", f"ROLLBACK TO {name}; RELEASE {name}"
                end = f"RELEASE {name}"
            self.conn.execute(begin)
            self._atomic_depth = depth + 1
            try:
                yield self.conn
            except BaseException:
                for statement in undo.split("; "):
                    self.conn.execute(statement)
                raise
            else:
                self.conn.execute(end)
            finally:
                self._atomic_depth = depth

    @contextmanager
    def busy_timeout(self, milliseconds: int) -> Iterator[None]:
        """Inside the block, wait at most ``milliseconds`` for another process's lock.

        If the timeout cannot be set (the connection is closing), the block runs with the
        one in force: the write inside then reports the real problem itself."""
        try:
            self.set_busy_timeout(milliseconds)
        except sqlite3.Error:
            yield
            return
        try:
            yield
        finally:
            with suppress(sqlite3.Error):
                self.set_busy_timeout(BUSY_TIMEOUT_MS)

    def set_busy_timeout(self, milliseconds: int) -> None:
        """Wait at most ``milliseconds`` for another process's lock from now on (the
        background writer's connection waits long; the default is ``BUSY_TIMEOUT_MS``)."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")

    def data_version(self) -> int:
        """``PRAGMA data_version``: changes when another connection commits."""
        row = self.conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    # -------------------------------------------------------------------- reads
    def count(self) -> int:
        """How many papers the library holds (the trash not counted)."""
        # All rows minus the trash (its partial index): 0.3 ms at 100k papers, where
        # "WHERE deleted_at IS NULL" reads every row (18.7 ms, /tmp bench in the commit).
        return int(self.conn.execute("SELECT count(*) FROM papers").fetchone()[0]) - int(
            self.conn.execute(f"SELECT count(*) FROM papers WHERE {TRASHED}").fetchone()[0]
        )

    def has_trash(self) -> bool:
        """Whether any paper is in the trash (one probe of its partial index): queries add
        their "not in the trash" condition only then, at no cost to a library without."""
        row = self.conn.execute(f"SELECT 1 FROM papers WHERE {TRASHED} LIMIT 1").fetchone()
        return row is not None

    def get(self, paper_id: int, *, with_sources: bool = True) -> Paper:
        """The paper with this id (``UnknownPaperError`` if there is none)."""
        row = self.conn.execute(
            f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?", (paper_id,)
        ).fetchone()
        if row is None:
            raise UnknownPaperError(paper_id)
        sources = self.sources(paper_id) if with_sources else ()
        found = tags.tags_for(self.conn, [paper_id])
        return with_tags(row_to_paper(row, sources), found.get(paper_id, ()))

    def exists(self, paper_id: int) -> bool:
        """Whether a paper has this id."""
        row = self.conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return row is not None

    def sources(self, paper_id: int) -> list[Source]:
        """The listings a paper was seen in, oldest first, with their page kind."""
        return self._sources_for([paper_id]).get(paper_id, [])

    def list_papers(
        self,
        *,
        status: Status | None = None,
        starred: bool | None = None,
        sort: SortKey = SortKey.ADDED,
        limit: int | None = None,
        ids: Sequence[int] | None = None,
        with_sources: bool = True,
        reverse: bool = False,
    ) -> list[Paper]:
        """Papers filtered by status and star, in ``sort`` order (reversed with ``reverse``),
        or in the order of ``ids``."""
        if ids is not None:
            papers = self.get_many(ids, with_sources=with_sources)
            return papers[:limit] if limit is not None else papers
        where: list[str] = [NOT_TRASHED if self.has_trash() else "1"]
        params: list[object] = []
        if status is not None:
            where.append("status = ?")
            params.append(status.value)
        if starred is not None:
            where.append("starred = ?")
            params.append(int(starred))
        sql = f"SELECT {PAPER_COLUMNS} FROM papers WHERE " + " AND ".join(where)
        sql += f" ORDER BY {sort_sql(sort, reverse=reverse)}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self.conn.execute(sql, params).fetchall()
        listed = [int(r[0]) for r in rows]
        sources = self._sources_for(listed) if with_sources else {}
        found = tags.tags_for(self.conn, listed)
        return [
            with_tags(row_to_paper(r, sources.get(int(r[0]), ())), found.get(int(r[0]), ()))
            for r in rows
        ]

    def get_many(self, ids: Sequence[int], *, with_sources: bool = True) -> list[Paper]:
        """The papers with these ids, in the given order (unknown ids are skipped)."""
        found: dict[int, Paper] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN ({marks})", chunk
            ).fetchall()
            sources = self._sources_for([int(r[0]) for r in rows]) if with_sources else {}
            named = tags.tags_for(self.conn, [int(r[0]) for r in rows])
            for r in rows:
                pid = int(r[0])
                found[pid] = with_tags(row_to_paper(r, sources.get(pid, ())), named.get(pid, ()))
        return [found[i] for i in ids if i in found]

    def _sources_for(self, ids: Sequence[int]) -> dict[int, list[Source]]:
        result: dict[int, list[Source]] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT paper_id, name, path, seen_at FROM paper_sources "
                f"WHERE paper_id IN ({marks}) ORDER BY seen_at",
                chunk,
            ).fetchall()
            kinds = self._ingest_formats({str(r[2]) for r in rows})
            for pid, name, path, seen in rows:
                kind = _kind_at(kinds.get(path, []), str(seen))
                result.setdefault(int(pid), []).append(
                    Source(name=name, path=path, seen_at=seen, kind=kind)
                )
        return result

    def _ingest_formats(self, paths: set[str]) -> dict[str, list[tuple[str, str]]]:
        """``(at, format)`` of every ingest of these paths, oldest first, per path."""
        found: dict[str, list[tuple[str, str]]] = {}
        for part in _chunks(sorted(paths), 500):  # type: ignore[arg-type]
            marks = ",".join("?" * len(part))
            for path, at, fmt in self.conn.execute(
                f"SELECT path, at, format FROM ingests WHERE path IN ({marks}) ORDER BY at, id",
                part,
            ):
                found.setdefault(str(path), []).append((str(at), str(fmt)))
        return found

    def stats(self) -> Stats:
        """Counts by status, starred, and with notes (the trash not counted)."""
        # The whole library (the status index answers) minus the trash (its partial index):
        # a "deleted_at IS NULL" filter reads every row (GROUP BY 12.7 -> 93 ms at 100k).
        by_status = {s: 0 for s in Status}
        totals = [0, 0, 0]
        for sign, where in ((1, "1"), (-1, TRASHED)):
            for status, n in self.conn.execute(
                f"SELECT status, count(*) FROM papers WHERE {where} GROUP BY status"
            ):
                by_status[Status(status)] += sign * int(n)
            row = self.conn.execute(
                "SELECT coalesce(sum(starred), 0), coalesce(sum(note != ''), 0), count(*) "
                f"FROM papers WHERE {where}"
            ).fetchone()
            totals = [t + sign * int(v) for t, v in zip(totals, row, strict=True)]
        starred, with_notes, total = totals
        return Stats(total=total, by_status=by_status, starred=starred, with_notes=with_notes)

    def states(self, ids: Iterable[int]) -> list[PaperState]:
        """The current user state of these papers (for undo)."""
        result: list[PaperState] = []
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for pid, status, starred, read_at, queue_pos in self.conn.execute(
                f"SELECT id, status, starred, read_at, queue_pos FROM papers WHERE id IN ({marks})",
                chunk,
            ):
                result.append(
                    PaperState(int(pid), Status(status), bool(starred), read_at, queue_pos)
                )
        return result

    # ---------------------------------------------------------- user-state writes
    def _require(self, conn: sqlite3.Connection, ids: Sequence[int]) -> None:
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            found = {
                int(r[0])
                for r in conn.execute(f"SELECT id FROM papers WHERE id IN ({marks})", chunk)
            }
            for pid in chunk:
                if pid not in found:
                    raise UnknownPaperError(pid)

    def set_status(self, ids: Sequence[int], status: Status) -> list[PaperState]:
        """Mark papers; returns their states before the change (for undo).

        Marking read records when (``read_at``); a paper already read keeps its first date.
        Any other status clears it: ``read:`` and the "read" sort answer "what have I read",
        and a paper moved back to the queue is not read any more (undo restores the date).

        Papers that become to-read join the bottom of the queue, in the order given; papers
        that leave it lose their place (coming back later means the bottom again)."""
        ids = list(dict.fromkeys(ids))
        with self.write() as conn:
            if status is Status.READ:
                before = self._update_state(
                    ids, "status = ?, read_at = coalesce(read_at, ?)", (status.value, now_iso())
                )
            else:
                before = self._update_state(ids, "status = ?, read_at = NULL", (status.value,))
            self._settle_queue(conn, ids)
        return before

    def set_starred(self, ids: Sequence[int], starred: bool) -> list[PaperState]:
        """Star or unstar papers; returns their states before the change (for undo)."""
        return self._update_state(ids, "starred = ?", (int(starred),))

    def _update_state(
        self, ids: Sequence[int], assignment: str, values: tuple[object, ...]
    ) -> list[PaperState]:
        ids = list(dict.fromkeys(ids))
        with self.write() as conn:
            self._require(conn, ids)
            before = self.states(ids)
            stamp = now_iso()
            for chunk in _chunks(ids, 500):
                marks = ",".join("?" * len(chunk))
                conn.execute(
                    f"UPDATE papers SET {assignment}, updated_at = ? WHERE id IN ({marks})",
                    (*values, stamp, *chunk),
                )
        return before

    def restore_states(self, states: Sequence[PaperState]) -> list[PaperState]:
        """Put papers back into saved states (undo/redo); returns the states replaced."""
        with self.write() as conn:
            before = self.states([s.id for s in states])
            stamp = now_iso()
            conn.executemany(
                "UPDATE papers SET status = ?, starred = ?, read_at = ?, queue_pos = ?, "
                "updated_at = ? WHERE id = ?",
                [
                    (s.status.value, int(s.starred), s.read_at, s.queue_pos, stamp, s.id)
                    for s in states
                ],
            )
            # A state saved without a place (or one not to-read holding one) still obeys the
            # queue's rule: to-read papers are in it, the others are not.
            self._settle_queue(conn, [s.id for s in states])
        return before

    def rename(self, paper_id: int, title: str) -> None:
        """Give a paper a title of the user's choosing (no longer marked as derived)."""
        self.set_title(paper_id, title, derived=False)

    def set_title(self, paper_id: int, title: str, *, derived: bool) -> None:
        """Set a paper's title and whether readq derived it (a rename, or its undo). The
        dedupe key stays the scraped title's, so re-ingesting the listing finds the paper."""
        from readq.textclean import clean_line

        cleaned = clean_line(title)
        if not cleaned:
            raise ValueError("a title cannot be empty")
        with self.write() as conn:
            self._require(conn, [paper_id])
            conn.execute(
                "UPDATE papers SET title = ?, title_derived = ?, updated_at = ? WHERE id = ?",
                (cleaned, int(derived), now_iso(), paper_id),
            )

    # --------------------------------------------------------------------- tags
    def change_tags(
        self, ids: Sequence[int], add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> list[PaperTags]:
        """Add and remove tags on papers by hand (one transaction); returns their tags
        before (for undo). Names are checked first (``TagNameError``: nothing changed); a
        removal is remembered so that no rule puts the tag back."""
        ids = list(dict.fromkeys(ids))
        adding = [tags.clean_tag(n) for n in add]
        removing = [tags.clean_tag(n) for n in remove]
        with self.write() as conn:
            self._require(conn, ids)
            before = tags.snapshot(conn, ids)
            tags.change(conn, ids, adding, removing)
        return before

    def restore_tags(self, states: Sequence[PaperTags]) -> list[PaperTags]:
        """Give papers back saved tags (undo/redo, one transaction); returns those replaced."""
        with self.write() as conn:
            ids = [s.id for s in states]
            self._require(conn, ids)
            before = tags.snapshot(conn, ids)
            tags.restore(conn, states)
        return before

    def tag_snapshot(self, ids: Sequence[int]) -> list[PaperTags]:
        """These papers' tags and remembered removals, as :meth:`restore_tags` takes them."""
        return tags.snapshot(self.conn, list(ids))

    def tag_counts(self) -> list[TagCount]:
        """Every tag with how many papers outside the trash carry it, by name."""
        return tags.counts(self.conn, self.has_trash())

    def rename_tag(self, old: str, new: str) -> tuple[int, bool]:
        """Rename a tag, merging it into ``new`` when that tag exists (one transaction);
        rules and remembered removals follow. Returns (papers tagged, merged)."""
        name = tags.clean_tag(new)
        with self.write() as conn:
            return tags.rename(conn, old, name)

    # -------------------------------------------------------------------- trash
    def trash(self, ids: Sequence[int]) -> list[int]:
        """Move papers to the trash (one transaction): hidden from every view, count, search
        and export, but kept whole (state, note, revisions, sources) until the trash is
        emptied. Returns the ids that were not already in the trash (what undo restores)."""
        return self._set_trashed(ids, trashed=True)

    def restore_trashed(self, ids: Sequence[int]) -> list[int]:
        """Bring papers back from the trash (one transaction), state and note as they were.
        Returns the ids that were in the trash (what undo deletes again)."""
        return self._set_trashed(ids, trashed=False)

    def _set_trashed(self, ids: Sequence[int], *, trashed: bool) -> list[int]:
        """Put papers in (``trashed``) or out of the trash in one transaction; the ids whose
        place changed (those already where they were asked to be are left alone)."""
        ids = list(dict.fromkeys(ids))
        with self.write() as conn:
            self._require(conn, ids)
            changed = self._trash_filter(conn, ids, trashed=not trashed)
            stamp = now_iso()
            deleted_at = stamp if trashed else None
            for chunk in _chunks(changed, 500):
                marks = ",".join("?" * len(chunk))
                conn.execute(
                    f"UPDATE papers SET deleted_at = ?, updated_at = ? WHERE id IN ({marks})",
                    (deleted_at, stamp, *chunk),
                )
        return changed

    def set_dismissed(self, ids: Sequence[int], dismissed: bool) -> list[int]:
        """Say "not interested" in papers (``dismissed``) or take it back, in one
        transaction; the ids whose label changed. ``UnknownPaperError`` for an unknown id."""
        ids = list(dict.fromkeys(ids))
        with self.write() as conn:
            self._require(conn, ids)
            already = self.dismissed_ids(ids)
            changed = [i for i in ids if (i in already) != dismissed]
            stamp = now_iso()
            for chunk in _chunks(changed, 500):
                if dismissed:
                    conn.executemany(
                        "INSERT INTO dismissed (paper_id, dismissed_at) VALUES (?, ?)",
                        [(pid, stamp) for pid in chunk],
                    )
                else:
                    marks = ",".join("?" * len(chunk))
                    conn.execute(f"DELETE FROM dismissed WHERE paper_id IN ({marks})", chunk)
        return changed

    def dismissed_ids(self, ids: Sequence[int] | None = None) -> set[int]:
        """The papers marked "not interested" (of ``ids``, or all of them)."""
        if ids is None:
            return {int(r[0]) for r in self.conn.execute("SELECT paper_id FROM dismissed")}
        found: set[int] = set()
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            found.update(
                int(r[0])
                for r in self.conn.execute(
                    f"SELECT paper_id FROM dismissed WHERE paper_id IN ({marks})", chunk
                )
            )
        return found

    def _trash_filter(
        self, conn: sqlite3.Connection, ids: list[int], *, trashed: bool
    ) -> list[int]:
        """Those of ``ids`` that are (``trashed``) or are not in the trash, in order."""
        found: set[int] = set()
        test = "IS NOT NULL" if trashed else "IS NULL"
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            found.update(
                int(r[0])
                for r in conn.execute(
                    f"SELECT id FROM papers WHERE deleted_at {test} AND id IN ({marks})", chunk
                )
            )
        return [i for i in ids if i in found]

    def trashed_ids(self, ids: Iterable[int] | None = None) -> list[int]:
        """The papers in the trash, most recently deleted first (with ``ids``: those of them
        that are in the trash)."""
        rows = self.conn.execute(
            "SELECT id FROM papers WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC, id DESC"
        ).fetchall()
        found = [int(r[0]) for r in rows]
        if ids is None:
            return found
        wanted = set(ids)
        return [i for i in found if i in wanted]

    def deleted_at(self, paper_id: int) -> str | None:
        """When the paper was moved to the trash (None: it is not in the trash)."""
        row = self.conn.execute(
            "SELECT deleted_at FROM papers WHERE id = ?", (paper_id,)
        ).fetchone()
        if row is None:
            raise UnknownPaperError(paper_id)
        return None if row[0] is None else str(row[0])

    def empty_trash(self, ids: Sequence[int] | None = None) -> int:
        """Delete for good the papers in the trash (``ids``: only those of them), with their
        notes, revisions and sources (one transaction). Returns how many went."""
        with self.write() as conn:
            chosen = self.trashed_ids(ids)
            for chunk in _chunks(chosen, 500):
                marks = ",".join("?" * len(chunk))
                conn.execute(f"DELETE FROM note_revisions WHERE paper_id IN ({marks})", chunk)
                conn.execute(f"DELETE FROM paper_sources WHERE paper_id IN ({marks})", chunk)
                conn.execute(f"DELETE FROM papers WHERE id IN ({marks})", chunk)
        return len(chosen)

    # -------------------------------------------------------------------- queue
    def queue_ids(self, *, limit: int | None = None) -> list[int]:
        """The to-read queue in order, next up first (papers in the trash left out)."""
        hidden = f" AND {NOT_TRASHED}" if self.has_trash() else ""
        sql = (
            f"SELECT id FROM papers WHERE status = 'to-read'{hidden} "
            f"ORDER BY {SORT_SQL[SortKey.QUEUE]}"
        )
        params: list[object] = []
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [int(r[0]) for r in self.conn.execute(sql, params)]

    def queue_slots(self, ids: Iterable[int] | None = None) -> list[QueueSlot]:
        """The places of these papers (None: of every queued paper, trash included)."""
        if ids is None:
            return [
                QueueSlot(int(pid), float(pos))
                for pid, pos in self.conn.execute(
                    "SELECT id, queue_pos FROM papers WHERE queue_pos IS NOT NULL"
                )
            ]
        found: list[QueueSlot] = []
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            found.extend(
                QueueSlot(int(pid), None if pos is None else float(pos))
                for pid, pos in self.conn.execute(
                    f"SELECT id, queue_pos FROM papers WHERE id IN ({marks})", chunk
                )
            )
        return found

    def queue_move(self, paper_id: int, place: str, anchor: int | None = None) -> QueueSlot:
        """Move a to-read paper to the ``top`` or ``bottom`` of the queue, or ``before`` /
        ``after`` another to-read paper (``anchor``), in one transaction. Returns its place
        before the move (for undo). ``QueueError`` when a paper is not in the queue.

        Places are numbers with gaps: a move writes one row (the middle of its new
        neighbours); only when no number fits between them (after ~50 moves into the same
        gap) is the queue renumbered first, keeping its order."""
        if place not in QUEUE_PLACES:
            raise QueueError(
                f"unknown place {place!r} (expected one of: {', '.join(QUEUE_PLACES)})"
            )
        if (anchor is None) != (place in ("top", "bottom")):
            raise QueueError(f"moving {place} needs {'no' if anchor is not None else 'a'} paper")
        if anchor == paper_id:
            raise QueueError(f"#{paper_id} cannot move {place} itself")
        with self.write() as conn:
            old = self._queued_position(conn, paper_id)
            for attempt in range(2):
                target = self._queue_target(conn, paper_id, place, anchor)
                if target is not None or attempt:
                    break
                self._renumber_queue(conn)
            if target is None:  # pragma: no cover - a renumbered queue always has room
                raise QueueError("the queue could not be renumbered")
            if target != old:
                conn.execute(
                    "UPDATE papers SET queue_pos = ?, updated_at = ? WHERE id = ?",
                    (target, now_iso(), paper_id),
                )
        return QueueSlot(paper_id, old)

    def _queued_position(self, conn: sqlite3.Connection, paper_id: int) -> float:
        """The place of a paper in the queue (``QueueError`` if it is not in it)."""
        row = conn.execute(
            "SELECT status, queue_pos, deleted_at FROM papers WHERE id = ?", (paper_id,)
        ).fetchone()
        if row is None:
            raise UnknownPaperError(paper_id)
        status, pos, deleted_at = row
        if status != Status.TO_READ.value or deleted_at is not None:
            where = "in the trash" if deleted_at is not None else f"marked {status}"
            raise QueueError(f"#{paper_id} is not in the to-read queue ({where})")
        if pos is None:  # a to-read paper without a place (an old import): the bottom
            self._settle_queue(conn, [paper_id])
            pos = conn.execute("SELECT queue_pos FROM papers WHERE id = ?", (paper_id,)).fetchone()[
                0
            ]
        return float(pos)

    def _queue_target(
        self, conn: sqlite3.Connection, paper_id: int, place: str, anchor: int | None
    ) -> float | None:
        """The number that puts ``paper_id`` at ``place``; None when none fits strictly
        between its new neighbours (the queue needs renumbering)."""
        current = self._queued_position(conn, paper_id)
        others = "queue_pos IS NOT NULL AND id != ?"
        if place in ("top", "bottom"):
            edge = "min" if place == "top" else "max"
            (value,) = conn.execute(
                f"SELECT {edge}(queue_pos) FROM papers WHERE {others}", (paper_id,)
            ).fetchone()
            if value is None:
                return current  # alone in the queue
            if (place == "top" and current < value) or (place == "bottom" and current > value):
                return current  # already there
            return float(value) - 1.0 if place == "top" else float(value) + 1.0
        assert anchor is not None
        pos = self._queued_position(conn, anchor)
        # The neighbour on that side: the first row of the partial index walked away from the
        # anchor (a max()/min() with these conditions read the whole range: 5.9 ms at 100k).
        if place == "before":
            row = conn.execute(
                f"SELECT queue_pos FROM papers WHERE {others} AND queue_pos <= ? "
                "AND NOT (queue_pos = ? AND id >= ?) ORDER BY queue_pos DESC LIMIT 1",
                (paper_id, pos, pos, anchor),
            ).fetchone()
            if row is None:
                return pos - 1.0
            low, high = float(row[0]), pos
        else:
            row = conn.execute(
                f"SELECT queue_pos FROM papers WHERE {others} AND queue_pos >= ? "
                "AND NOT (queue_pos = ? AND id <= ?) ORDER BY queue_pos LIMIT 1",
                (paper_id, pos, pos, anchor),
            ).fetchone()
            if row is None:
                return pos + 1.0
            low, high = pos, float(row[0])
        if low < current < high:
            return current  # already between them
        middle = (low + high) / 2
        return middle if low < middle < high else None

    def _renumber_queue(self, conn: sqlite3.Connection) -> None:
        """Give every queued paper the place 1, 2, 3... in the queue's order (the trash's
        queued papers too): the gaps open again, the order is unchanged. Positions only:
        nothing the user sees changes, so ``updated_at`` stays."""
        conn.execute(
            "UPDATE papers SET queue_pos = ranked.n FROM ("
            "SELECT id, row_number() OVER (ORDER BY queue_pos, id) AS n FROM papers "
            "WHERE queue_pos IS NOT NULL) AS ranked WHERE papers.id = ranked.id"
        )

    def _settle_queue(self, conn: sqlite3.Connection, ids: Sequence[int]) -> None:
        """Make the queue's rule hold for these papers: a to-read paper without a place joins
        the bottom (in the order of ``ids``), a paper that is not to-read has no place."""
        waiting: set[int] = set()
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            conn.execute(
                f"UPDATE papers SET queue_pos = NULL WHERE id IN ({marks}) "
                "AND status != 'to-read' AND queue_pos IS NOT NULL",
                chunk,
            )
            waiting.update(
                int(r[0])
                for r in conn.execute(
                    f"SELECT id FROM papers WHERE id IN ({marks}) "
                    "AND status = 'to-read' AND queue_pos IS NULL",
                    chunk,
                )
            )
        if not waiting:
            return
        (bottom,) = conn.execute(
            "SELECT max(queue_pos) FROM papers WHERE queue_pos IS NOT NULL"
        ).fetchone()
        start = 0.0 if bottom is None else float(bottom)
        ordered = [i for i in dict.fromkeys(ids) if i in waiting]
        conn.executemany(
            "UPDATE papers SET queue_pos = ? WHERE id = ?",
            [(start + n, pid) for n, pid in enumerate(ordered, start=1)],
        )

    def set_queue_order(self, ids: Sequence[int]) -> list[QueueSlot]:
        """Put the queue in this order (one transaction): ``ids`` first (those in the queue,
        in the order given), then the rest of the queue as it was. Returns every queued
        paper's place before (what undo puts back in one step). Places only: ``updated_at``
        stays (rewriting it would make the search index re-read the whole queue)."""
        with self.write() as conn:
            before = self.queue_slots()
            current = [
                int(r[0])
                for r in conn.execute(
                    f"SELECT id FROM papers WHERE queue_pos IS NOT NULL "
                    f"ORDER BY {SORT_SQL[SortKey.QUEUE]}"
                )
            ]
            queued = set(current)
            first = [i for i in dict.fromkeys(ids) if i in queued]
            chosen = set(first)
            order = first + [i for i in current if i not in chosen]
            conn.executemany(
                "UPDATE papers SET queue_pos = ? WHERE id = ?",
                [(float(n), pid) for n, pid in enumerate(order, start=1)],
            )
        return before

    def restore_queue_slots(self, slots: Sequence[QueueSlot]) -> list[QueueSlot]:
        """Put papers back in saved places (undo/redo of a move or of an applied order), in
        one transaction; returns the places replaced. A paper that is no longer to-read
        keeps no place (the queue's rule wins over an old step)."""
        with self.write() as conn:
            ids = [s.id for s in slots]
            before = self.queue_slots(ids)
            stamp = now_iso()
            conn.executemany(
                "UPDATE papers SET queue_pos = ?, updated_at = ? WHERE id = ?",
                [(s.position, stamp, s.id) for s in slots],
            )
            self._settle_queue(conn, ids)
        return before

    # -------------------------------------------------------------------- views
    def views(self) -> list[SavedView]:
        """The saved views, in tab order."""
        return [
            SavedView(str(name), str(query), int(position))
            for name, query, position in self.conn.execute(
                "SELECT name, query, position FROM views ORDER BY position, id"
            )
        ]

    def view(self, name: str) -> SavedView | None:
        """The saved view called ``name`` (any case), or None."""
        row = self.conn.execute(
            "SELECT name, query, position FROM views WHERE name = ?", (name.strip(),)
        ).fetchone()
        return None if row is None else SavedView(str(row[0]), str(row[1]), int(row[2]))

    def add_view(self, name: str, query: str) -> SavedView:
        """Save a view at the end of the tabs (one transaction). ``ViewError`` for an empty,
        too long or already used name (names are compared without regard to case)."""
        from readq.textclean import clean_line

        cleaned = clean_line(name)
        if not cleaned:
            raise ViewError("a view needs a name")
        if any(c in cleaned for c in VIEW_NAME_REFUSED):
            # The name is shown in the command palette, which reads its entries as markup.
            raise ViewError(f"a view name cannot hold any of {' '.join(VIEW_NAME_REFUSED)}")
        if len(cleaned) > VIEW_NAME_MAX:
            raise ViewError(f"a view name has at most {VIEW_NAME_MAX} characters: {cleaned[:40]!r}")
        text = " ".join(query.split())
        with self.write() as conn:
            existing = self.view(cleaned)
            if existing is not None:
                raise ViewError(f"a view called {existing.name!r} already exists")
            (last,) = conn.execute("SELECT max(position) FROM views").fetchone()
            position = 1 if last is None else int(last) + 1
            conn.execute(
                "INSERT INTO views (name, query, position, created_at) VALUES (?, ?, ?, ?)",
                (cleaned, text, position, now_iso()),
            )
        return SavedView(cleaned, text, position)

    def remove_view(self, name: str) -> SavedView:
        """Forget a saved view (one transaction); ``ViewError`` when there is none so called."""
        with self.write() as conn:
            found = self.view(name)
            if found is None:
                raise ViewError(f"no saved view called {name.strip()!r}")
            conn.execute("DELETE FROM views WHERE name = ?", (found.name,))
        return found

    # -------------------------------------------------------------------- notes
    def note_revisions(self, paper_id: int) -> list[NoteRevision]:
        """Every kept revision of a paper's note, newest first."""
        rows = self.conn.execute(
            "SELECT id, paper_id, text, created_at, kind, base_revision FROM note_revisions "
            "WHERE paper_id = ? ORDER BY id DESC",
            (paper_id,),
        ).fetchall()
        return [NoteRevision(*r) for r in rows]

    def note_state(self, paper_id: int) -> tuple[str, int | None]:
        """The note's text and the id of its current revision."""
        row = self.conn.execute(
            "SELECT note, note_revision FROM papers WHERE id = ?", (paper_id,)
        ).fetchone()
        if row is None:
            raise UnknownPaperError(paper_id)
        return str(row[0]), row[1]

    def save_note(
        self,
        paper_id: int,
        text: str,
        *,
        base_revision: int | object | None = ...,
        kind: str = "save",
        coalesce_seconds: float = NOTE_COALESCE_SECONDS,
    ) -> NoteSaveResult:
        """Save a note as a new revision, in one transaction.

        ``base_revision`` is the revision the writer started from. If another writer saved
        since, their text is kept as a ``conflict`` revision and ours becomes current: neither
        text is lost. Saves of the same writer within ``coalesce_seconds`` of a ``save``
        revision it made replace that revision (autosave would otherwise keep one per pause).
        Pass nothing as ``base_revision`` to write over whatever is current.
        """
        with self.write() as conn:
            row = conn.execute(
                "SELECT note, note_revision FROM papers WHERE id = ?", (paper_id,)
            ).fetchone()
            if row is None:
                raise UnknownPaperError(paper_id)
            current_text, current_rev = str(row[0]), row[1]
            if text == current_text:
                return NoteSaveResult(current_rev, conflict=False, changed=False)
            stamp = now_iso()
            conflict = base_revision is not ... and base_revision != current_rev
            conflict_rev: int | None = None
            if conflict:
                # Their text is already a revision (current_rev); record that it conflicted by
                # copying it as a conflict revision so the history shows both sides.
                cur = conn.execute(
                    "INSERT INTO note_revisions (paper_id, text, created_at, kind, base_revision)"
                    " VALUES (?, ?, ?, 'conflict', ?)",
                    (paper_id, current_text, stamp, current_rev),
                )
                conflict_rev = cur.lastrowid
            revision_id: int | None = None
            if not conflict and kind == "save" and current_rev is not None:
                last = conn.execute(
                    "SELECT kind, created_at, base_revision FROM note_revisions WHERE id = ?",
                    (current_rev,),
                ).fetchone()
                if (
                    last is not None
                    and last[0] == "save"
                    and base_revision is not ...
                    and _seconds_between(last[1], stamp) < coalesce_seconds
                ):
                    conn.execute(
                        "UPDATE note_revisions SET text = ?, created_at = ? WHERE id = ?",
                        (text, stamp, current_rev),
                    )
                    revision_id = current_rev
            if revision_id is None:
                cur = conn.execute(
                    "INSERT INTO note_revisions (paper_id, text, created_at, kind, base_revision)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (paper_id, text, stamp, kind, current_rev),
                )
                revision_id = cur.lastrowid
            conn.execute(
                "UPDATE papers SET note = ?, note_revision = ?, updated_at = ? WHERE id = ?",
                (text, revision_id, stamp, paper_id),
            )
        return NoteSaveResult(revision_id, conflict=conflict, conflict_revision_id=conflict_rev)

    def restore_note_revision(self, revision_id: int) -> NoteSaveResult:
        """Make an old revision current again (the restore is itself a new revision)."""
        row = self.conn.execute(
            "SELECT paper_id, text FROM note_revisions WHERE id = ?", (revision_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no note revision {revision_id}")
        return self.save_note(int(row[0]), str(row[1]), kind="restore")

    # ------------------------------------------------------------------- ingest
    def ingest(self, papers: Iterable[ScrapedPaper], source: Source, fmt: str) -> IngestResult:
        """Store a listing's papers in one transaction, merging repeats.

        A repeat (found by :func:`match_rule`: arXiv id, DOI, normalised title, abstract)
        fills missing fields, upgrades partial ones (:func:`_merge_updates`), keeps the highest
        upvotes and gains the source. User state is never touched. A paper that shares a title
        with a stored one but has another arXiv id is new, and reported as a possible duplicate.

        Papers are taken in batches: the stored rows that share a key with the batch are found
        through the key indexes alone and read once each (with what a merge needs), repeats are
        found in memory exactly as the per-paper lookups of :meth:`match` would find
        them (lowest id first), and new papers are written with ``executemany`` under ids taken
        inside the write transaction.
        """
        return self.ingest_keyed(
            ((p, *dedupe_keys(p.title, p.abstract)) for p in papers), source, fmt
        )

    def ingest_keyed(
        self,
        items: Iterable[KeyedPaper],
        source: Source,
        fmt: str,
        *,
        expected: int | None = None,
    ) -> IngestResult:
        """:meth:`ingest` of papers whose dedupe keys are already computed: each item is
        ``(paper, *dedupe_keys(paper.title, paper.abstract))``.

        ``expected`` (a rough count of the papers to come) lets a big listing skip the
        per-batch key lookups: when the library holds no more than twice that many papers,
        the hashes of its stored keys are read once, and only keys whose hash is known are
        looked up (an empty library needs no lookups at all)."""
        rows = (scraped_values(paper, tkey, akey) for paper, tkey, akey in items)
        return self.ingest_rows(rows, source, fmt, expected=expected)

    def ingest_rows(
        self,
        rows: Iterable[ScrapedRow],
        source: Source,
        fmt: str,
        *,
        expected: int | None = None,
    ) -> IngestResult:
        """:meth:`ingest_keyed` of papers given as their ``scraped_values`` rows (the values
        of ``SCRAPED_COLUMNS``, dedupe keys included). The parser process of a big listing
        builds these rows, so that this process, which writes, only looks up and inserts."""
        cache_kib = int(min(INGEST_CACHE_KIB_MAX, (expected or 0) * INGEST_CACHE_KIB_PER_PAPER))
        if cache_kib <= CACHE_KIB:
            return self._ingest_rows(rows, source, fmt, expected=expected)
        self.conn.execute(f"PRAGMA cache_size = -{cache_kib}")
        try:
            return self._ingest_rows(rows, source, fmt, expected=expected)
        finally:
            self.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # gives the memory back

    def _ingest_rows(
        self,
        rows: Iterable[ScrapedRow],
        source: Source,
        fmt: str,
        *,
        expected: int | None,
    ) -> IngestResult:
        # Containers that grow with the listing hold only ints, in shapes the cyclic garbage
        # collector does not track (an int array, dicts of ints): a set or list of a million
        # ints is walked by every full collection, ~56 ms each at 1M papers (see IdSet).
        new_ids: array[int] = array("q")
        merged_ids: IdSet = {}
        updated_ids: IdSet = {}
        duplicates: list[tuple[int, int]] = []
        total = 0
        stamp = now_iso()
        with self.write() as conn:
            batch = _IngestBatch(conn, stamp, source, expected=expected)
            seen = SeenInFile()
            chunk: list[ScrapedRow] = []
            size = INGEST_BATCH
            for row in rows:
                chunk.append(row)
                if len(chunk) >= size:
                    total += batch.run(chunk, seen, new_ids, merged_ids, updated_ids, duplicates)
                    chunk = []
            if chunk:
                total += batch.run(chunk, seen, new_ids, merged_ids, updated_ids, duplicates)
            batch.settle(updated_ids)
            conn.execute(
                "INSERT INTO ingests (name, path, format, at, papers, new, merged) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (source.name, source.path, fmt, stamp, total, len(new_ids), len(merged_ids)),
            )
        return IngestResult(
            papers=total,
            new=len(new_ids),
            merged=len(merged_ids),
            updated=len(updated_ids),
            new_ids=tuple(new_ids),
            possible_duplicates=tuple(duplicates),
            in_trash=len(self.trashed_ids(merged_ids)) if merged_ids else 0,
        )

    # ------------------------------------------------------- rows, for importers
    # Public verbs for writers that bring their own user state (an import restores status,
    # stars, notes and their history): each is one statement on this store's connection, to
    # be called inside :meth:`write` so that the whole import is one transaction.
    def _in_write(self) -> sqlite3.Connection:
        if self._atomic_depth == 0:
            raise StoreError("this change needs a transaction: call it inside Store.write()")
        return self.conn

    def is_empty(self) -> bool:
        """Whether the library holds no paper at all (the trash included)."""
        return self.conn.execute("SELECT 1 FROM papers LIMIT 1").fetchone() is None

    def insert_paper(
        self,
        paper: ScrapedPaper,
        keys: tuple[str, str],
        state: ImportedState,
        *,
        paper_id: int | None = None,
    ) -> int:
        """Store a new paper: its scraped columns and dedupe ``keys`` (title, abstract) as
        ingest stores them, with the user ``state`` given (an import's); ``paper_id`` keeps
        that id (a restore into an empty library). Returns the paper's id."""
        conn = self._in_write()
        cur = conn.execute(
            f"INSERT INTO papers (id, {SCRAPED_COLUMNS_SQL}, status, starred, note, "
            "note_revision, added_at, updated_at, deleted_at, read_at, queue_pos) "
            f"VALUES (?, {SCRAPED_MARKS}, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                paper_id,
                *scraped_values(paper, *keys),
                state.status.value,
                int(state.starred),
                state.note,
                state.note_revision,
                state.added_at,
                state.updated_at,
                state.deleted_at,
                state.read_at,
                state.queue_pos if state.status is Status.TO_READ else None,
            ),
        )
        return int(cur.lastrowid or 0) if paper_id is None else paper_id

    def import_tags(
        self,
        paper_id: int,
        names: Sequence[str],
        removed: Sequence[str],
        *,
        respect: bool = False,
    ) -> None:
        """An import's tags and hand removals (tag keys) on paper ``paper_id``, inside a
        write; ``respect``: leave out tags the user removed from it here (a merge: the
        user's decisions in this library win)."""
        conn = self._in_write()
        excluded: set[str] = set()
        if respect:
            excluded = {
                str(r[0])
                for r in conn.execute(
                    "SELECT tag_key FROM rule_exclusions WHERE paper_id = ?", (paper_id,)
                )
            }
        for name in names:
            if tags.tag_key(name) not in excluded:
                conn.execute(
                    "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)",
                    (paper_id, tags.tag_id(conn, name)),
                )
        carried = {tags.tag_key(n) for n in tags.tags_for(conn, [paper_id]).get(paper_id, [])}
        conn.executemany(
            "INSERT OR IGNORE INTO rule_exclusions (tag_key, paper_id) VALUES (?, ?)",
            [(key, paper_id) for key in removed if key not in carried],
        )

    def import_dismissed(self, paper_id: int, at: str | None) -> bool:
        """Keep an import's "not interested" label (given ``at``) on paper ``paper_id``: a
        label is only ever added, as a star is, never taken back by an import. True if it
        was new (inside a write)."""
        if at is None:
            return False
        cur = self._in_write().execute(
            "INSERT OR IGNORE INTO dismissed (paper_id, dismissed_at) VALUES (?, ?)",
            (paper_id, at),
        )
        return cur.rowcount > 0

    def tags_touched(self) -> None:
        """Tell running indexes that tags may have changed (inside a write)."""
        tags.touch(self._in_write())

    def queue_at_bottom(self, ids: Sequence[int]) -> None:
        """The to-read papers of ``ids`` without a queue place join the bottom, in this
        order (inside a write)."""
        conn = self._in_write()
        waiting = {
            int(r[0])
            for r in conn.execute(
                "SELECT id FROM papers WHERE status = 'to-read' AND queue_pos IS NULL"
            )
        }
        ordered = [i for i in dict.fromkeys(ids) if i in waiting]
        if not ordered:
            return
        (bottom,) = conn.execute(
            "SELECT max(queue_pos) FROM papers WHERE queue_pos IS NOT NULL"
        ).fetchone()
        start = 0.0 if bottom is None else float(bottom)
        conn.executemany(
            "UPDATE papers SET queue_pos = ? WHERE id = ?",
            [(start + n, pid) for n, pid in enumerate(ordered, start=1)],
        )

    def import_views(self, views: Sequence[tuple[str, str]]) -> None:
        """Saved views (name, query) from an import, after the library's own; a name already
        used here, in any case, keeps this library's query (inside a write)."""
        if not views:
            return
        conn = self._in_write()
        (last,) = conn.execute("SELECT max(position) FROM views").fetchone()
        position = 0 if last is None else int(last)
        stamp = now_iso()
        for name, query in views:
            taken = conn.execute("SELECT 1 FROM views WHERE name = ?", (name,)).fetchone()
            if taken is None:
                position += 1
                conn.execute(
                    "INSERT INTO views (name, query, position, created_at) VALUES (?, ?, ?, ?)",
                    (name, query, position, stamp),
                )

    def add_note_revision(
        self,
        paper_id: int,
        text: str,
        created_at: str,
        kind: str,
        base_revision: int | None,
        *,
        revision_id: int | None = None,
    ) -> int:
        """Keep ``text`` in a paper's note history (the current note is not changed: see
        :meth:`set_current_note`); ``revision_id`` keeps that id. Returns the revision id."""
        cur = self._in_write().execute(
            "INSERT INTO note_revisions (id, paper_id, text, created_at, kind, base_revision) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (revision_id, paper_id, text, created_at, kind, base_revision),
        )
        return int(cur.lastrowid or 0) if revision_id is None else revision_id

    def set_current_note(self, paper_id: int, text: str, revision_id: int) -> None:
        """Make ``text`` (kept as revision ``revision_id``) the paper's note."""
        self._in_write().execute(
            "UPDATE papers SET note = ?, note_revision = ? WHERE id = ?",
            (text, revision_id, paper_id),
        )

    def stored_state(self, paper_id: int) -> StoredState:
        """A paper's user state as stored: status, star, note and its revision."""
        row = self.conn.execute(
            "SELECT status, starred, note, note_revision FROM papers WHERE id = ?", (paper_id,)
        ).fetchone()
        if row is None:
            raise UnknownPaperError(paper_id)
        status, starred, note, revision = row
        return StoredState(Status(status), bool(starred), str(note), revision)

    def has_note_revision(self, paper_id: int, text: str) -> bool:
        """Whether ``text`` is already in the paper's note history."""
        found = self.conn.execute(
            "SELECT 1 FROM note_revisions WHERE paper_id = ? AND text = ? LIMIT 1",
            (paper_id, text),
        ).fetchone()
        return found is not None

    def update_state(self, paper_id: int, changes: dict[str, object]) -> None:
        """Set some of a paper's user-state columns (``USER_STATE_COLUMNS``) at once."""
        unknown = set(changes) - USER_STATE_COLUMNS
        if unknown:
            raise ValueError(f"not a user-state column: {', '.join(sorted(unknown))}")
        if not changes:
            return
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self._in_write().execute(
            f"UPDATE papers SET {assignments} WHERE id = ?", (*changes.values(), paper_id)
        )

    def add_sources(self, paper_id: int, sources: Iterable[Source], seen_at: str) -> None:
        """Record where a paper was seen (a source already recorded is kept as it is);
        ``seen_at`` dates the sources that carry no date."""
        self._in_write().executemany(
            "INSERT INTO paper_sources (paper_id, name, path, seen_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (paper_id, path) DO NOTHING",
            [(paper_id, s.name, s.path or s.name, s.seen_at or seen_at) for s in sources],
        )

    def log_ingest(
        self,
        *,
        name: str,
        path: str,
        fmt: str,
        at: str,
        papers: int,
        new: int,
        merged: int,
        ingest_id: int | None = None,
    ) -> None:
        """Add a line to the ingest log (``ingest_id`` kept when given: a restore)."""
        self._in_write().execute(
            "INSERT INTO ingests (id, name, path, format, at, papers, new, merged) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (ingest_id, name, path, fmt, at, papers, new, merged),
        )

    # ------------------------------------------------------------------ matching
    def papers_by_arxiv_id(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        """The stored papers that have these (version-less) arXiv ids: id -> paper id."""
        found: dict[str, int] = {}
        unique = list(dict.fromkeys(arxiv_ids))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            marks = ",".join("?" * len(part))
            for arxiv_id, pid in self.conn.execute(
                f"SELECT arxiv_id, min(id) FROM papers WHERE arxiv_id IN ({marks}) "
                "GROUP BY arxiv_id",
                part,
            ):
                found[str(arxiv_id)] = int(pid)
        return found

    def match(
        self, paper: ScrapedPaper, tkey: str, akey: str, seen: SeenInFile | None = None
    ) -> Match:
        """The stored paper that ``paper`` is, by the one matching rule (:func:`match_rule`),
        looked up with one query per step; call it inside :meth:`write`.

        ``seen`` holds what the current file gave so far: a repeat within a file is the
        paper its first copy became (unless the two carry different arXiv ids).
        ``tkey``/``akey`` are :func:`readq.textclean.dedupe_keys` of the paper.
        """
        paper = identified(paper)
        conn = self.conn
        if seen is not None:
            found = seen.find(paper.arxiv_id, paper.doi, SeenInFile.key(paper, tkey, akey))
            if found is not None:
                return found
        rows: dict[int, _KeyRow] = {}

        def ids_by(column: str, key: str) -> list[int]:
            return [r[0] for r in conn.execute(f"SELECT id FROM papers WHERE {column} = ?", (key,))]

        def row_of(pid: int) -> _KeyRow:
            row = rows.get(pid)
            if row is None:
                row = rows[pid] = _KeyRow(
                    *conn.execute(
                        f"SELECT {_KEY_COLUMNS} FROM papers WHERE id = ?", (pid,)
                    ).fetchone()
                )
            return row

        return match_rule(
            paper.arxiv_id, paper.doi, paper.title_derived, tkey, akey, ids_by, row_of
        )

    def merge_scraped(
        self,
        paper_id: int,
        paper: ScrapedPaper,
        tkey: str,
        akey: str,
        stamp: str,
        *,
        from_listing: bool = False,
    ) -> bool:
        """Merge ``paper`` into stored paper ``paper_id`` by the upgrade rules of
        :func:`_merge_updates` (fill what is missing, upgrade what is better, never touch
        user state); True if anything changed. Call it inside :meth:`write`.
        ``from_listing``: ``paper`` was read from a listing (its inferred date may replace
        a stored inferred one), not imported."""
        return Store._merge(
            self.conn, paper_id, identified(paper), tkey, akey, stamp, from_listing=from_listing
        )

    @staticmethod
    def _merge(
        conn: sqlite3.Connection,
        pid: int,
        paper: ScrapedPaper,
        tkey: str,
        akey: str,
        stamp: str,
        *,
        from_listing: bool = False,
    ) -> bool:
        """Fill what the stored paper lacks from ``paper``; True if anything changed.
        ``from_listing``: ``paper`` was read from a listing (see :func:`_merge_updates`)."""
        row = conn.execute(f"SELECT {_MERGE_COLUMNS} FROM papers WHERE id = ?", (pid,)).fetchone()
        updates = _merge_updates(row, paper, tkey, akey, from_listing=from_listing)
        if updates:
            _write_merge(conn, pid, updates, stamp)
            return True
        return False


IdSet = dict[int, None]
"""A set of ints kept as a dict's keys: a dict holding only ints is not tracked by the cyclic
garbage collector (a set always is, and every full collection visits each of its members; with a
million papers' key hashes in sets, collections took 2.9-3.1 of the 34.6-37.4 CPU-s that a 1M
ingest's write loop took)."""

KeyedPaper = tuple[ScrapedPaper, str, str]
"""A paper with its title key and abstract key (see :meth:`Store.ingest_keyed`)."""

ScrapedRow = tuple[object, ...]
"""A paper as the values of ``SCRAPED_COLUMNS`` (see :func:`scraped_values`)."""
_TITLE, _TITLE_KEY, _DERIVED, _ABSTRACT, _ABSTRACT_KEY = range(5)
_ARXIV_ID = SCRAPED_COLUMNS.index("arxiv_id")
_DOI = SCRAPED_COLUMNS.index("doi")


def paper_of_row(row: ScrapedRow) -> ScrapedPaper:
    """The paper a ``scraped_values`` row was made of (its inverse, keys aside, for a paper
    whose identity is already as :func:`identified` gives it).

    A re-ingest merges every paper, so this runs once per paper: the row is unpacked by
    position (in ``SCRAPED_COLUMNS`` order; a test checks the inverse) rather than by name."""
    (
        title,
        _title_key,
        derived,
        abstract,
        _abstract_key,
        published,
        published_text,
        upvotes,
        authors,
        org,
        urls,
        arxiv_id,
        arxiv_version,
        author_names,
        categories,
        comments,
        journal_ref,
        doi,
        partial,
        summary,
    ) = row
    return ScrapedPaper(
        title=str(title),
        abstract=str(abstract),
        title_derived=bool(derived),
        published=published,  # type: ignore[arg-type]
        published_text=published_text,  # type: ignore[arg-type]
        upvotes=upvotes,  # type: ignore[arg-type]
        authors=authors,  # type: ignore[arg-type]
        org=org,  # type: ignore[arg-type]
        urls=_json_tuple(urls),
        arxiv_id=arxiv_id,  # type: ignore[arg-type]
        arxiv_version=arxiv_version,  # type: ignore[arg-type]
        author_names=_json_tuple(author_names),
        categories=_json_tuple(categories),
        comments=comments,  # type: ignore[arg-type]
        journal_ref=journal_ref,  # type: ignore[arg-type]
        doi=doi,  # type: ignore[arg-type]
        abstract_partial=bool(partial),
        summary=summary,  # type: ignore[arg-type]
    )


def _json_tuple(text: object) -> tuple[str, ...]:
    """A JSON list column as a tuple (most are empty: a re-ingest merges every paper, and
    decoding three "[]" per paper cost ~1 CPU-s at 100k)."""
    return () if text == "[]" else tuple(json.loads(str(text)))


_FOUR_DIGITS = re.compile(r"\d{4}")
INGEST_BATCH = 1000
"""Papers looked up and written together by :meth:`Store.ingest`."""


# ------------------------------------------------------------------ the matching rule
class _KeyRow:
    """What the matching rule needs to know of one stored paper (``_KEY_COLUMNS``)."""

    __slots__ = ("abstract_empty", "akey", "arxiv", "derived", "doi", "tkey")

    def __init__(
        self,
        tkey: str,
        derived: bool,
        akey: str,
        abstract_empty: bool,
        arxiv: str | None = None,
        doi: str | None = None,
    ) -> None:
        self.tkey = tkey
        self.derived = bool(derived)
        self.akey = akey
        self.abstract_empty = bool(abstract_empty)
        self.arxiv = arxiv
        self.doi = doi

    def key(self, column: str) -> str | None:
        """This paper's value of a lookup column (``title_key``, ``arxiv_id``...)."""
        if column == "title_key":
            return self.tkey
        if column == "abstract_key":
            return self.akey
        if column == "arxiv_id":
            return self.arxiv
        return self.doi


_KEY_COLUMNS = "title_key, title_derived, abstract_key, abstract = '', arxiv_id, doi"
"""The columns of a stored paper that make its ``_KeyRow``."""


@dataclass(frozen=True, slots=True)
class Match:
    """The answer of the matching rule for one incoming paper.

    ``paper_id``: the stored paper it is (None: it is a new paper); ``arxiv_id``: that stored
    paper's arXiv id (before the merge); ``possible_duplicates``: stored papers that share its
    title or abstract but carry a different arXiv id, so were not merged."""

    paper_id: int | None
    arxiv_id: str | None = None
    possible_duplicates: tuple[int, ...] = ()


NO_MATCH = Match(None)


def match_rule(
    arxiv_id: str | None,
    doi: str | None,
    derived: bool,
    tkey: str,
    akey: str,
    ids_by: Callable[[str, str], Iterable[int]],
    row_of: Callable[[int], _KeyRow],
) -> Match:
    """readq's one rule for "is this paper already stored?", shared by ingest, import and add.

    In order, the first step that finds a paper decides (the lowest id when several do):
    the arXiv id (version-less, as :func:`identified` gives it), the DOI, the normalised
    title (a stored title derived from its abstract does not count, unless the incoming
    title is derived too and the stored paper has no abstract), the abstract key. From the
    DOI step on, a stored paper with a *different* arXiv id is never taken: two ids are two
    papers. Such a paper is returned as a possible duplicate when nothing else matched.

    ``ids_by(column, key)`` lists stored papers whose ``column`` may equal ``key`` (extra
    ids are allowed: each is checked against ``row_of(id)``); the SQL path asks the indexes,
    the batched ingest its in-memory maps.
    """
    if arxiv_id:
        found = [i for i in ids_by("arxiv_id", arxiv_id) if row_of(i).arxiv == arxiv_id]
        if found:
            return Match(min(found), arxiv_id)
    clashes: list[int] = []
    for column, key, accept in (
        ("doi", doi, _any_row),
        ("title_key", tkey if not derived else None, _not_derived),
        ("abstract_key", akey, _any_row),
        ("title_key", tkey if derived else None, _without_abstract),
    ):
        if not key:
            continue
        best: int | None = None
        for pid in ids_by(column, key):
            row = row_of(pid)
            if row.key(column) != key or not accept(row):
                continue
            if arxiv_id and row.arxiv and row.arxiv != arxiv_id:
                clashes.append(pid)
            elif best is None or pid < best:
                best = pid
        if best is not None:
            return Match(best, row_of(best).arxiv)
    return Match(None, None, tuple(sorted(set(clashes)))) if clashes else NO_MATCH


def _any_row(row: _KeyRow) -> bool:
    return True


def _not_derived(row: _KeyRow) -> bool:
    return not row.derived


def _without_abstract(row: _KeyRow) -> bool:
    return row.abstract_empty


class SeenInFile:
    """The papers one file (one transaction) has given so far, by the keys that repeat.

    A repeat within a file is the paper its first copy became: found by arXiv id, DOI, or
    the file's dedupe key (the normalised title; the abstract key for a title derived from
    its abstract), unless the two carry different arXiv ids.
    """

    __slots__ = ("_arxiv", "_by_key")

    def __init__(self) -> None:
        self._by_key: dict[str, int] = {}
        self._arxiv: dict[int, str] = {}

    @staticmethod
    def key(paper: ScrapedPaper, tkey: str, akey: str) -> str | None:
        """The dedupe key of a paper within one file (None: nothing identifies it)."""
        return identity_key(tkey, akey, title_derived=paper.title_derived)

    def find(self, arxiv_id: str | None, doi: str | None, dedupe_key: str | None) -> Match | None:
        """The paper of this file that an incoming paper repeats, if any."""
        by_key = self._by_key
        for key in (
            "x:" + arxiv_id if arxiv_id else None,
            "d:" + doi if doi else None,
            dedupe_key,
        ):
            if key is None:
                continue
            pid = by_key.get(key)
            if pid is None:
                continue
            known = self._arxiv.get(pid)
            if arxiv_id is None or known is None or known == arxiv_id:
                return Match(pid, known)
        return None

    def record(self, pid: int, match: Match, paper: ScrapedPaper, tkey: str, akey: str) -> None:
        """Record that ``paper`` (matched as ``match``) is now stored as paper ``pid``."""
        paper = identified(paper)
        self.add(pid, match.arxiv_id or paper.arxiv_id, paper.doi, self.key(paper, tkey, akey))

    def add(self, pid: int, arxiv_id: str | None, doi: str | None, dedupe_key: str | None) -> None:
        """Record that paper ``pid`` (whose arXiv id is now ``arxiv_id``) came from this file."""
        by_key = self._by_key
        if dedupe_key is not None:
            by_key[dedupe_key] = pid
        if arxiv_id:
            self._arxiv[pid] = arxiv_id
            by_key["x:" + arxiv_id] = pid
        if doi:
            by_key["d:" + doi] = pid


# --------------------------------------------------------------------- merging
_MERGE_COLUMN_NAMES = (
    "title_derived",
    "length(abstract)",
    "published",
    "published_text",
    "upvotes",
    "authors",
    "org",
    "urls",
    "arxiv_id",
    "title",
    "abstract_partial",
    "arxiv_version",
    "author_names",
    "categories",
    "comments",
    "journal_ref",
    "doi",
    "summary",
)
_MERGE_COLUMNS = ", ".join(_MERGE_COLUMN_NAMES)
"""What :func:`_merge_updates` needs of a stored paper (only the length of its abstract)."""
_MERGE_INDEX = {name: index for index, name in enumerate(_MERGE_COLUMN_NAMES) if "(" not in name}
_ABSTRACT_LENGTH = 1


def year_less(published_text: object) -> bool:
    """Whether a stored date was inferred: its text, as the listing gave it, has no year
    ("Oct 16" on a Hugging Face page, resolved with ``--year`` or the listing's guessed year),
    unlike "Sep 20, 2024", "Mar 2024" (BibTeX) or an ISO date (Atom, JSON)."""
    return isinstance(published_text, str) and _FOUR_DIGITS.search(published_text) is None


def _merge_updates(
    row: Sequence[object],
    paper: ScrapedPaper,
    tkey: str,
    akey: str,
    *,
    from_listing: bool = False,
) -> dict[str, object]:
    """The scraped columns a merge of ``paper`` changes in a stored row of ``_MERGE_COLUMNS``.

    A merge fills what is missing and upgrades what is better, and nothing else:
    a real title replaces one derived from the abstract, and a properly cased one an
    all-lower-case one (Scholar) with the same key, never the other way; a full abstract
    replaces a partial (truncated preview) or empty one, a partial one only an empty or a
    shorter partial one; author names replace a bare count, and fuller names replace
    abbreviated ones of the same authors ("Ada Quill" for "A Quill"), never the reverse;
    the arXiv version only rises (a newer version's comments and journal reference win);
    categories, DOI, summary and links are added. Dates are filled when missing, with one
    exception: a date inferred from year-less text is scraped data, and the latest listing
    that gives the paper a different date replaces it (``from_listing``): a re-ingest with the
    right ``--year`` fixes a date stored with a wrong one, and a date with an explicit year
    replaces a guess. A date with an explicit year is never replaced, and imports fill dates
    only. Status, star, note and tags are not scraped columns: no merge reaches them.
    """
    (
        derived,
        abstract_length,
        published,
        published_text,
        upvotes,
        authors,
        org,
        urls,
        arxiv,
        title,
        partial,
        version,
        names_json,
        categories_json,
        comments,
        journal_ref,
        doi,
        summary,
    ) = row
    updates: dict[str, object] = {}
    if derived and not paper.title_derived:
        updates.update(title=paper.title, title_key=tkey, title_derived=0)
    elif not paper.title_derived and _better_cased(str(title), paper.title, tkey):
        updates["title"] = paper.title
    if paper.abstract and (
        not abstract_length
        or (
            partial and (not paper.abstract_partial or len(paper.abstract) > abstract_length)  # type: ignore[operator]
        )
    ):
        updates.update(abstract=paper.abstract, abstract_key=akey)
        if bool(partial) != paper.abstract_partial:
            updates["abstract_partial"] = int(paper.abstract_partial)
    # Filled when missing; an inferred date also replaced by a listing's different one.
    if paper.published is not None and (
        published is None
        or (from_listing and paper.published != published and year_less(published_text))
    ):
        updates.update(published=paper.published, published_text=paper.published_text)
    elif (
        published_text is None
        and paper.published_text is not None
        and paper.published in (None, published)
    ):
        # The text only with its own date: "Sep 20" beside another page's 2026-12-02 was false.
        updates["published_text"] = paper.published_text
    if paper.upvotes is not None and (upvotes is None or paper.upvotes > upvotes):  # type: ignore[operator]
        updates["upvotes"] = paper.upvotes
    if paper.author_names:
        old_names: list[str] = json.loads(str(names_json))
        if _names_upgrade(old_names, paper.author_names):
            updates["author_names"] = json.dumps(list(paper.author_names), ensure_ascii=False)
            # A count never drops: a truncated list ("A Quill, B Osei…") names fewer.
            count = max(len(paper.author_names), paper.authors or 0, authors or 0)  # type: ignore[call-overload]
            if count != authors:
                updates["authors"] = count
    if "authors" not in updates and authors is None and paper.authors is not None:
        updates["authors"] = paper.authors
    if org is None and paper.org is not None:
        updates["org"] = paper.org
    if arxiv is None and paper.arxiv_id is not None:
        updates["arxiv_id"] = paper.arxiv_id
    newer = paper.arxiv_version is not None and (
        version is None or paper.arxiv_version > version  # type: ignore[operator]
    )
    if newer:
        updates["arxiv_version"] = paper.arxiv_version
    if paper.categories:
        old_categories: list[str] = json.loads(str(categories_json))
        extra = [c for c in paper.categories if c not in old_categories]
        if extra:
            updates["categories"] = json.dumps(old_categories + extra)
    if paper.comments and (comments is None or (newer and paper.comments != comments)):
        updates["comments"] = paper.comments
    if paper.journal_ref and (journal_ref is None or (newer and paper.journal_ref != journal_ref)):
        updates["journal_ref"] = paper.journal_ref
    if doi is None and paper.doi:
        updates["doi"] = paper.doi
    if summary is None and paper.summary:
        updates["summary"] = paper.summary
    if paper.urls:
        old_urls = json.loads(str(urls))
        extra = [u for u in paper.urls if u not in old_urls]
        if extra:
            updates["urls"] = json.dumps(old_urls + extra)
    return updates


def _better_cased(stored: str, incoming: str, tkey: str) -> bool:
    """Whether ``incoming`` is the properly cased spelling of a ``stored`` title that is all
    lower case but perhaps its first letter (Google Scholar prints "Gradient lanterns: ...";
    the same key says it is the same title). A title with capitals inside is never replaced."""
    if stored == incoming or _capitals(stored[1:]) or _capitals(incoming) <= _capitals(stored):
        return False
    return normalise_key(stored) == tkey


def _capitals(text: str) -> int:
    return sum(1 for char in text if char.isupper())


def _names_upgrade(old: Sequence[str], new: Sequence[str]) -> bool:
    """Whether the names ``new`` should replace the stored ``old``: there are none yet, or
    ``new`` lists the same authors (position by position, initials matching full names) and
    more of them or more fully spelled. Abbreviated names never replace full ones."""
    if not old:
        return True
    if len(new) < len(old) or list(new) == list(old):
        return False
    if not all(names_match(a, b) for a, b in zip(old, new, strict=False)):
        return False
    if len(new) > len(old):
        return all(_fullness(b) >= _fullness(a) for a, b in zip(old, new, strict=False))
    pairs = list(zip(old, new, strict=True))
    return all(_fullness(b) >= _fullness(a) for a, b in pairs) and any(
        _fullness(b) > _fullness(a) for a, b in pairs
    )


def _fullness(name: str) -> int:
    """How fully a name is spelled (letters, so "Ada Quill" > "A. Quill" > "A Quill" is
    not needed: "A Quill" and "A. Quill" are equally abbreviated)."""
    return sum(1 for c in name if c.isalpha())


def _write_merge(
    conn: sqlite3.Connection, pid: int, updates: dict[str, object], stamp: str
) -> None:
    updates["updated_at"] = stamp
    assignments = ", ".join(f"{k} = ?" for k in updates)
    conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?", (*updates.values(), pid))


class _IngestBatch:
    """The batched write path of :meth:`Store.ingest` (one instance per transaction).

    For each batch it finds, through the key indexes alone, the stored papers whose title key,
    abstract key, arXiv id or DOI occurs in the batch, and reads each of them once with the
    columns a merge needs. Then it walks the batch in order: each paper is matched by
    :func:`match_rule` over those rows and the papers this batch has already added or
    changed (kept in maps by each key), exactly as :meth:`Store.match` would answer from
    SQLite. A merge into a row read for this batch works on that copy (kept up to date); a
    merge into a paper added by this ingest flushes the buffer and reads the stored row
    (:meth:`Store._merge`). New papers and sources are buffered and written with
    ``executemany``.
    """

    def __init__(
        self, conn: sqlite3.Connection, stamp: str, source: Source, *, expected: int | None
    ) -> None:
        self.conn = conn
        self.stamp = stamp
        self.source = source
        row = conn.execute("SELECT max(id) FROM papers").fetchone()
        self.next_id = int(row[0] or 0) + 1
        self.first_new_id = self.next_id
        # The hash of every key stored (or about to be) in the library, per lookup column,
        # with the paper that has it (see KeyIds), or None when reading them would cost more
        # than the lookups they spare. A key whose hash is not here is in no stored row, so
        # it needs no lookup; one whose hash only one paper has needs no index lookup either.
        self.known: dict[str, KeyIds] | None = None
        existing = self.next_id - 1  # at least the number of papers
        if existing == 0 or (expected is not None and existing <= 2 * expected):
            # Each scan reads one key index only (covering), never the table; the id and
            # DOI indexes are partial (rows that have one).
            self.known = {
                column: _key_ids(
                    conn.execute(f"SELECT {column}, id FROM papers WHERE {column} IS NOT NULL")
                )
                for column in _LOOKUP_COLUMNS
            }
        self.rows: dict[int, _KeyRow] = {}
        self.stored: dict[int, list[object]] = {}
        self.maps: dict[str, dict[str, list[int]]] = {c: {} for c in _LOOKUP_COLUMNS}
        self.pending_papers: list[tuple[object, ...]] = []
        self.pending_plain: list[tuple[object, ...]] = []
        self.pending_ids: set[int] = set()
        self.pending_sources: list[tuple[object, ...]] = []
        self.before: dict[int, tuple[int, object]] = {}
        """Stored papers this ingest changed: each one's row before the first change, as the
        hash of every column but ``updated_at``, and ``updated_at`` (see :meth:`settle`). A
        hash, not the row: a re-ingest may change every paper of a big library."""

    def _load(self, keys: dict[str, set[str]]) -> None:
        self.rows = {}
        self.stored = {}
        conn = self.conn
        ids: set[int] = set()
        for wanted in keys.values():
            wanted.discard("")  # an empty key identifies nothing (match_rule skips it)
        if self.known is not None:
            # Only keys whose hash several papers have are looked up in the key indexes.
            known = self.known
            for column, wanted in keys.items():
                key_ids = known[column]
                several: set[str] = set()
                for key in wanted:
                    pid = key_ids.get(hash(key))
                    if pid == _SEVERAL:
                        several.add(key)
                    elif pid is not None:
                        ids.add(pid)
                keys[column] = several
        for column, wanted in keys.items():
            for part in _chunks(list(wanted), 500):  # type: ignore[arg-type]
                marks = ",".join("?" * len(part))
                # Answered from the index alone (it holds the rowid): no table reads.
                ids.update(
                    r[0]
                    for r in conn.execute(
                        f"SELECT id FROM papers WHERE {column} IN ({marks})", part
                    )
                )
        for part in _chunks(sorted(ids), 500):
            marks = ",".join("?" * len(part))
            for pid, tkey, akey, *merge in conn.execute(
                f"SELECT id, title_key, abstract_key, {_MERGE_COLUMNS} "
                f"FROM papers WHERE id IN ({marks})",
                part,
            ):
                self.rows[pid] = _key_row(tkey, akey, merge)
                self.stored[pid] = merge

    def run(
        self,
        items: list[ScrapedRow],
        seen: SeenInFile,
        new_ids: array[int],
        merged_ids: IdSet,
        updated_ids: IdSet,
        duplicates: list[tuple[int, int]],
    ) -> int:
        """Store one batch of ``scraped_values`` rows; returns how many papers it held."""
        self._load(
            {
                "title_key": {str(i[_TITLE_KEY]) for i in items},
                "abstract_key": {str(i[_ABSTRACT_KEY]) for i in items},
                "arxiv_id": {str(i[_ARXIV_ID]) for i in items if i[_ARXIV_ID] is not None},
                "doi": {str(i[_DOI]) for i in items if i[_DOI] is not None},
            }
        )
        maps = self.maps = {c: {} for c in _LOOKUP_COLUMNS}
        by_tkey, by_akey = maps["title_key"], maps["abstract_key"]
        by_arxiv, by_doi = maps["arxiv_id"], maps["doi"]
        for pid, key_row in self.rows.items():
            self._index(pid, key_row)
        stamp = self.stamp
        source_row = (self.source.name, self.source.path, self.source.seen_at)
        # SeenInFile.find/add inlined for papers without an id or DOI (a Hugging Face
        # listing's every paper): the same answers, without two calls per paper.
        seen_by_key, seen_arxiv = seen._by_key, seen._arxiv
        for values in items:
            tkey = str(values[_TITLE_KEY])
            akey = str(values[_ABSTRACT_KEY])
            derived = bool(values[_DERIVED])
            arxiv: str | None = values[_ARXIV_ID]  # type: ignore[assignment]
            doi: str | None = values[_DOI]  # type: ignore[assignment]
            dedupe_key = identity_key(tkey, akey, title_derived=derived)
            if arxiv is None and doi is None:
                seen_pid = seen_by_key.get(dedupe_key) if dedupe_key is not None else None
                found = None if seen_pid is None else Match(seen_pid, seen_arxiv.get(seen_pid))
            else:
                found = seen.find(arxiv, doi, dedupe_key)
            if found is None:
                if (
                    tkey not in by_tkey
                    and akey not in by_akey
                    and (arxiv is None or arxiv not in by_arxiv)
                    and (doi is None or doi not in by_doi)
                ):
                    found = NO_MATCH  # most papers: every step looks up one of these maps
                else:
                    found = match_rule(
                        arxiv, doi, derived, tkey, akey, self._ids_by, self.rows.__getitem__
                    )
            existing_id = found.paper_id
            if existing_id is None:
                pid = self.next_id
                self.next_id += 1
                if values[_IDENTITY_START:] == _NO_IDENTITY:
                    # The columns' defaults are these values: binding them costs ~2 us a row.
                    self.pending_plain.append((pid, *values[:_IDENTITY_START], stamp, stamp))
                else:
                    self.pending_papers.append((pid, *values, stamp, stamp))
                self.pending_ids.add(pid)
                new_ids.append(pid)
                if found.possible_duplicates:
                    duplicates.extend((pid, other) for other in found.possible_duplicates)
                self._track(
                    pid,
                    _KeyRow(tkey, derived, akey, not values[_ABSTRACT], arxiv, doi),
                )
            else:
                pid = existing_id
                changed = self._merge(pid, paper_of_row(values), tkey, akey)
                if pid < self.first_new_id:
                    merged_ids[pid] = None
                    if changed:
                        updated_ids[pid] = None
            if found.arxiv_id is None and arxiv is None and doi is None:
                if dedupe_key is not None:
                    seen_by_key[dedupe_key] = pid
            else:
                seen.add(pid, found.arxiv_id or arxiv, doi, dedupe_key)
            self.pending_sources.append((pid, *source_row))
        self.flush()
        return len(items)

    def _ids_by(self, column: str, key: str) -> list[int]:
        return self.maps[column].get(key, [])

    def _merge(self, pid: int, paper: ScrapedPaper, tkey: str, akey: str) -> bool:
        stored = self.stored.get(pid)
        if stored is None:
            if pid in self.pending_ids:
                self.flush()
            self._remember(pid)
            changed = Store._merge(self.conn, pid, paper, tkey, akey, self.stamp, from_listing=True)
            if changed:
                self._refresh_row(pid)
            return changed
        updates = _merge_updates(stored, paper, tkey, akey, from_listing=True)
        if not updates:
            return False
        for column, value in updates.items():
            index = _MERGE_INDEX.get(column)
            if index is not None:
                stored[index] = value
        if "abstract" in updates:
            stored[_ABSTRACT_LENGTH] = len(str(updates["abstract"]))
        old = self.rows[pid]
        tkey = str(updates.get("title_key", old.tkey))
        self._track(pid, _key_row(tkey, str(updates.get("abstract_key", old.akey)), stored))
        self._remember(pid)
        _write_merge(self.conn, pid, updates, self.stamp)
        return True

    def _remember(self, pid: int) -> None:
        """Keep what a stored paper was before this ingest's first change to it."""
        if pid < self.first_new_id and pid not in self.before:
            found = self._row_and_stamp(pid)
            if found is not None:
                self.before[pid] = found

    def _row_and_stamp(self, pid: int) -> tuple[int, object] | None:
        """The hash of a paper's columns but ``updated_at``, and its ``updated_at``."""
        cursor = self.conn.execute("SELECT * FROM papers WHERE id = ?", (pid,))
        row = cursor.fetchone()
        if row is None:
            return None
        at = [d[0] for d in cursor.description].index("updated_at")
        return hash((*row[:at], *row[at + 1 :])), row[at]

    def settle(self, updated_ids: IdSet) -> None:
        """At the end of the ingest: a stored paper that two copies in the listing changed one
        way and back (two dates inferred for one paper, say) is as it was. It is not counted
        as updated, and its ``updated_at`` goes back to what it was, so that nothing (the
        search index, sync) takes it for a change: re-ingesting a file then changes nothing."""
        for pid, (digest, stamp) in self.before.items():
            if pid not in updated_ids:
                continue
            now = self._row_and_stamp(pid)
            if now is not None and now[0] == digest:
                self.conn.execute("UPDATE papers SET updated_at = ? WHERE id = ?", (stamp, pid))
                del updated_ids[pid]

    def _index(self, pid: int, row: _KeyRow) -> None:
        by_tkey, by_akey, by_arxiv, by_doi = self.maps.values()
        by_tkey.setdefault(row.tkey, []).append(pid)
        by_akey.setdefault(row.akey, []).append(pid)
        if row.arxiv is not None:
            by_arxiv.setdefault(row.arxiv, []).append(pid)
        if row.doi is not None:
            by_doi.setdefault(row.doi, []).append(pid)

    def _track(self, pid: int, row: _KeyRow) -> None:
        self.rows[pid] = row
        self._index(pid, row)
        known = self.known
        if known is not None:
            known_t, known_a, known_x, known_d = known.values()
            # The paper keeps its key's hash to itself unless another paper has it too. Written
            # out per column: a loop over the four took 0.53 us a paper against 0.22 us.
            key = hash(row.tkey)
            known_t[key] = pid if known_t.get(key, pid) == pid else _SEVERAL
            key = hash(row.akey)
            known_a[key] = pid if known_a.get(key, pid) == pid else _SEVERAL
            if row.arxiv is not None:
                key = hash(row.arxiv)
                known_x[key] = pid if known_x.get(key, pid) == pid else _SEVERAL
            if row.doi is not None:
                key = hash(row.doi)
                known_d[key] = pid if known_d.get(key, pid) == pid else _SEVERAL

    def _refresh_row(self, pid: int) -> None:
        """Re-read a merged paper's keys (a merge may fill its title, abstract or ids)."""
        row = self.conn.execute(f"SELECT {_KEY_COLUMNS} FROM papers WHERE id = ?", (pid,))
        self._track(pid, _KeyRow(*row.fetchone()))

    def flush(self) -> None:
        """Write the buffered new papers and sources."""
        if self.pending_plain:
            self.conn.executemany(
                f"INSERT INTO papers (id, {_PLAIN_COLUMNS_SQL}, added_at, updated_at) "
                f"VALUES (?, {_PLAIN_MARKS}, ?, ?)",
                self.pending_plain,
            )
            self.pending_plain = []
        if self.pending_papers:
            self.conn.executemany(
                f"INSERT INTO papers (id, {SCRAPED_COLUMNS_SQL}, added_at, updated_at) "
                f"VALUES (?, {SCRAPED_MARKS}, ?, ?)",
                self.pending_papers,
            )
            self.pending_papers = []
        self.pending_ids = set()
        if self.pending_sources:
            self.conn.executemany(
                "INSERT INTO paper_sources (paper_id, name, path, seen_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (paper_id, path) DO NOTHING",
                self.pending_sources,
            )
            self.pending_sources = []


_IDENTITY_START = SCRAPED_COLUMNS.index("arxiv_version")
_NO_IDENTITY = (None, "[]", "[]", None, None, None, 0, None)
"""The ``scraped_values`` of the identity columns from ``arxiv_version`` on, for a paper that
has none of them: their column defaults (m005), so a new row of such a paper omits them."""
_PLAIN_COLUMNS_SQL = ", ".join(SCRAPED_COLUMNS[:_IDENTITY_START])
_PLAIN_MARKS = ", ".join("?" * _IDENTITY_START)

KeyIds = dict[int, int]
"""Per lookup column, the hash of each key in the library -> the one paper whose key has that
hash, or ``_SEVERAL`` when more papers do (then the key index is asked). A dict of ints is not
tracked by the garbage collector (see ``IdSet``)."""
_SEVERAL = 0
"""In a ``KeyIds``: more than one paper has a key of this hash (paper ids start at 1)."""


def _key_ids(rows: Iterable[tuple[str, int]]) -> KeyIds:
    """The ``KeyIds`` of (key, paper id) pairs."""
    found: KeyIds = {}
    get = found.get
    for key, pid in rows:
        digest = hash(key)
        found[digest] = pid if get(digest, pid) == pid else _SEVERAL
    return found


_LOOKUP_COLUMNS = ("title_key", "abstract_key", "arxiv_id", "doi")
"""The columns the matching rule looks papers up by (each has an index), in the order of the
batch's per-column maps (``_index`` and ``_track`` unpack them in this order)."""


def _key_row(tkey: str, akey: str, merge: Sequence[object]) -> _KeyRow:
    """The ``_KeyRow`` of a stored paper from its keys and its ``_MERGE_COLUMNS`` values."""
    return _KeyRow(
        tkey,
        bool(merge[_MERGE_INDEX["title_derived"]]),
        akey,
        not merge[_ABSTRACT_LENGTH],
        merge[_MERGE_INDEX["arxiv_id"]],  # type: ignore[arg-type]
        merge[_MERGE_INDEX["doi"]],  # type: ignore[arg-type]
    )


# ------------------------------------------------------------------------ helpers
def _register(path: Path) -> Registration | None:
    try:
        return register(path)
    except LibraryBusyError as exc:
        raise StoreError(str(exc)) from None


def release_registration(registration: Registration | None) -> None:
    """Drop a Store's hold on its library (``readq.holders``); None is nothing to drop."""
    release(registration)


def _connect_read_only(
    path: Path, *, reason: str, held_elsewhere: bool | None
) -> sqlite3.Connection:
    """A read-only connection to ``path`` (see :meth:`Store.open_read_only`)."""
    from urllib.parse import quote

    from readq.dberrors import describe_sqlite_error

    uri = "file:" + quote(os.fsencode(path).decode("utf-8", "surrogateescape"))
    try:
        conn = sqlite3.connect(
            f"{uri}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _check_is_database(conn, path)
        return conn
    except sqlite3.OperationalError:
        conn.close()
    # The WAL index (-shm) cannot be made: read the main file alone, if it is complete.
    wal = path.with_name(path.name + "-wal")
    try:
        wal_size = wal.stat().st_size
    except FileNotFoundError:
        wal_size = 0
    if held_elsewhere:
        raise StoreError(
            f"{path}: {reason}, and another readq has the library open; it cannot be read "
            "safely until it is closed or space is freed"
        )
    if wal_size > 0:
        raise StoreError(
            f"{path}: {reason}, and its write-ahead log ({wal.name}) holds changes not yet in "
            "the library file; free some space so that readq can read them"
        )
    try:
        conn = sqlite3.connect(
            f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False
        )
        _check_is_database(conn, path)
    except sqlite3.OperationalError as exc:
        raise StoreError(f"{path}: {describe_sqlite_error(exc, path)}") from None
    return conn


def _connect(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=check_same_thread, timeout=15.0
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


CACHE_KIB = 65536
"""SQLite's page cache per connection (64 MiB)."""
INGEST_CACHE_KIB_PER_PAPER = 0.25
INGEST_CACHE_KIB_MAX = 262144
"""A big ingest's connection caches ~256 bytes per expected paper, up to 256 MiB: the key and
sort indexes take random inserts, and at a million papers they outgrow 64 MiB (measured on
1M rows: 52.8 CPU-s of inserts with 64 MiB, 42.3 s with 256 MiB, 42.6 s with 512 MiB)."""

NEW_LIBRARY_PAGE_SIZE = 8192
"""The page size of a new library (SQLite's default is 4096). A paper's row is ~2 KB, mostly
its abstract: 8 KB pages hold several rows each, which made a 100k-paper ingest's inserts
~14% cheaper (measured). An existing library keeps the page size it was created with."""


def _configure(conn: sqlite3.Connection, *, new: bool = False) -> None:
    if new:  # only takes effect before the first table is written (and before WAL)
        conn.execute(f"PRAGMA page_size = {NEW_LIBRARY_PAGE_SIZE}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
    if mode is None or str(mode[0]).lower() != "wal":
        raise StoreError("could not switch the library to WAL journal mode")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute("PRAGMA foreign_keys = ON")


def _check_is_database(conn: sqlite3.Connection, path: Path) -> None:
    """Read the header through SQLite (not open(): see Store.open) and refuse a non-database."""
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "not a database" not in str(exc):
            raise  # described by Store.open (read-only, cannot open, busy...)
        raise CorruptDatabaseError(
            f"{path}: not a SQLite database (damaged or another file)"
        ) from None


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if not rows or rows[0][0] != "ok":
        detail = rows[0][0] if rows else "no answer"
        raise CorruptDatabaseError(f"{path}: the library is damaged (quick_check: {detail})")


def _applied_migrations(conn: sqlite3.Connection) -> list[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    if exists is None:
        return []
    from readq.schema import MIGRATION_SET

    return [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            (MIGRATION_SET,),
        )
    ]


def _seconds_between(earlier_iso: str, later_iso: str) -> float:
    try:
        return (
            datetime.fromisoformat(later_iso) - datetime.fromisoformat(earlier_iso)
        ).total_seconds()
    except ValueError:
        return float("inf")


def _kind_at(ingests: Sequence[tuple[str, str]], seen_at: str) -> str | None:
    """The format of the ingest that read a source seen at ``seen_at``: a file may be ingested
    several times, and an ingest stamps itself a moment after its source, so the first ingest
    at or after ``seen_at`` (else the last one before it). None when no ingest is logged."""
    for at, fmt in ingests:
        if at >= seen_at:
            return fmt
    return ingests[-1][1] if ingests else None


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
