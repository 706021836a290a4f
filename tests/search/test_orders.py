"""Sorting is defined once: the engine's Python key (used to re-place changed papers in its
precomputed orders) orders rows exactly as SQLite's ``ORDER BY store.SORT_SQL`` does, and the
reversed ``ORDER BY`` (``store.sort_sql(..., reverse=True)``) is the exact reverse."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from readq.models import SortKey
from readq.search.documents import SORT_COLUMNS
from readq.search.orders import sort_key
from readq.store import sort_sql

PRECOMPUTED = (
    SortKey.TITLE,
    SortKey.PUBLISHED,
    SortKey.UPVOTES,
    SortKey.ADDED,
    SortKey.READ,
    SortKey.QUEUE,
)

# Titles mix cases, ASCII and non-ASCII letters (COLLATE NOCASE folds ASCII only), common
# prefixes and equal titles; dates are ISO strings of different precision, or absent. Added
# stamps repeat (the papers of one ingest share one); read stamps may be absent.
TITLES = st.text(alphabet="aAbBzZ éÉßİı_-1", max_size=6)
DATES = st.none() | st.sampled_from(["2024", "2024-01", "2024-01-02", "2023-12-31", "2024-1"])
UPVOTES = st.none() | st.integers(min_value=-3, max_value=3)
STAMPS = st.sampled_from(
    ["2026-12-03T17:30:00.000001+00:00", "2026-12-03T17:30:00.000002+00:00", "2026-01-01"]
)
# Queue places repeat (a restored undo step may tie two papers), go negative (moved to the
# top) and are halves (moved between two papers); most papers have none (not to read).
PLACES = st.none() | st.sampled_from([-1.0, 0.5, 1.0, 2.0, 1.75, 3.0])
ROWS = st.lists(
    st.tuples(TITLES, DATES, UPVOTES, STAMPS, st.none() | STAMPS, PLACES),
    max_size=25,
)


def _table(rows: list[tuple[object, ...]]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE papers (id INTEGER PRIMARY KEY, title, published, upvotes, added_at, "
        "read_at, queue_pos REAL)"
    )
    conn.executemany(
        "INSERT INTO papers (id, title, published, upvotes, added_at, read_at, queue_pos) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(pid, *row) for pid, row in enumerate(rows, start=1)],
    )
    return conn


@settings(max_examples=300, deadline=None)
@given(ROWS, st.sampled_from(PRECOMPUTED))
def test_the_python_key_orders_rows_as_order_by_does(
    rows: list[tuple[object, ...]], sort: SortKey
) -> None:
    conn = _table(rows)
    by_sql = [r[0] for r in conn.execute(f"SELECT id FROM papers ORDER BY {sort_sql(sort)}")]
    stored = conn.execute(f"SELECT {SORT_COLUMNS} FROM papers").fetchall()
    by_key = [r[0] for r in sorted(stored, key=lambda r: sort_key(sort, r))]
    conn.close()
    assert by_key == by_sql


@settings(max_examples=200, deadline=None)
@given(ROWS, st.sampled_from([*PRECOMPUTED, SortKey.RELEVANCE]))
def test_the_reversed_order_by_is_the_exact_reverse(
    rows: list[tuple[object, ...]], sort: SortKey
) -> None:
    conn = _table(rows)
    forward = [r[0] for r in conn.execute(f"SELECT id FROM papers ORDER BY {sort_sql(sort)}")]
    backward = [
        r[0] for r in conn.execute(f"SELECT id FROM papers ORDER BY {sort_sql(sort, reverse=True)}")
    ]
    conn.close()
    assert backward == forward[::-1]
