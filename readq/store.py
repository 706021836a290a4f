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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from readq.holders import LibraryBusyError, Registration, held_elsewhere, register, release
from readq.models import NoteRevision, Paper, ScrapedPaper, SortKey, Source, Stats, Status
from readq.textclean import dedupe_keys, identity_key

BUSY_TIMEOUT_MS = 15_000
NOTE_COALESCE_SECONDS = 60.0

PAPER_COLUMNS = (
    "id, title, title_derived, abstract, published, published_text, upvotes, authors, org, "
    "urls, status, starred, note, added_at, updated_at, arxiv_id, note_revision"
)

SORT_SQL: dict[SortKey, str] = {
    SortKey.ADDED: "id DESC",
    SortKey.PUBLISHED: "published IS NULL, published DESC, id DESC",
    SortKey.UPVOTES: "upvotes IS NULL, upvotes DESC, id DESC",
    SortKey.TITLE: "title COLLATE NOCASE, id",
    SortKey.RELEVANCE: "id DESC",
}


class StoreError(Exception):
    """A problem with the library file that the user must hear about (one clear line)."""


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


class UnknownPaperError(KeyError):
    """No paper has this id."""

    def __init__(self, paper_id: int) -> None:
        super().__init__(paper_id)
        self.paper_id = paper_id

    def __str__(self) -> str:
        return f"no paper with id {self.paper_id}"


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one listing did to the library."""

    papers: int
    new: int
    merged: int
    updated: int = 0
    new_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PaperState:
    """The user state of one paper, as saved for undo and redo."""

    id: int
    status: Status
    starred: bool


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
)
SCRAPED_COLUMNS_SQL = ", ".join(SCRAPED_COLUMNS)
SCRAPED_MARKS = ", ".join("?" * len(SCRAPED_COLUMNS))


def scraped_values(paper: ScrapedPaper, title_key: str, abstract_key: str) -> tuple[object, ...]:
    """The values of ``SCRAPED_COLUMNS`` for a new paper (ingest and import share them)."""
    return (
        paper.title,
        title_key,
        int(paper.title_derived),
        paper.abstract,
        abstract_key,
        paper.published,
        paper.published_text,
        paper.upvotes,
        paper.authors,
        paper.org,
        json.dumps(list(paper.urls)) if paper.urls else "[]",
        paper.arxiv_id,
    )


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
    )


class Store:
    """The only owner of a connection to the library.

    A ``Store`` is used from one thread. Workers open their own with :meth:`open_reader`.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.read_only = read_only
        self._lock = threading.RLock()
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
            from readq.backup import backup_database

            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            backup_database(self, backup_dir / f"readq-{stamp}-before-{pending[0].name}.db")
        migrations.apply(db)

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
        """One write transaction (``BEGIN IMMEDIATE``): all of it is stored, or none of it."""
        if self.read_only:
            raise StoreError("this connection is read-only")
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    @contextmanager
    def busy_timeout(self, milliseconds: int) -> Iterator[None]:
        """Inside the block, wait at most ``milliseconds`` for another process's lock."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def data_version(self) -> int:
        """``PRAGMA data_version``: changes when another connection commits."""
        row = self.conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    # -------------------------------------------------------------------- reads
    def count(self) -> int:
        """How many papers the library holds."""
        return int(self.conn.execute("SELECT count(*) FROM papers").fetchone()[0])

    def get(self, paper_id: int, *, with_sources: bool = True) -> Paper:
        """The paper with this id (``UnknownPaperError`` if there is none)."""
        row = self.conn.execute(
            f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?", (paper_id,)
        ).fetchone()
        if row is None:
            raise UnknownPaperError(paper_id)
        sources = self.sources(paper_id) if with_sources else ()
        return row_to_paper(row, sources)

    def exists(self, paper_id: int) -> bool:
        """Whether a paper has this id."""
        row = self.conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return row is not None

    def sources(self, paper_id: int) -> list[Source]:
        """The listings a paper was seen in, oldest first."""
        rows = self.conn.execute(
            "SELECT name, path, seen_at FROM paper_sources WHERE paper_id = ? ORDER BY seen_at",
            (paper_id,),
        ).fetchall()
        return [Source(name=r[0], path=r[1], seen_at=r[2]) for r in rows]

    def list_papers(
        self,
        *,
        status: Status | None = None,
        starred: bool | None = None,
        sort: SortKey = SortKey.ADDED,
        limit: int | None = None,
        ids: Sequence[int] | None = None,
        with_sources: bool = True,
    ) -> list[Paper]:
        """Papers filtered by status and star, in ``sort`` order (or in the order of ``ids``)."""
        if ids is not None:
            papers = self.get_many(ids, with_sources=with_sources)
            return papers[:limit] if limit is not None else papers
        where: list[str] = []
        params: list[object] = []
        if status is not None:
            where.append("status = ?")
            params.append(status.value)
        if starred is not None:
            where.append("starred = ?")
            params.append(int(starred))
        sql = f"SELECT {PAPER_COLUMNS} FROM papers"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {SORT_SQL[sort]}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self.conn.execute(sql, params).fetchall()
        sources = self._sources_for([int(r[0]) for r in rows]) if with_sources else {}
        return [row_to_paper(r, sources.get(int(r[0]), ())) for r in rows]

    def get_many(self, ids: Sequence[int], *, with_sources: bool = True) -> list[Paper]:
        """The papers with these ids, in the given order (unknown ids are skipped)."""
        found: dict[int, Paper] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN ({marks})", chunk
            ).fetchall()
            sources = self._sources_for([int(r[0]) for r in rows]) if with_sources else {}
            for r in rows:
                found[int(r[0])] = row_to_paper(r, sources.get(int(r[0]), ()))
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
            for pid, name, path, seen in rows:
                result.setdefault(int(pid), []).append(Source(name=name, path=path, seen_at=seen))
        return result

    def stats(self) -> Stats:
        """Counts by status, starred, and with notes."""
        by_status = {s: 0 for s in Status}
        for status, n in self.conn.execute("SELECT status, count(*) FROM papers GROUP BY status"):
            by_status[Status(status)] = int(n)
        starred, with_notes, total = self.conn.execute(
            "SELECT coalesce(sum(starred), 0), coalesce(sum(note != ''), 0), count(*) FROM papers"
        ).fetchone()
        return Stats(
            total=int(total), by_status=by_status, starred=int(starred), with_notes=int(with_notes)
        )

    def states(self, ids: Iterable[int]) -> list[PaperState]:
        """The current user state of these papers (for undo)."""
        result: list[PaperState] = []
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for pid, status, starred in self.conn.execute(
                f"SELECT id, status, starred FROM papers WHERE id IN ({marks})", chunk
            ):
                result.append(PaperState(int(pid), Status(status), bool(starred)))
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
        """Mark papers; returns their states before the change (for undo)."""
        return self._update_state(ids, "status = ?", (status.value,))

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
                "UPDATE papers SET status = ?, starred = ?, updated_at = ? WHERE id = ?",
                [(s.status.value, int(s.starred), stamp, s.id) for s in states],
            )
        return before

    def rename(self, paper_id: int, title: str) -> None:
        """Give a paper a title of the user's choosing (no longer marked as derived)."""
        from readq.textclean import clean_line

        cleaned = clean_line(title)
        if not cleaned:
            raise ValueError("a title cannot be empty")
        with self.write() as conn:
            self._require(conn, [paper_id])
            conn.execute(
                "UPDATE papers SET title = ?, title_derived = 0, updated_at = ? WHERE id = ?",
                (cleaned, now_iso(), paper_id),
            )

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

        A repeat (same normalised title, or for derived titles the same abstract) fills missing
        fields, keeps the highest upvotes and gains the source. User state is never touched.

        Papers are taken in batches: the stored rows that share a key with the batch are found
        through the key indexes alone and read once each (with what a merge needs), repeats are
        found in memory exactly as the per-paper lookups of :meth:`_find_existing` would find
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
        new_ids: list[int] = []
        merged_ids: set[int] = set()
        updated_ids: set[int] = set()
        total = 0
        stamp = now_iso()
        with self.write() as conn:
            batch = _IngestBatch(conn, stamp, source, expected=expected)
            seen_in_file: dict[str, int] = {}
            chunk: list[ScrapedRow] = []
            size = INGEST_BATCH
            for row in rows:
                chunk.append(row)
                if len(chunk) >= size:
                    total += batch.run(chunk, seen_in_file, new_ids, merged_ids, updated_ids)
                    chunk = []
            if chunk:
                total += batch.run(chunk, seen_in_file, new_ids, merged_ids, updated_ids)
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
        )

    @staticmethod
    def _find_existing(
        conn: sqlite3.Connection, paper: ScrapedPaper, tkey: str, akey: str
    ) -> int | None:
        if not paper.title_derived and tkey:
            row = conn.execute(
                "SELECT id FROM papers WHERE title_key = ? AND title_derived = 0 LIMIT 1", (tkey,)
            ).fetchone()
            if row is not None:
                return int(row[0])
        if akey:
            row = conn.execute(
                "SELECT id FROM papers WHERE abstract_key = ? LIMIT 1", (akey,)
            ).fetchone()
            if row is not None:
                return int(row[0])
        if paper.title_derived and tkey:
            row = conn.execute(
                "SELECT id FROM papers WHERE title_key = ? AND abstract = '' LIMIT 1", (tkey,)
            ).fetchone()
            if row is not None:
                return int(row[0])
        return None

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


KeyedPaper = tuple[ScrapedPaper, str, str]
"""A paper with its title key and abstract key (see :meth:`Store.ingest_keyed`)."""

ScrapedRow = tuple[object, ...]
"""A paper as the values of ``SCRAPED_COLUMNS`` (see :func:`scraped_values`)."""
_TITLE, _TITLE_KEY, _DERIVED, _ABSTRACT, _ABSTRACT_KEY = range(5)


def paper_of_row(row: ScrapedRow) -> ScrapedPaper:
    """The paper a ``scraped_values`` row was made of (its inverse, keys aside)."""
    values = dict(zip(SCRAPED_COLUMNS, row, strict=True))
    return ScrapedPaper(
        title=str(values["title"]),
        abstract=str(values["abstract"]),
        title_derived=bool(values["title_derived"]),
        urls=tuple(json.loads(str(values["urls"]))),
        **{name: values[name] for name in _PLAIN_SCRAPED},  # type: ignore[arg-type]
    )


_PLAIN_SCRAPED = ("published", "published_text", "upvotes", "authors", "org", "arxiv_id")
"""The scraped columns stored exactly as the paper holds them."""


_FOUR_DIGITS = re.compile(r"\d{4}")
INGEST_BATCH = 1000
"""Papers looked up and written together by :meth:`Store.ingest`."""

_MERGE_COLUMNS = (
    "title_derived, abstract = '', published, published_text, upvotes, authors, org, urls, arxiv_id"
)
"""What :func:`_merge_updates` needs of a stored paper (only whether its abstract is empty)."""
_MERGE_INDEX = {
    "title_derived": 0,
    "published": 2,
    "published_text": 3,
    "upvotes": 4,
    "authors": 5,
    "org": 6,
    "urls": 7,
    "arxiv_id": 8,
}


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

    Fields are filled when missing, never overwritten, with one exception: a date inferred
    from year-less text is scraped data, and the latest listing that gives the paper a
    different date replaces it (``from_listing``): a re-ingest with the right ``--year``
    fixes a date stored with a wrong one, and a date with an explicit year replaces a guess.
    A date with an explicit year is never replaced, and imports fill dates only."""
    derived, abstract_empty, published, published_text, upvotes, authors, org, urls, arxiv = row
    updates: dict[str, object] = {}
    if derived and not paper.title_derived:
        updates.update(title=paper.title, title_key=tkey, title_derived=0)
    if abstract_empty and paper.abstract:
        updates.update(abstract=paper.abstract, abstract_key=akey)
    # Filled when missing; an inferred date also replaced by a listing's different one.
    if paper.published is not None and (
        published is None
        or (from_listing and paper.published != published and year_less(published_text))
    ):
        updates.update(published=paper.published, published_text=paper.published_text)
    elif published_text is None and paper.published_text is not None:
        updates["published_text"] = paper.published_text
    if paper.upvotes is not None and (upvotes is None or paper.upvotes > upvotes):  # type: ignore[operator]
        updates["upvotes"] = paper.upvotes
    if authors is None and paper.authors is not None:
        updates["authors"] = paper.authors
    if org is None and paper.org is not None:
        updates["org"] = paper.org
    if arxiv is None and paper.arxiv_id is not None:
        updates["arxiv_id"] = paper.arxiv_id
    if paper.urls:
        old_urls = json.loads(str(urls))
        extra = [u for u in paper.urls if u not in old_urls]
        if extra:
            updates["urls"] = json.dumps(old_urls + extra)
    return updates


def _write_merge(
    conn: sqlite3.Connection, pid: int, updates: dict[str, object], stamp: str
) -> None:
    updates["updated_at"] = stamp
    assignments = ", ".join(f"{k} = ?" for k in updates)
    conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?", (*updates.values(), pid))


class _KeyRow:
    """What the dedupe lookups need to know of one stored paper."""

    __slots__ = ("abstract_empty", "akey", "derived", "tkey")

    def __init__(self, tkey: str, derived: bool, akey: str, abstract_empty: bool) -> None:
        self.tkey = tkey
        self.derived = derived
        self.akey = akey
        self.abstract_empty = abstract_empty


class _IngestBatch:
    """The batched write path of :meth:`Store.ingest` (one instance per transaction).

    For each batch it finds, through the key indexes alone, the stored papers whose title key
    or abstract key occurs in the batch, and reads each of them once with the columns a merge
    needs. Then it walks the batch in order: a lookup is answered from those rows and from the
    papers this batch has already added or changed, taking the lowest id as SQLite's
    ``LIMIT 1`` over the key indexes does. A merge into a row read for this batch works on
    that copy (kept up to date); a merge into a paper added by this ingest flushes the buffer
    and reads the stored row (:meth:`Store._merge`). New papers and sources are buffered and
    written with ``executemany``.
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
        # Hashes of every title key and abstract key stored (or about to be) in the library,
        # or None when reading them would cost more than the lookups they spare. A key whose
        # hash is not here is in no stored row, so it needs no lookup.
        self.known_tkeys: set[int] | None = None
        self.known_akeys: set[int] | None = None
        existing = self.next_id - 1  # at least the number of papers
        if existing == 0 or (expected is not None and existing <= 2 * expected):
            # Each scan reads one key index only (covering), never the table.
            self.known_tkeys = {hash(k) for (k,) in conn.execute("SELECT title_key FROM papers")}
            self.known_akeys = {hash(k) for (k,) in conn.execute("SELECT abstract_key FROM papers")}
        self.rows: dict[int, _KeyRow] = {}
        self.stored: dict[int, list[object]] = {}
        self.pending_papers: list[tuple[object, ...]] = []
        self.pending_ids: set[int] = set()
        self.pending_sources: list[tuple[object, ...]] = []

    def _load(self, tkeys: set[str], akeys: set[str]) -> None:
        self.rows = {}
        self.stored = {}
        conn = self.conn
        if self.known_tkeys is not None and self.known_akeys is not None:
            known_t, known_a = self.known_tkeys, self.known_akeys
            tkeys = {k for k in tkeys if hash(k) in known_t}
            akeys = {k for k in akeys if hash(k) in known_a}
            if not tkeys and not akeys:
                return
        ids: set[int] = set()
        for column, keys in (("title_key", tkeys), ("abstract_key", akeys)):
            keys.discard("")
            for part in _chunks(list(keys), 500):  # type: ignore[arg-type]
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
                self.rows[pid] = _KeyRow(tkey, bool(merge[0]), akey, bool(merge[1]))
                self.stored[pid] = merge

    def run(
        self,
        items: list[ScrapedRow],
        seen_in_file: dict[str, int],
        new_ids: list[int],
        merged_ids: set[int],
        updated_ids: set[int],
    ) -> int:
        """Store one batch of ``scraped_values`` rows; returns how many papers it held."""
        self._load({str(i[_TITLE_KEY]) for i in items}, {str(i[_ABSTRACT_KEY]) for i in items})
        by_tkey: dict[str, list[int]] = {}
        by_akey: dict[str, list[int]] = {}
        for pid, row in self.rows.items():
            by_tkey.setdefault(row.tkey, []).append(pid)
            by_akey.setdefault(row.akey, []).append(pid)
        stamp = self.stamp
        source_row = (self.source.name, self.source.path, self.source.seen_at)
        for values in items:
            tkey = str(values[_TITLE_KEY])
            akey = str(values[_ABSTRACT_KEY])
            derived = bool(values[_DERIVED])
            dedupe_key = identity_key(tkey, akey, title_derived=derived)
            existing_id = seen_in_file.get(dedupe_key) if dedupe_key is not None else None
            if existing_id is None and (by_tkey or by_akey):
                existing_id = self._lookup(derived, tkey, akey, by_tkey, by_akey)
            if existing_id is None:
                pid = self.next_id
                self.next_id += 1
                self.pending_papers.append((pid, *values, stamp, stamp))
                self.pending_ids.add(pid)
                new_ids.append(pid)
                self._track(
                    pid, _KeyRow(tkey, derived, akey, not values[_ABSTRACT]), by_tkey, by_akey
                )
            else:
                pid = existing_id
                changed = self._merge(pid, paper_of_row(values), tkey, akey, by_tkey, by_akey)
                if pid < self.first_new_id:
                    merged_ids.add(pid)
                    if changed:
                        updated_ids.add(pid)
            if dedupe_key is not None:
                seen_in_file[dedupe_key] = pid
            self.pending_sources.append((pid, *source_row))
        self.flush()
        return len(items)

    def _merge(
        self,
        pid: int,
        paper: ScrapedPaper,
        tkey: str,
        akey: str,
        by_tkey: dict[str, list[int]],
        by_akey: dict[str, list[int]],
    ) -> bool:
        stored = self.stored.get(pid)
        if stored is None:
            if pid in self.pending_ids:
                self.flush()
            changed = Store._merge(self.conn, pid, paper, tkey, akey, self.stamp, from_listing=True)
            if changed:
                self._refresh_row(pid, by_tkey, by_akey)
            return changed
        updates = _merge_updates(stored, paper, tkey, akey, from_listing=True)
        if not updates:
            return False
        for column, value in updates.items():
            index = _MERGE_INDEX.get(column)
            if index is not None:
                stored[index] = value
        if "abstract" in updates:
            stored[1] = 0
        old = self.rows[pid]
        self._track(
            pid,
            _KeyRow(
                str(updates.get("title_key", old.tkey)),
                bool(stored[0]),
                str(updates.get("abstract_key", old.akey)),
                bool(stored[1]),
            ),
            by_tkey,
            by_akey,
        )
        _write_merge(self.conn, pid, updates, self.stamp)
        return True

    def _lookup(
        self,
        derived: bool,
        tkey: str,
        akey: str,
        by_tkey: dict[str, list[int]],
        by_akey: dict[str, list[int]],
    ) -> int | None:
        if tkey not in by_tkey and akey not in by_akey:
            return None  # most papers: every answer below comes from one of these two
        rows = self.rows
        if not derived and tkey:
            found = [
                i for i in by_tkey.get(tkey, ()) if rows[i].tkey == tkey and not rows[i].derived
            ]
            if found:
                return min(found)
        if akey:
            found = [i for i in by_akey.get(akey, ()) if rows[i].akey == akey]
            if found:
                return min(found)
        if derived and tkey:
            found = [
                i for i in by_tkey.get(tkey, ()) if rows[i].tkey == tkey and rows[i].abstract_empty
            ]
            if found:
                return min(found)
        return None

    def _track(
        self,
        pid: int,
        row: _KeyRow,
        by_tkey: dict[str, list[int]],
        by_akey: dict[str, list[int]],
    ) -> None:
        self.rows[pid] = row
        by_tkey.setdefault(row.tkey, []).append(pid)
        by_akey.setdefault(row.akey, []).append(pid)
        if self.known_tkeys is not None and self.known_akeys is not None:
            self.known_tkeys.add(hash(row.tkey))
            self.known_akeys.add(hash(row.akey))

    def _refresh_row(
        self, pid: int, by_tkey: dict[str, list[int]], by_akey: dict[str, list[int]]
    ) -> None:
        """Re-read a merged paper's keys (a merge may fill its title or abstract)."""
        tkey, derived, akey, empty = self.conn.execute(
            "SELECT title_key, title_derived, abstract_key, abstract = '' FROM papers WHERE id = ?",
            (pid,),
        ).fetchone()
        self._track(pid, _KeyRow(tkey, bool(derived), akey, bool(empty)), by_tkey, by_akey)

    def flush(self) -> None:
        """Write the buffered new papers and sources."""
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


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
