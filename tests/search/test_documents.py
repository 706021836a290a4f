"""The engine's rows: the one decoder and the named statements, on a small fictional library."""

from __future__ import annotations

import pytest

from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.search.documents import (
    COLUMNS,
    SORT_COLUMNS,
    STATUSES,
    LibraryRows,
    decode,
    year_of,
)
from readq.search.query import Field
from readq.store import Store

PAPERS = [
    ScrapedPaper("Wombat Burrows", "Tunnels under the paddock.", published="2024-05-01", upvotes=3),
    ScrapedPaper("Quokka Smiles", "A survey of 50% of smiles_and more.", org="Kestrel Labs"),
    ScrapedPaper("Emu Sprints", "Çà et là: running birds.", published="n.d."),
]


@pytest.fixture
def library(store: Store) -> Store:
    store.ingest(PAPERS, Source("t", "t.txt", "2025-01-01"), "test")
    store.set_status([2], Status.TO_READ)
    store.set_starred([3], True)
    store.save_note(1, "dig deeper")
    return store


def rows_of(store: Store) -> list[tuple[object, ...]]:
    return [tuple(r) for r in store.conn.execute(f"SELECT {COLUMNS} FROM papers ORDER BY id")]


def test_decode_reads_every_column_once(library: Store) -> None:
    first, second, third = (decode(r) for r in rows_of(library))
    assert (first.pid, first.title, first.note, first.year) == (
        1,
        "Wombat Burrows",
        "dig deeper",
        2024,
    )
    assert STATUSES[first.status] is Status.NEW and first.starred == 0
    assert second.org == "Kestrel Labs" and STATUSES[second.status] is Status.TO_READ
    assert second.note == "" and second.year == 0
    assert third.starred == 1 and third.org == "" and third.year == 0
    assert first.updated and first.updated == str(rows_of(library)[0][-1])


def test_decode_digests_change_with_what_they_cover(library: Store) -> None:
    before = decode(rows_of(library)[0])
    library.rename(1, "Wombat Tunnels")
    renamed = decode(rows_of(library)[0])
    assert renamed.text_hash != before.text_hash and renamed.sort_hash == before.sort_hash
    library.conn.execute("UPDATE papers SET upvotes = 9 WHERE id = 1")
    voted = decode(rows_of(library)[0])
    assert voted.sort_hash != renamed.sort_hash and voted.text_hash == renamed.text_hash
    library.set_status([1], Status.READ)
    library.save_note(1, "another note")
    stated = decode(rows_of(library)[0])
    assert (stated.text_hash, stated.sort_hash) == (voted.text_hash, voted.sort_hash)


def test_decode_refuses_an_unknown_status() -> None:
    row = (1, "T", "A", "", "", "maybe", 0, None, None, "2025")
    with pytest.raises(ValueError):
        decode(row)


@pytest.mark.parametrize(
    ("published", "year"),
    [("2024-05-01", 2024), ("1999", 1999), ("n.d.", 0), ("", 0), (None, 0), ("24-05", 0)],
)
def test_year_of(published: object, year: int) -> None:
    assert year_of(published) == year


def test_statements(library: Store) -> None:
    rows = LibraryRows(library)
    assert rows.count() == 3 and rows.live_count() == 3
    assert rows.id_at(1) == 2 and rows.id_at(3) is None
    assert [r[0] for r in rows.rows_below(2)] == [1]
    assert [r[0] for r in rows.rows_from(2)] == [2, 3]
    assert [r[0] for r in rows.rows_after(1)] == [2, 3]
    assert rows.count_after(0, 2) == 2  # counts no further than the limit
    assert [r[0] for r in rows.ids_with_status(Status.TO_READ)] == [2]
    assert [r[0] for r in rows.starred_ids()] == [3]
    library.trash([3])
    assert [r[0] for r in rows.trashed_ids()] == [3]
    assert sorted(r[0] for r in rows.live_ids()) == [1, 2]
    assert rows.live_count() == 2 and rows.count() == 3
    newest = max(decode(r).updated for r in rows_of(library))
    assert rows.changed_rows(newest, 3) == []
    assert sorted(r[0] for r in rows.changed_rows("", 2)) == [1, 2]  # up to id 2 only
    assert rows.texts(2) == ("Quokka Smiles", "A survey of 50% of smiles_and more.")
    assert rows.texts(99) is None
    row = rows.sort_row(1)
    assert row is not None and len(row) == len(SORT_COLUMNS.split(","))
    assert [r[0] for r in rows.ordered_ids(SortKey.TITLE)] == [3, 2, 1]


def test_read_day_operator_is_checked_before_any_sql(library: Store) -> None:
    with pytest.raises(ValueError, match="bad read operator"):
        LibraryRows(library).read_ids("; DROP TABLE papers; --", "2025-01-01")
    library.set_status([1], Status.READ)
    assert [r[0] for r in LibraryRows(library).read_ids(">=", "2000-01-01")] == [1]


def test_field_texts_matches_inside_sqlite_or_returns_text(library: Store) -> None:
    rows = LibraryRows(library)
    fields = [Field.TITLE, Field.ABSTRACT, Field.ORG]
    # "%" and "_" in the needle are escaped: they match themselves only.
    found = {r[0]: tuple(r[1:]) for r in rows.field_texts(fields, [1, 2], "%50\\% of smiles\\_%")}
    assert found == {1: (0, 0, 0), 2: (0, 1, 0)}
    texts = {r[0]: tuple(r[1:]) for r in rows.field_texts([Field.NOTE, Field.ORG], [1, 3], None)}
    assert texts == {1: ("dig deeper", ""), 3: ("", "")}
