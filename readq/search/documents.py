"""The library rows the search engine reads: their shape, the one decoder that turns a row into
what the index keeps, and every SQL statement the engine runs.

Why one module: the engine used to run SQL from a dozen methods and decode the same row three
ways (first build, appended papers, re-read papers), so a change of column or rule had to be
made three times. Here a row is decoded once (:func:`decode`) and each statement has a name
(:class:`LibraryRows`), so the engine's reads of the library, and the indexes they rely on, can
be checked in one place. Nothing here imports the rest of the engine.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple

from readq.models import SortKey, Status
from readq.search.query import Field
from readq.store import Store, sort_sql

STATUSES: tuple[Status, ...] = (Status.NEW, Status.TO_READ, Status.READ)
"""Statuses by code: the index keeps a paper's status as its position here (one byte)."""
STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}

COLUMNS = (
    "id, title, abstract, coalesce(org, ''), note, status, starred, published, upvotes, updated_at"
)
"""The columns of a row :func:`decode` reads, in its order."""
_SELECT = f"SELECT {COLUMNS} FROM papers"

SORT_COLUMNS = "id, title, published, upvotes, added_at, read_at, queue_pos"
"""The columns of a :func:`readq.search.orders.sort_key` row."""

_FIELD_COLUMNS = {
    Field.TITLE: "title",
    Field.ABSTRACT: "abstract",
    Field.ORG: "coalesce(org, '')",
    Field.NOTE: "note",
}

Row = tuple[object, ...]
"""A row as SQLite returns it (:data:`COLUMNS`)."""


class Doc(NamedTuple):
    """One paper as the index takes it (see :func:`decode`)."""

    pid: int
    title: str
    abstract: str
    org: str
    note: str
    """The note, ``""`` when there is none."""
    status: int
    """The status code (position in :data:`STATUSES`)."""
    starred: int
    """1 if starred, else 0."""
    year: int
    """The publication year, 0 when unknown."""
    text_hash: int
    """CRC-32 of the indexed text (title, abstract, organisation): a change means re-indexing."""
    sort_hash: int
    """CRC-32 of the published date and upvotes: a change means re-sorting."""
    updated: str


def decode(row: Row) -> Doc:
    """The one decoder of a :data:`COLUMNS` row (``ValueError`` for an unknown status)."""
    pid, title, abstract, org, note, status, star, published, upvotes, updated = row
    # ``tuple.__new__`` skips the named tuple's Python-level ``__new__``: this runs once per
    # paper in a build (94k rows: 188 ms through ``Doc(...)``, 170 ms this way, against
    # 154 ms for the decoding written inline in the build loop).
    return _new_doc(
        Doc,
        (
            int(pid),  # type: ignore[call-overload]
            str(title),
            str(abstract),
            str(org),
            str(note) if note else "",
            STATUS_CODE[Status(str(status))],
            1 if star else 0,
            year_of(published),
            _crc32(f"{title}\x00{abstract}\x00{org}".encode()),
            _crc32(f"{published}\x00{upvotes}".encode()),
            str(updated),
        ),
    )


_new_doc = tuple.__new__
_crc32 = zlib.crc32


def year_of(published: object) -> int:
    """The year of a published date (``2024-05-01`` -> 2024), 0 when there is none."""
    if not published:
        return 0
    text = str(published)
    if len(text) >= 4 and text[:4].isdigit():
        return int(text[:4])
    return 0


class LibraryRows:
    """Every statement the engine runs against the library, on one store's connection.

    Each method names what it reads; the comments say which index keeps it cheap.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection (for :mod:`readq.search.tagged`, which keeps its own statements)."""
        return self.store.conn

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes when another connection commits."""
        return self.store.data_version()

    # ------------------------------------------------------------------ rows
    def all_rows(self) -> sqlite3.Cursor:
        """Every paper, by id (a first build)."""
        return self.conn.execute(_SELECT + " ORDER BY id")

    def rows_below(self, split_id: int) -> sqlite3.Cursor:
        """Papers with ids below ``split_id``, by id (the first half of a split build)."""
        return self.conn.execute(_SELECT + " WHERE id < ? ORDER BY id", (split_id,))

    def rows_from(self, first_id: int) -> sqlite3.Cursor:
        """Papers with ids from ``first_id``, by id (the other half of a split build)."""
        return self.conn.execute(_SELECT + " WHERE id >= ? ORDER BY id", (first_id,))

    def rows_between(self, after_id: int, below_id: int) -> sqlite3.Cursor:
        """Papers with ids above ``after_id`` and below ``below_id``, by id (the writer's
        share of a split catch-up)."""
        return self.conn.execute(
            _SELECT + " WHERE id > ? AND id < ? ORDER BY id", (after_id, below_id)
        )

    def rows_after(self, pid: int) -> sqlite3.Cursor:
        """Papers added after ``pid``, by id."""
        return self.conn.execute(_SELECT + " WHERE id > ? ORDER BY id", (pid,))

    def changed_rows(self, since: str, max_id: int) -> list[Row]:
        """Papers up to ``max_id`` updated after ``since``."""
        # ``+id``: without it SQLite walks the rowid range, i.e. the whole table (1.4 s at
        # 1M papers), instead of the updated_at index.
        return self.conn.execute(
            _SELECT + " WHERE updated_at > ? AND +id <= ?", (since, max_id)
        ).fetchall()

    @contextmanager
    def one_snapshot(self) -> Iterator[None]:
        """A read transaction: every statement inside sees the same library."""
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    # ---------------------------------------------------------------- counts
    def count(self) -> int:
        """Papers in the library, the trash included."""
        return int(self.conn.execute("SELECT count(*) FROM papers").fetchone()[0])

    def id_at(self, offset: int) -> int | None:
        """The id of the paper at ``offset`` in id order (None past the end)."""
        found = self.conn.execute(
            "SELECT id FROM papers ORDER BY id LIMIT 1 OFFSET ?", (offset,)
        ).fetchone()
        return None if found is None else int(found[0])

    def id_after(self, pid: int, offset: int) -> int | None:
        """The id of the paper ``offset`` places after the first one above ``pid`` in id order
        (None past the end)."""
        found = self.conn.execute(
            "SELECT id FROM papers WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?", (pid, offset)
        ).fetchone()
        return None if found is None else int(found[0])

    def count_after(self, pid: int, limit: int) -> int:
        """How many papers have ids above ``pid``, counting no further than ``limit``."""
        found = self.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM papers WHERE id > ? LIMIT ?)", (pid, limit)
        ).fetchone()
        return int(found[0])

    def live_count(self) -> int:
        """Papers outside the trash."""
        # Every row minus the trash: two index counts, not a scan of every row.
        found = self.conn.execute(
            "SELECT (SELECT count(*) FROM papers) - "
            "(SELECT count(*) FROM papers WHERE deleted_at IS NOT NULL)"
        ).fetchone()
        return int(found[0])

    # ------------------------------------------------------------ id sets
    def trashed_ids(self) -> sqlite3.Cursor:
        """``(id,)`` of the papers in the trash (its partial index: a handful of rows)."""
        return self.conn.execute("SELECT id FROM papers WHERE deleted_at IS NOT NULL")

    def live_ids(self) -> sqlite3.Cursor:
        """``(id,)`` of the papers outside the trash."""
        return self.conn.execute("SELECT id FROM papers WHERE deleted_at IS NULL")

    def ids_with_status(self, status: Status) -> sqlite3.Cursor:
        """``(id,)`` of the papers with ``status``."""
        return self.conn.execute("SELECT id FROM papers WHERE status = ?", (status.value,))

    def starred_ids(self) -> sqlite3.Cursor:
        """``(id,)`` of the starred papers."""
        return self.conn.execute("SELECT id FROM papers WHERE starred = 1")

    def read_ids(self, op: str, day: str) -> sqlite3.Cursor:
        """``(id,)`` of the papers whose read day compares with ``day`` by ``op``."""
        if op not in ("=", "<", "<=", ">", ">="):  # keeps the SQL text fixed
            raise ValueError(f"bad read operator {op!r}")
        return self.conn.execute(
            # ``(read_at IS NULL) = 0`` is the first term of the read-order index: a search
            # of its read rows only.
            f"SELECT id FROM papers WHERE (read_at IS NULL) = 0 AND substr(read_at, 1, 10) {op} ?",
            (day,),
        )

    # ---------------------------------------------------------------- orders
    def ordered_ids(self, sort: SortKey) -> sqlite3.Cursor:
        """``(id,)`` of every paper in ``sort`` order (:data:`readq.store.SORT_SQL`)."""
        return self.conn.execute(f"SELECT id FROM papers ORDER BY {sort_sql(sort)}")

    def queued_ids(self) -> sqlite3.Cursor:
        """``(id,)`` of the queued papers by place (their partial index)."""
        return self.conn.execute(
            "SELECT id FROM papers WHERE queue_pos IS NOT NULL ORDER BY queue_pos, id"
        )

    def sort_row(self, pid: int) -> Row | None:
        """The :data:`SORT_COLUMNS` of one paper (None if it is gone)."""
        found = self.conn.execute(
            f"SELECT {SORT_COLUMNS} FROM papers WHERE id = ?", (pid,)
        ).fetchone()
        return None if found is None else tuple(found)

    # ------------------------------------------------------------------ text
    def texts(self, pid: int) -> tuple[str, str] | None:
        """The title and abstract of one paper (None if it is gone)."""
        row = self.conn.execute(
            "SELECT title, abstract FROM papers WHERE id = ?", (pid,)
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def field_texts(
        self, fields: Sequence[Field], ids: Sequence[int], like: str | None
    ) -> sqlite3.Cursor:
        """``(id, value per field)`` of the papers ``ids``. With ``like`` (an escaped ``LIKE``
        pattern, ``\\`` escapes) each value is whether the field matches it, computed inside
        SQLite so that no text crosses into Python; else the field's text."""
        if like is not None:
            select = ", ".join(f"{_FIELD_COLUMNS[f]} LIKE ? ESCAPE '\\'" for f in fields)
            params: list[object] = [like] * len(fields)
        else:
            select = ", ".join(_FIELD_COLUMNS[f] for f in fields)
            params = []
        marks = ",".join("?" * len(ids))
        return self.conn.execute(
            f"SELECT id, {select} FROM papers WHERE id IN ({marks})", [*params, *ids]
        )
