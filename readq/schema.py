"""The names of readq's schema migrations, importable without ``sqlite_utils``.

Opening a library checks these names against the ``_sqlite_migrations`` table with plain
``sqlite3``. ``sqlite_utils`` (and its plugin scan, ~170 ms together on this machine) is only
imported when a migration is pending, which keeps it out of every ``readq`` start.
``tests/store/test_migrations.py`` checks that this list and ``readq.migrations`` agree.
"""

from __future__ import annotations

MIGRATION_SET = "readq"
"""The ``migration_set`` of readq's rows in ``_sqlite_migrations``."""

MIGRATION_NAMES: tuple[str, ...] = (
    "m001_initial",
    "m002_sort_indexes",
    "m003_updated_at_index",
    "m004_format_char_keys",
    "m005_identity",
    "m006_read_dates",
    "m007_trash",
    "m008_tags",
    "m009_views_queue",
    "m010_discover",
    "m011_sync",
    "m012_sync_records",
    "m013_sync_dismissed",
)
"""Every migration this readq knows, in order."""

__all__ = ["MIGRATION_NAMES", "MIGRATION_SET"]
