"""The export formats and the names an export suggests: value types and a pure function.

They live apart from :mod:`readq.export` (which reads the library and writes files) so that
the TUI's export dialog can offer the formats without importing the writers: the TUI imports
only the library and value types (an import-linter contract in ``pyproject.toml``).
``readq.export`` re-exports them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class ExportFormat(StrEnum):
    """The formats readq writes."""

    JSON = "json"
    BIBTEX = "bibtex"
    MARKDOWN = "markdown"
    OBSIDIAN = "obsidian"
    CSV = "csv"

    @property
    def extension(self) -> str:
        """The usual file extension ("" for the Obsidian directory)."""
        return {"json": ".json", "bibtex": ".bib", "markdown": ".md", "csv": ".csv"}.get(
            self.value, ""
        )


def suggested_name(fmt: ExportFormat | str, *, now: datetime | None = None) -> str:
    """A file (or, for obsidian, directory) name for an export: ``readq-20240305-101500.bib``."""
    fmt = ExportFormat(fmt)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    suffix = "-vault" if fmt is ExportFormat.OBSIDIAN else fmt.extension
    return f"readq-{stamp}{suffix}"
