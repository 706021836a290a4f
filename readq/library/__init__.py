"""readq's application layer, shared by the CLI and the TUI.

Core (store, ingest, search, export, notes) < library < front ends (``readq.cli``,
``readq.tui``). The library never imports Textual, Rich or click; the core never imports the
library. ``Library`` is the facade: each action returns a plain outcome that each front end
renders its own way.
"""

from __future__ import annotations

from readq.library.facade import Library
from readq.library.outcomes import (
    Level,
    Report,
    StateOutcome,
    UndoOutcome,
    export_report,
    ingest_report,
)

__all__ = [
    "Level",
    "Library",
    "Report",
    "StateOutcome",
    "UndoOutcome",
    "export_report",
    "ingest_report",
]
