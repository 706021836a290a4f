"""The store's value types: its errors, a paper's saved state and the view-name limit.

They live apart from :mod:`readq.store` so that a front end can name them (catch a
``StoreError``, hold a ``PaperState`` for undo, bound a view name's length) without importing
the module that opens connections: the TUI imports only the library and value types, and an
import-linter contract in ``pyproject.toml`` holds it to that. ``readq.store`` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from readq.models import Status


class StoreError(Exception):
    """A problem with the library file that the user must hear about (one clear line)."""


class UnknownPaperError(KeyError):
    """No paper has this id."""

    def __init__(self, paper_id: int) -> None:
        super().__init__(paper_id)
        self.paper_id = paper_id

    def __str__(self) -> str:
        return f"no paper with id {self.paper_id}"


@dataclass(frozen=True, slots=True)
class PaperState:
    """The user state of one paper, as saved for undo and redo."""

    id: int
    status: Status
    starred: bool
    read_at: str | None = None
    """When it was marked read (undo puts the date back with the status)."""
    queue_pos: float | None = None
    """Its place in the to-read queue (undo puts a paper back where it was in the queue)."""


class QueueError(ValueError):
    """A queue move that cannot be done (the paper, or the one it goes next to, is not in
    the to-read queue); the message says which, in one line."""


class ViewError(ValueError):
    """A saved view that cannot be added or found (the message says why, in one line)."""


VIEW_NAME_MAX = 30
"""A view's name is a tab label: at most this many characters."""
