"""Reading listings into the library: format detection, parsing, dedupe and merge.

``ingest_paths`` is what the CLI and the TUI call. Each file is one transaction: a file that
fails leaves the library as it was, and the other files are still ingested.
"""

from __future__ import annotations

import collections
import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from readq.ingest.arxiv import iter_arxiv
from readq.ingest.arxiv_abs import parse_arxiv_abs
from readq.ingest.arxiv_email import parse_arxiv_email
from readq.ingest.arxiv_list import parse_arxiv_list
from readq.ingest.arxiv_search import parse_arxiv_search
from readq.ingest.blocks import (
    PagesFound,
    Span,
    check_page_anchors,
    find_spans,
    has_page_anchors,
)
from readq.ingest.common import Parsed
from readq.ingest.detect import PAGE_CHROME, ListingFormat, detect_format
from readq.ingest.errors import IngestError
from readq.ingest.fields import AUTHORS_LINE, parse_date_line
from readq.ingest.hf import infer_listing_year, iter_hf, scan_years, scan_years_bytes
from readq.ingest.hf_collection import parse_hf_collection
from readq.ingest.hf_paper import parse_hf_paper
from readq.ingest.hf_trending import parse_hf_trending
from readq.ingest.reader import TextSource, open_listing
from readq.ingest.scholar import parse_scholar
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
SPLIT_MAX_BYTES = 4 << 20
"""Bigger files in a seed format are split into blocks only when their bytes hold another
shape's anchor line (the split reads the whole file into memory)."""
NO_PAPERS = "no papers found (not a page readq reads)"
SKIPPED_WARN_MIN = 5
"""A block that leaves at least this many lines unplaced says so in a warning."""
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


def parse_source(
    source: TextSource,
    *,
    listing_year: int | None = None,
    today: date | None = None,
    anchors_checked: bool = False,
) -> tuple[ListingFormat, Iterator[ScrapedPaper]]:
    """Detect the shape of ``source`` and return its papers as a stream.

    A file holding several pastes is split into blocks, each detected and parsed in its own
    shape (``MIXED`` is returned when they differ). A big file in a seed format (a Hugging
    Face listing, an abstract dump) whose bytes hold no other shape's anchor line streams
    through its parser as it always has, without the split (``anchors_checked``: the caller
    has made sure of that already, as the ingest's pre-scan does for the parser child)."""
    fmt = detect_format(source.lines())
    if fmt in (ListingFormat.BIBTEX, ListingFormat.ATOM, ListingFormat.JSON):
        raise IngestError(
            source.name, f"looks like a {fmt.value} file, not a listing; use `readq import`"
        )
    today = today or date.today()
    if (
        fmt in (ListingFormat.HF, ListingFormat.ARXIV, ListingFormat.UNKNOWN)
        and source.size > SPLIT_MAX_BYTES
        and (anchors_checked or not has_page_anchors(source.byte_chunks(), fmt))
    ):
        if fmt is ListingFormat.UNKNOWN:
            raise IngestError(source.name, NO_PAPERS)
        if fmt is ListingFormat.HF:
            year = listing_year or find_listing_year(source, today)
            hf = iter_hf(_all_lines(source), listing_year=year, today=today)
            return fmt, (p for p in hf if not is_chrome_title(p.title))
        return fmt, iter_arxiv(_all_lines(source))
    if source.size > SPLIT_MAX_BYTES:
        # Two passes over the file, neither holding it: where the pastes lie, then each read.
        spans = find_spans(_all_lines(source))
        shapes = {span.shape for span in spans} - {ListingFormat.UNKNOWN}
        if not shapes:
            raise IngestError(source.name, NO_PAPERS)
        shape = shapes.pop() if len(shapes) == 1 else ListingFormat.MIXED
        return shape, _stream_spans(source, spans, listing_year, today)
    lines = list(_all_lines(source))
    found: list[ListingFormat] = []
    papers: list[ScrapedPaper] = []
    for span in find_spans(lines):
        if span.shape is ListingFormat.UNKNOWN:
            continue
        part = lines[span.start : span.end]
        parsed = parse_block(span.shape, part, listing_year=listing_year, today=today)
        _warn_skipped(source, span, parsed)
        if parsed.papers:
            found.append(span.shape)
            papers.extend(parsed.papers)
    if not papers:
        raise IngestError(source.name, NO_PAPERS)
    shape = found[0] if len(set(found)) == 1 else ListingFormat.MIXED
    return shape, iter(papers)


def _stream_spans(
    source: TextSource, spans: list[Span], listing_year: int | None, today: date
) -> Iterator[ScrapedPaper]:
    """The papers of a big file's pastes, read again from the file one paste at a time (a
    Hugging Face listing or an abstract dump streams through its parser)."""
    lines = _all_lines(source)
    year = listing_year
    for span in spans:
        part = itertools.islice(lines, span.end - span.start)
        if span.shape is ListingFormat.HF:
            if year is None:
                year = find_listing_year(source, today)
            for paper in iter_hf(part, listing_year=year, today=today):
                if not is_chrome_title(paper.title):
                    yield paper
        elif span.shape is ListingFormat.ARXIV:
            yield from iter_arxiv(part)
        elif span.shape is not ListingFormat.UNKNOWN:
            parsed = parse_block(span.shape, part, listing_year=year, today=today)
            _warn_skipped(source, span, parsed)
            yield from parsed.papers
        collections.deque(part, maxlen=0)  # the lines a parser left unread


def _warn_skipped(source: TextSource, span: Span, parsed: Parsed) -> None:
    """Say how many lines a paste's reader could not place, when that is many."""
    if parsed.skipped >= SKIPPED_WARN_MIN:
        source.warnings.append(
            f"{span.shape.value} from line {span.start + 1}: "
            f"skipped {parsed.skipped} lines it could not place"
        )


def is_chrome_title(title: str) -> bool:
    """Whether a "title" that Hugging Face listing text gave is page chrome or a metadata line
    (a date, a count, "Upvote"): what a paste of chrome alone would otherwise store."""
    if title.casefold() in PAGE_CHROME or title.isdigit():
        return True
    return title[:1] in "JFMASOND•·∙*-" and (
        parse_date_line(title) is not None or AUTHORS_LINE.match(title) is not None
    )


def parse_block(
    shape: ListingFormat,
    lines: Iterable[str],
    *,
    listing_year: int | None = None,
    today: date | None = None,
) -> Parsed:
    """The papers of ``lines`` read in ``shape`` (one block of a file; see ``parse_source``)."""
    today = today or date.today()
    if shape is ListingFormat.HF:
        lines = lines if isinstance(lines, list) else list(lines)
        year = listing_year or infer_listing_year(scan_years(lines), today)
        hf = Parsed()
        for paper in iter_hf(lines, listing_year=year, today=today):
            if is_chrome_title(paper.title):
                hf.skipped += 1  # a page's chrome, not a paper (see PAGE_CHROME)
            else:
                hf.papers.append(paper)
        return hf
    if shape is ListingFormat.ARXIV:
        return Parsed(list(iter_arxiv(lines)))
    if shape is ListingFormat.ARXIV_LIST:
        return parse_arxiv_list(lines)
    if shape is ListingFormat.ARXIV_SEARCH:
        return parse_arxiv_search(lines)
    if shape is ListingFormat.ARXIV_ABS:
        return parse_arxiv_abs(lines)
    if shape is ListingFormat.ARXIV_EMAIL:
        return parse_arxiv_email(lines)
    if shape is ListingFormat.HF_PAPER:
        return parse_hf_paper(lines, today=today)
    if shape is ListingFormat.HF_TRENDING:
        return parse_hf_trending(lines, today=today)
    if shape is ListingFormat.HF_COLLECTION:
        return parse_hf_collection(lines, today=today)
    if shape is ListingFormat.SCHOLAR:
        return parse_scholar(lines)
    return Parsed()


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


def find_listing_year(source: TextSource, today: date) -> int:
    """The year of a Hugging Face listing's year-less dates, from a scan of its raw bytes
    (of its lines when ASCII is not its own bytes: UTF-16 and UTF-32)."""
    if not source.ascii_compatible:
        return infer_listing_year(scan_years(source.lines()), today)
    return infer_listing_year(scan_years_bytes(source.byte_chunks(), source.encoding), today)


def _all_lines(source: TextSource) -> Iterator[str]:
    """The lines of ``source`` (as :meth:`TextSource.lines`), read in chunk-sized lists."""
    return itertools.chain.from_iterable(source.line_batches())


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
        result = store.ingest_rows(
            itertools.chain([first], stream),
            Source(name=source.name, path=source.path, seen_at=now_iso()),
            fmt.value,
            expected=source.size // BYTES_PER_PAPER,
        )
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
