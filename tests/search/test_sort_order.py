"""Sorting is defined once: the engine's Python key (used to re-place changed papers in its
precomputed orders) orders rows exactly as SQLite's ``ORDER BY store.SORT_SQL`` does."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from readq.models import SortKey
from readq.search.engine import _sort_key
from readq.store import SORT_SQL

PRECOMPUTED = (SortKey.TITLE, SortKey.PUBLISHED, SortKey.UPVOTES)

# Titles mix cases, ASCII and non-ASCII letters (COLLATE NOCASE folds ASCII only), common
# prefixes and equal titles; dates are ISO strings of different precision, or absent.
TITLES = st.text(alphabet="aAbBzZ éÉßİı_-1", max_size=6)
DATES = st.none() | st.sampled_from(["2024", "2024-01", "2024-01-02", "2023-12-31", "2024-1"])
UPVOTES = st.none() | st.integers(min_value=-3, max_value=3)
ROWS = st.lists(st.tuples(TITLES, DATES, UPVOTES), max_size=25)


@settings(max_examples=300, deadline=None)
@given(ROWS, st.sampled_from(PRECOMPUTED))
def test_the_python_key_orders_rows_as_order_by_does(
    rows: list[tuple[str, str | None, int | None]], sort: SortKey
) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE papers (id INTEGER PRIMARY KEY, title, published, upvotes)")
    conn.executemany(
        "INSERT INTO papers (id, title, published, upvotes) VALUES (?, ?, ?, ?)",
        [(pid, *row) for pid, row in enumerate(rows, start=1)],
    )
    by_sql = [r[0] for r in conn.execute(f"SELECT id FROM papers ORDER BY {SORT_SQL[sort]}")]
    stored = conn.execute("SELECT id, title, published, upvotes FROM papers").fetchall()
    by_key = [r[0] for r in sorted(stored, key=lambda r: _sort_key(sort, r))]
    conn.close()
    assert by_key == by_sql
