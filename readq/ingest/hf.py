"""The Hugging Face papers-page format: text copied from "Daily Papers" or paper search.

After page chrome ("new", "Subscribe", "Daily Papers", a date), each paper is a title line, an
abstract line, and optionally a metadata block: an author count ("• 5 authors") or an
organisation line ("apple Apple"), a "·" line, and a date with optional upvotes
("Sep 20, 2024 6", "Oct 16 3"). Blank lines carry no meaning.

A date without a year is in the listing's year: the year after the newest explicit year in the
same file (Hugging Face writes the year only for papers from earlier years), never later than
the current year, or the current year when no date in the file has one. A date that would then
lie in the future is taken from the year before. ``listing_year`` overrides all of this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from readq.ingest.fields import (
    AUTHORS_LINE,
    DATE_LINE,
    ListingDate,
    find_urls,
    parse_date_line,
    resolve_date,
)
from readq.models import ScrapedPaper
from readq.textclean import clean_line

CHROME_LINES = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "trending papers",
        "papers",
        "search",
        "sign up",
        "log in",
    }
)
ORG_LINE_MAX = 80
DATE_LINE_MAX = 40
TITLE_MAX = 400
_MONTH_INITIALS = frozenset("JFMASOND")
# A line (after its newline) that starts with a month's name and has a comma, as every date
# line with a year does.
_MONTH_LINE_BYTES = re.compile(
    rb"\n((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[^\n,]*,[^\n]*)"
)


@dataclass(slots=True)
class _Draft:
    title: str
    abstract: str = ""
    authors: int | None = None
    org: str | None = None
    date: ListingDate | None = None


def _classify(lines: Iterable[str]) -> Iterator[str]:
    for raw in lines:
        if raw:
            line = clean_line(raw)
            if line:
                yield line


def parse_hf(
    lines: Iterable[str], *, listing_year: int | None = None, today: date | None = None
) -> list[ScrapedPaper]:
    """Parse a Hugging Face listing held in memory into papers (see :func:`iter_hf`)."""
    lines = list(lines)
    today = today or date.today()
    year = listing_year or infer_listing_year(scan_years(lines), today)
    return list(iter_hf(lines, listing_year=year, today=today))


def scan_years(lines: Iterable[str]) -> list[int]:
    """Explicit years of the date lines in a listing (a cheap first pass over a big file)."""
    years: list[int] = []
    for raw in lines:
        # A year comes after a comma: lines without one need no date parsing.
        if len(raw) < DATE_LINE_MAX and "," in raw and raw[:1].isupper():
            parsed = parse_date_line(raw.strip())
            if parsed is not None and parsed.year is not None:
                years.append(parsed.year)
    return years


def iter_hf(lines: Iterable[str], *, listing_year: int, today: date) -> Iterator[ScrapedPaper]:
    """Yield the papers of a Hugging Face listing, streaming. Never raises on odd text: what
    does not fit the format is skipped."""
    year = listing_year
    for draft in _drafts(lines):
        published = None
        published_text = None
        upvotes = None
        if draft.date is not None:
            published = resolve_date(draft.date, year)
            if draft.date.year is None and published is not None and published > today.isoformat():
                published = resolve_date(draft.date, year - 1)
            published_text = draft.date.text
            upvotes = draft.date.upvotes
        abstract = draft.abstract
        yield ScrapedPaper(
            title=draft.title[:TITLE_MAX],
            abstract=abstract,
            published=published,
            published_text=published_text,
            upvotes=upvotes,
            authors=draft.authors,
            org=draft.org,
            urls=find_urls(abstract),
        )


def scan_years_bytes(chunks: Iterable[bytes], encoding: str) -> list[int]:
    """:func:`scan_years` of the lines of a file, from its raw bytes in ``encoding`` (UTF-8
    without its BOM, or Windows-1252), without splitting or decoding the whole file: month
    names, commas, digits and line ends are ASCII in both, so a regex over the bytes finds the
    lines that start with a month's name and have a comma (the only ones that can hold a
    dated year), and only those are decoded and checked as :func:`scan_years` checks a line."""
    line_encoding = "utf-8" if encoding.startswith("utf-8") else encoding
    years: list[int] = []
    carry = b"\n"
    for data in chunks:
        first = data.find(b"\n")
        if first < 0:
            carry += data
            continue
        _scan_bytes(carry + data[:first], years, 0, len(carry) + first, line_encoding)
        last = data.rfind(b"\n")
        _scan_bytes(data, years, first, last, line_encoding)
        carry = data[last:]
    _scan_bytes(carry, years, 0, len(carry), line_encoding)
    return years


def _scan_bytes(data: bytes, years: list[int], start: int, end: int, encoding: str) -> None:
    for match in _MONTH_LINE_BYTES.finditer(data, start, end):
        _scan_line(match.group(1).decode(encoding, errors="replace"), years)


def _scan_line(line: str, years: list[int]) -> None:
    raw = line.rstrip("\r")
    if len(raw) < DATE_LINE_MAX and "," in raw and raw[:1].isupper():
        # parse_date_line's checks, without building a ListingDate.
        date = DATE_LINE.match(raw.strip())
        if date is not None and date["year"] and 1 <= int(date["day"]) <= 31:
            years.append(int(date["year"]))


def infer_listing_year(explicit: list[int], today: date) -> int:
    """The year that year-less dates of a listing belong to (see the module docstring)."""
    if explicit:
        return min(max(explicit) + 1, today.year)
    return today.year


def _drafts(lines: Iterable[str]) -> Iterator[_Draft]:
    stream = _Peekable(_classify(lines))
    draft: _Draft | None = None
    in_header = True
    for line in stream:
        short = len(line) <= DATE_LINE_MAX
        # A date line starts with a month's initial: other short lines skip the regex.
        date_line = parse_date_line(line) if short and line[0] in _MONTH_INITIALS else None
        if in_header:
            if short and (line.casefold() in CHROME_LINES or date_line is not None):
                continue
            in_header = False
        if short:
            if line == "·":
                continue
            authors = AUTHORS_LINE.match(line)
            if authors is not None:
                if draft is not None:
                    draft.authors = int(authors["count"])
                continue
        if date_line is not None and draft is not None and (draft.abstract or draft.date is None):
            draft.date = date_line
            yield draft
            draft = None
            continue
        if draft is None:
            draft = _Draft(title=line)
            continue
        if not draft.abstract:
            following = stream.peek()
            if (
                len(line) <= 200
                and following is not None
                and len(following) > max(200, 2 * len(line))
                and len(following) > DATE_LINE_MAX
            ):
                # The title had no abstract: this line is the next paper's title.
                yield draft
                draft = _Draft(title=line)
                continue
            draft.abstract = line
            continue
        following = stream.peek()
        if following == "·" and len(line) <= ORG_LINE_MAX:
            draft.org = _org_name(line)
            continue
        yield draft
        draft = _Draft(title=line)
    if draft is not None:
        yield draft


def _org_name(line: str) -> str:
    """``"stepfun-ai StepFun"`` → ``"StepFun"``: the display name after the handle."""
    handle, _, name = line.partition(" ")
    return name.strip() or handle


class _Peekable:
    """An iterator with one item of lookahead."""

    def __init__(self, items: Iterator[str]) -> None:
        self._items = items
        self._next: str | None = None
        self._has_next = False

    def __iter__(self) -> _Peekable:
        return self

    def __next__(self) -> str:
        if self._has_next:
            self._has_next = False
            value = self._next
            assert value is not None
            return value
        return next(self._items)

    def peek(self) -> str | None:
        """The next item without consuming it (None at the end)."""
        if not self._has_next:
            try:
                self._next = next(self._items)
            except StopIteration:
                return None
            self._has_next = True
        return self._next
