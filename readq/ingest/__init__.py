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

from readq.ingest.blocks import PagesFound, check_page_anchors
from readq.ingest.detect import ListingFormat, detect_format
from readq.ingest.errors import IngestError
from readq.ingest.hf import infer_listing_year, scan_years_bytes
from readq.ingest.parse import parse_block, parse_source
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
    "parse_block",
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


def _prescan(source: TextSource, fmt: ListingFormat, listing_year: int | None, today: date) -> int:
    """What the parent reads of a big seed-format file while the parser child starts: whether
    another paste's anchor line is in it (``PagesFound``: the file is split in-process), and
    in the same pass over its bytes, unless ``listing_year`` is given, a Hugging Face
    listing's year (see :func:`find_listing_year`). The child is told the year and that the
    file holds no other paste."""
    chunks = check_page_anchors(source.byte_chunks(), fmt)
    if listing_year or fmt is not ListingFormat.HF:
        for _data in chunks:
            pass
        return listing_year or 0
    return infer_listing_year(scan_years_bytes(chunks, source.encoding), today)


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
        read_as: list[str] = []  # the format the parser child read the file in
        first: ScrapedRow | None = None
        if fmt in (ListingFormat.HF, ListingFormat.ARXIV):
            today = date.today()
            prescan = functools.partial(_prescan, source, fmt, listing_year, today)
            items = parallel.parse_in_child(
                source,
                listing_year=listing_year,
                today=today,
                find_year=prescan,
                on_format=read_as.append,
            )
            stream = _with_progress(items, source.name, progress)
            try:
                first = next(stream, None)
            except PagesFound:
                # Another paste in the file: a new child splits it (that one was ended).
                items = parallel.parse_in_child(
                    source, listing_year=listing_year, today=today, on_format=read_as.append
                )
                stream = _with_progress(items, source.name, progress)
                first = next(stream, None)
        else:
            fmt, papers = parse_source(source, listing_year=listing_year)
            stream = _with_progress(_rows(papers), source.name, progress)
            first = next(stream, None)
        report.format = fmt.value
        if first is None:
            raise IngestError(source.name, "no papers found")
        # The rules live beside the search language: imported here, not by the parser
        # children that import this package (start-up cost).
        from readq.rules import apply_to_new

        with store.write():  # the papers and the tags their rules give them: one transaction
            result = store.ingest_rows(
                itertools.chain([first], stream),
                Source(name=source.name, path=source.path, seen_at=now_iso()),
                fmt.value,
                expected=source.size // BYTES_PER_PAPER,
            )
            apply_to_new(store, result.new_ids)
        report.result = result
        if read_as:
            report.format = read_as[-1]
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
