"""Errors raised while reading a listing: each one a single line naming the file."""

from __future__ import annotations


class IngestError(Exception):
    """A listing that cannot be ingested (missing, unreadable, binary, empty, no papers...)."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem
