"""A stored rule, as a value: what the TUI's rules screen shows without importing the module
that applies rules to the library (the TUI imports only the library and value types, an
import-linter contract in ``pyproject.toml``). ``readq.rules`` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """A stored rule: number (its id, what ``rule remove`` takes), tag and query text."""

    id: int
    tag: str
    query: str
    created_at: str
