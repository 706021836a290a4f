"""Which papers a listing file holds: detect its page shape(s) and parse them as a stream.

Its own module so that the parallel parser's child (``readq.ingest.parallel``) runs exactly
the parse the main process would, without importing the package that starts it. A file
holding several pastes is split into blocks, each read in its own shape.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Iterable, Iterator
from datetime import date

from readq.ingest.arxiv import iter_arxiv
from readq.ingest.arxiv_abs import parse_arxiv_abs
from readq.ingest.arxiv_email import parse_arxiv_email
from readq.ingest.arxiv_list import parse_arxiv_list
from readq.ingest.arxiv_search import parse_arxiv_search
from readq.ingest.blocks import (
    Span,
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
from readq.ingest.reader import TextSource
from readq.ingest.scholar import parse_scholar
from readq.models import ScrapedPaper

SPLIT_MAX_BYTES = 4 << 20
"""Bigger files in a seed format are split into blocks only when their bytes hold another
shape's anchor line (the split reads the whole file into memory)."""
NO_PAPERS = "no papers found (not a page readq reads)"
SKIPPED_WARN_MIN = 5
"""A block that leaves at least this many lines unplaced says so in a warning."""


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


def find_listing_year(source: TextSource, today: date) -> int:
    """The year of a Hugging Face listing's year-less dates, from a scan of its raw bytes
    (of its lines when ASCII is not its own bytes: UTF-16 and UTF-32)."""
    if not source.ascii_compatible:
        return infer_listing_year(scan_years(source.lines()), today)
    return infer_listing_year(scan_years_bytes(source.byte_chunks(), source.encoding), today)


def _all_lines(source: TextSource) -> Iterator[str]:
    """The lines of ``source`` (as :meth:`TextSource.lines`), read in chunk-sized lists."""
    return itertools.chain.from_iterable(source.line_batches())
