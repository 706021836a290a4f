"""Reading listings into the library: format detection, parsing, dedupe and merge.

``ingest_paths`` is what the CLI and the TUI call. Each file is one transaction: a file that
fails leaves the library as it was, and the other files are still ingested.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from readq.ingest.detect import ListingFormat, detect_format
from readq.ingest.errors import IngestError
from readq.ingest.parse import find_listing_year, parse_source
from readq.ingest.reader import TextSource, open_listing
from readq.models import ScrapedPaper, Source
from readq.store import IngestResult, ScrapedRow, Store, now_iso, scraped_values
from readq.textclean import dedupe_keys

__all__ = [
    "FileReport",
    "IngestError",
    "ListingFormat",
    "ingest_paths",
    "ingest_text",
    "parse_source",
    "text_problem",
]

ProgressCallback = Callable[[str, int], None]
BYTES_PER_PAPER = 2000
"""A rough size of one paper in a listing (for :meth:`Store.ingest_keyed`'s ``expected``)."""


@dataclass(slots=True)
class FileReport:
    """The outcome of one file: counts, or the one-line error that stopped it."""

    name: str
    path: str
    format: str = ""
    result: IngestResult | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file was ingested."""
        return self.error is None


def ingest_source(
    store: Store,
    source: TextSource,
    *,
    listing_year: int | None = None,
    progress: ProgressCallback | None = None,
) -> FileReport:
    """Ingest one opened listing in one transaction."""
    report = FileReport(name=source.name, path=source.path)
    try:
        from readq.ingest import parallel

        fmt = detect_format(source.lines()) if parallel.eligible(source) else None
        items: Iterator[ScrapedRow]
        if fmt in (ListingFormat.HF, ListingFormat.ARXIV):
            today = date.today()
            find_year = None
            if fmt is ListingFormat.HF and not listing_year:
                find_year = functools.partial(find_listing_year, source, today)
            items = parallel.parse_in_child(
                source, listing_year=listing_year, today=today, find_year=find_year
            )
        else:
            fmt, papers = parse_source(source, listing_year=listing_year)
            items = _rows(papers)
        assert fmt is not None
        report.format = fmt.value
        stream = _with_progress(items, source.name, progress)
        first = next(stream, None)
        if first is None:
            raise IngestError(source.name, "no papers found")
        result = store.ingest_rows(
            itertools.chain([first], stream),
            Source(name=source.name, path=source.path, seen_at=now_iso()),
            fmt.value,
            expected=source.size // BYTES_PER_PAPER,
        )
        report.result = result
    except IngestError as exc:
        report.error = str(exc)
    report.warnings = list(source.warnings)
    return report


def ingest_paths(
    store: Store,
    paths: Sequence[str],
    *,
    listing_year: int | None = None,
    progress: ProgressCallback | None = None,
) -> list[FileReport]:
    """Ingest each path (``-`` is stdin); a failing file does not stop the others."""
    reports: list[FileReport] = []
    for path in paths:
        try:
            source = open_listing(path)
        except IngestError as exc:
            reports.append(FileReport(name=path, path=path, error=str(exc)))
            continue
        reports.append(ingest_source(store, source, listing_year=listing_year, progress=progress))
    return reports


def ingest_text(
    store: Store, text: str, *, name: str = "<pasted>", listing_year: int | None = None
) -> FileReport:
    """Ingest listing text held in memory (the TUI's paste dialog)."""
    import io

    data = text.encode("utf-8")
    if not text.strip():
        return FileReport(name=name, path=name, error=f"{name}: is empty")
    source = TextSource(
        name=name, path=name, encoding="utf-8-sig", size=len(data), _opener=lambda: io.BytesIO(data)
    )
    return ingest_source(store, source, listing_year=listing_year)


def text_problem(text: str, *, name: str = "<pasted>") -> str | None:
    """Why ``text`` would ingest no papers (one line, as an ingest would say it), or None
    when it holds at least one. Parses only up to the first paper: cheap for a big paste.
    The TUI asks before closing its paste dialog, so that such a paste is not lost."""
    import io

    if not text.strip():
        return f"{name}: is empty"
    data = text.encode("utf-8", "surrogatepass")
    source = TextSource(
        name=name, path=name, encoding="utf-8-sig", size=len(data), _opener=lambda: io.BytesIO(data)
    )
    try:
        # Any year will do to find out whether there are papers: skip the listing's year scan.
        _fmt, papers = parse_source(source, listing_year=date.today().year)
        if next(papers, None) is None:
            return f"{name}: no papers found"
    except IngestError as exc:
        return str(exc)
    return None


def _rows(papers: Iterable[ScrapedPaper]) -> Iterator[ScrapedRow]:
    for paper in papers:
        yield scraped_values(paper, *dedupe_keys(paper.title, paper.abstract))


def _with_progress(
    items: Iterator[ScrapedRow], name: str, progress: ProgressCallback | None
) -> Iterator[ScrapedRow]:
    if progress is None:
        return items
    return _counted(items, name, progress)


def _counted(
    items: Iterable[ScrapedRow], name: str, progress: ProgressCallback
) -> Iterator[ScrapedRow]:
    for count, item in enumerate(items, start=1):
        if count % 2000 == 0:
            progress(name, count)
        yield item
