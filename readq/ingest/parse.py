"""Which papers a listing file holds: detect its format and parse it as a stream.

Its own module so that the parallel parser's child (``readq.ingest.parallel``) runs exactly
the parse the main process would, without importing the package that starts it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date

from readq.ingest.arxiv import iter_arxiv
from readq.ingest.detect import ListingFormat, detect_format
from readq.ingest.errors import IngestError
from readq.ingest.hf import infer_listing_year, iter_hf, scan_years, scan_years_bytes
from readq.ingest.reader import TextSource
from readq.models import ScrapedPaper


def parse_source(
    source: TextSource, *, listing_year: int | None = None, today: date | None = None
) -> tuple[ListingFormat, Iterator[ScrapedPaper]]:
    """Detect the format of ``source`` and return its papers as a stream."""
    fmt = detect_format(source.lines())
    if fmt is ListingFormat.HF:
        today = today or date.today()
        year = listing_year or find_listing_year(source, today)
        return fmt, iter_hf(_all_lines(source), listing_year=year, today=today)
    if fmt is ListingFormat.ARXIV:
        return fmt, iter_arxiv(_all_lines(source))
    if fmt in (ListingFormat.BIBTEX, ListingFormat.ATOM, ListingFormat.JSON):
        raise IngestError(
            source.name, f"looks like a {fmt.value} file, not a listing; use `readq import`"
        )
    raise IngestError(source.name, "no papers found (not a Hugging Face or arXiv listing)")


def find_listing_year(source: TextSource, today: date) -> int:
    """The year of a Hugging Face listing's year-less dates, from a scan of its raw bytes
    (of its lines when ASCII is not its own bytes: UTF-16 and UTF-32)."""
    if not source.ascii_compatible:
        return infer_listing_year(scan_years(source.lines()), today)
    return infer_listing_year(scan_years_bytes(source.byte_chunks(), source.encoding), today)


def _all_lines(source: TextSource) -> Iterator[str]:
    """The lines of ``source`` (as :meth:`TextSource.lines`), read in chunk-sized lists."""
    return itertools.chain.from_iterable(source.line_batches())
