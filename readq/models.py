"""Plain data types shared by every layer: papers, statuses, sort orders.

Nothing here touches the database or the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """Where a paper is in the reading queue."""

    NEW = "new"
    TO_READ = "to-read"
    READ = "read"

    @classmethod
    def parse(cls, text: str) -> Status:
        """Return the status named by ``text`` (``toread`` and ``to_read`` are accepted)."""
        cleaned = text.strip().lower().replace("_", "-")
        if cleaned == "toread":
            cleaned = "to-read"
        try:
            return cls(cleaned)
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown status {text!r} (expected one of: {names})") from None


STATUS_GLYPHS: dict[Status, str] = {Status.NEW: "•", Status.TO_READ: "»", Status.READ: "✓"}
"""One character per status, the same in the TUI's list and ``readq list``."""


class SortKey(StrEnum):
    """Orders a paper list can be shown in."""

    ADDED = "added"
    PUBLISHED = "published"
    UPVOTES = "upvotes"
    TITLE = "title"
    RELEVANCE = "relevance"
    READ = "read"
    """When the paper was marked read, latest first (papers never marked read come last)."""
    QUEUE = "queue"
    """The to-read queue's manual order ("next up" first); papers outside it come last."""
    RECOMMENDED = "recommended"
    """What the user's stars say they want first ("for you", :mod:`readq.discover`); in date
    added order until enough papers are starred (and wherever SQL alone orders the list)."""


@dataclass(frozen=True, slots=True)
class ScrapedPaper:
    """One paper as read from a listing, before it is stored.

    Only scraped fields: user state (status, star, note) never comes from a listing.
    """

    title: str
    abstract: str = ""
    title_derived: bool = False
    published: str | None = None
    published_text: str | None = None
    upvotes: int | None = None
    authors: int | None = None
    org: str | None = None
    urls: tuple[str, ...] = ()
    arxiv_id: str | None = None
    """The arXiv identifier without its version (``2612.04011``, ``hep-th/9901001``)."""
    arxiv_version: int | None = None
    """The newest version the page showed (``v2`` -> 2), when it showed one."""
    author_names: tuple[str, ...] = ()
    """Author names in the page's order; ``authors`` is their count when names are known."""
    categories: tuple[str, ...] = ()
    """arXiv categories, primary first (``cs.LG``, ``cs.AI``)."""
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    abstract_partial: bool = False
    """The abstract is a truncated preview (arXiv search, Scholar): a full one replaces it."""
    summary: str | None = None
    """A one-line summary shown by the page (Hugging Face's AI summary), never the abstract."""


@dataclass(frozen=True, slots=True)
class Source:
    """A listing file a paper was seen in."""

    name: str
    path: str
    seen_at: str
    kind: str | None = None
    """The page kind of the ingest that read the file (``hf-daily``, ``arxiv-abs``,
    ``paste``...), when readq knows it: shown instead of a file name that means nothing a
    week later."""


@dataclass(frozen=True, slots=True)
class Paper:
    """A stored paper with its user state."""

    id: int
    title: str
    title_derived: bool
    abstract: str
    published: str | None
    published_text: str | None
    upvotes: int | None
    authors: int | None
    org: str | None
    urls: tuple[str, ...]
    status: Status
    starred: bool
    note: str
    added_at: str
    updated_at: str
    arxiv_id: str | None = None
    note_revision: int | None = None
    sources: tuple[Source, ...] = field(default=())
    arxiv_version: int | None = None
    author_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    abstract_partial: bool = False
    summary: str | None = None
    read_at: str | None = None
    """When the paper was (last) marked read; None when it is not read, or was read before
    readq kept the date (migration m006)."""
    tags: tuple[str, ...] = ()
    """The paper's tags, as shown (sorted case-insensitively); filled where a paper is read
    for display or export (``Store.get``, ``get_many``, ``list_papers``)."""

    def to_json(self) -> dict[str, object]:
        """Return the JSON form documented in the README (``list --json``, ``show --json``)."""
        return {
            "id": self.id,
            "title": self.title,
            "title_derived": self.title_derived,
            "abstract": self.abstract,
            "status": self.status.value,
            "starred": self.starred,
            "published": self.published,
            "published_text": self.published_text,
            "upvotes": self.upvotes,
            "authors": self.authors,
            "org": self.org,
            "arxiv_id": self.arxiv_id,
            "arxiv_version": self.arxiv_version,
            "author_names": list(self.author_names),
            "categories": list(self.categories),
            "comments": self.comments,
            "journal_ref": self.journal_ref,
            "doi": self.doi,
            "abstract_partial": self.abstract_partial,
            "summary": self.summary,
            "urls": list(self.urls),
            "sources": sorted({s.name for s in self.sources}),
            "note": self.note,
            "added_at": self.added_at,
            "updated_at": self.updated_at,
            "read_at": self.read_at,
            "tags": sorted(self.tags, key=str.casefold),
        }


@dataclass(frozen=True, slots=True)
class NoteRevision:
    """One saved version of a note."""

    id: int
    paper_id: int
    text: str
    created_at: str
    kind: str  # "save", "restore", "conflict", "import", "external"
    base_revision: int | None


@dataclass(frozen=True, slots=True)
class SavedView:
    """A named query the user keeps one key away (a tab after the five built-in views)."""

    name: str
    query: str
    position: int

    def to_json(self) -> dict[str, object]:
        """The JSON form (``readq view list --json`` adds ``count``; the backup keeps this)."""
        return {"name": self.name, "query": self.query, "position": self.position}


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts shown by ``readq stats`` and the TUI's view tabs."""

    total: int
    by_status: dict[Status, int]
    starred: int
    with_notes: int
