"""Where a paper came from, in words a reader recognises a week later.

A source is stored as the file's name and path, when it was read and the page kind of the
ingest that read it (``hf``, ``arxiv-abs``...). A file name such as
``001_4f9977b8d1adb11e.txt`` means nothing later; "Hugging Face daily papers, 3 Dec 2026"
does. The CLI's ``show`` and the TUI's detail pane both describe sources with this module, and
show file names only on request. Pure functions: no database, no terminal.
"""

from __future__ import annotations

from datetime import datetime

from readq.models import Source

PASTED_PATH = "<pasted>"
"""The path of a source that was text pasted into the TUI (``readq.ingest.ingest_text``)."""

KIND_LABELS: dict[str, str] = {
    "hf": "Hugging Face daily papers",
    "hf-paper": "Hugging Face paper page",
    "hf-trending": "Hugging Face trending papers",
    "hf-collection": "Hugging Face collection",
    "arxiv": "arXiv listing",
    "arxiv-list": "arXiv list page",
    "arxiv-search": "arXiv search results",
    "arxiv-abs": "arXiv abstract page",
    "arxiv-email": "arXiv email digest",
    "arxiv-api": "arXiv API",
    "scholar": "Google Scholar results",
    "mixed": "several pasted pages",
    "bibtex": "BibTeX file",
    "atom": "Atom feed",
    "json": "readq JSON",
}
"""Words for each ingest format (``readq.ingest.detect.ListingFormat`` values and the API)."""


def kind_label(kind: str | None) -> str | None:
    """Words for a page kind; an import (``import-bibtex``) is "BibTeX file import"; an
    unknown kind is shown as it is stored, None stays None."""
    if not kind:
        return None
    if kind.startswith("import-"):
        inner = kind.removeprefix("import-")
        return f"{KIND_LABELS.get(inner, inner)} import"
    return KIND_LABELS.get(kind, kind)


def human_day(stamp: str) -> str | None:
    """``3 Dec 2026`` for an ISO 8601 stamp (the UTC day readq stored), None when ``stamp``
    is not one (an import may carry no date)."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return f"{when.day} {when:%b %Y}"


def human_time(stamp: str | None) -> str:
    """``2026-12-03 17:30`` for an ISO 8601 stamp (UTC, as stored; no microseconds), the text
    itself when it is not one, ``-`` for None."""
    if stamp is None:
        return "-"
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return f"{when:%Y-%m-%d %H:%M}"


def describe(source: Source) -> str:
    """One source in words: "Hugging Face daily papers, 3 Dec 2026", "pasted on 3 Dec 2026
    (Hugging Face daily papers)", or the file's name when readq knows nothing better."""
    day = human_day(source.seen_at)
    label = kind_label(source.kind)
    if source.path == PASTED_PATH:
        said = f"pasted on {day}" if day else "pasted"
        return f"{said} ({label})" if label else said
    what = label or source.name
    return f"{what}, {day}" if day else what


def describe_all(sources: tuple[Source, ...] | list[Source]) -> list[str]:
    """Each source described once (a file read twice on one day is one line), oldest first."""
    return list(dict.fromkeys(describe(s) for s in sources))


def file_names(sources: tuple[Source, ...] | list[Source]) -> list[str]:
    """The distinct paths of the files a paper came from (pasted text has none)."""
    return list(dict.fromkeys(s.path for s in sources if s.path != PASTED_PATH))
