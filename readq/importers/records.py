"""What an import file yields before it is applied: papers with their user state."""

from __future__ import annotations

from dataclasses import dataclass, field

from readq.models import ScrapedPaper, Source, Status


@dataclass(frozen=True, slots=True)
class RevisionRecord:
    """One note revision as written in a readq JSON export (ids are the exporter's)."""

    id: int | None
    text: str
    created_at: str
    kind: str
    base: int | None


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One paper from an import file: scraped fields plus whatever user state the file has.

    ``status`` None means the file does not say (BibTeX and Atom say nothing of it).
    """

    paper: ScrapedPaper
    status: Status | None = None
    starred: bool = False
    note: str = ""
    old_id: int | None = None
    note_revision: int | None = None
    revisions: tuple[RevisionRecord, ...] = ()
    sources: tuple[Source, ...] = ()
    added_at: str | None = None
    updated_at: str | None = None
    deleted_at: str | None = None
    """When the paper was moved to the trash (a readq JSON backup says): it comes back in
    the trash. None: not in the trash, or the file does not say."""
    read_at: str | None = None
    """When the paper was marked read (only kept for a read paper)."""
    queue_pos: float | None = None
    """Its place in the to-read queue (only kept for a to-read paper)."""
    tags: tuple[str, ...] = ()
    tags_removed: tuple[str, ...] = ()
    """Tag keys the user removed by hand (no rule puts them back)."""
    not_interested_at: str | None = None
    """When the user said "not interested" (a readq JSON backup says); None: never."""


@dataclass(frozen=True, slots=True)
class RuleRecord:
    """A tagging rule carried by a complete readq JSON export."""

    tag: str
    query: str
    created_at: str | None


@dataclass(frozen=True, slots=True)
class IngestLogRecord:
    """One row of the ingest log carried by a complete readq JSON export."""

    id: int | None
    name: str
    path: str
    format: str
    at: str
    papers: int
    new: int
    merged: int


@dataclass(slots=True)
class ParsedImport:
    """An import file, parsed and validated, not yet applied.

    ``keeps_ids``: a readq export whose ids (and note revision ids) may be restored as they
    are into an empty library; ``complete``: it holds the whole library and its ingest log.
    """

    format: str
    records: list[ImportRecord]
    ingests: list[IngestLogRecord] = field(default_factory=list)
    complete: bool = False
    keeps_ids: bool = False
    warnings: list[str] = field(default_factory=list)
    views: list[tuple[str, str]] = field(default_factory=list)
    """Saved views (name, query) of a complete readq export, in tab order."""
    rules: list[RuleRecord] = field(default_factory=list)
