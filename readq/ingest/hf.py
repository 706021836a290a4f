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

import itertools
import re
from collections.abc import Iterable, Iterator
from datetime import date

from readq.ingest.fields import (
    AUTHORS_LINE,
    DATE_LINE,
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
_BULLETS = frozenset("•·∙*-")
"""The first characters that ``AUTHORS_LINE`` allows."""
_BATCH_LINES = 8192
_CACHE_MAX = 200_000
"""Distinct short lines remembered per listing (dates, author counts, "·", short titles)."""
_PLAIN, _DOT, _AUTHORS, _DATE = range(4)
_Dated = tuple["str | None", "str | None", "int | None"]
"""A date line resolved: published (ISO), published_text, upvotes."""
_UNDATED: _Dated = (None, None, None)
_DraftRow = tuple[str, str, "int | None", "str | None", _Dated]
"""A paper before it is built: title, abstract, authors, org, resolved date."""
_NOT_A_DATE: _Dated = (None, None, -1)
"""What _resolved_date gives for a line that is no date line (compared by identity)."""
_UPVOTES_AT_END = re.compile(r"(.*\S)\s+(\d{1,7})$")
"""A line with a number at its end, after a space: a date line's text and upvotes, if any."""
_ShortKind = tuple[int, "int | None", _Dated]
"""A short line's kind (``_PLAIN``, ``_DOT``, ``_AUTHORS``, ``_DATE``), author count, date."""
# A line (after its newline) that starts with a month's name and has a comma, as every date
# line with a year does.
_MONTH_LINE_BYTES = re.compile(
    rb"\n((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[^\n,]*,[^\n]*)"
)


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
    return itertools.chain.from_iterable(_paper_batches(lines, listing_year, today))


def _paper_batches(lines: Iterable[str], year: int, today: date) -> Iterator[list[ScrapedPaper]]:
    """The papers of :func:`iter_hf`, a list per ``_BATCH_LINES`` input lines.

    One loop over each batch of cleaned lines, with the next line at hand by index (a paper's
    last line is known only from the line after it: the last line of a batch waits for the
    next batch). A line of up to ``DATE_LINE_MAX`` characters, which is what repeats in a
    listing (dates, author counts, "·"), is cleaned and classified once per distinct text.
    """
    today_iso = today.isoformat()
    raw_short: dict[str, str] = {}
    short_kinds: dict[str, _ShortKind] = {}
    dates: dict[str, _Dated] = {}
    iterator = iter(lines)
    carry: list[str] = []
    in_header = True
    title: str | None = None
    abstract = ""
    authors: int | None = None
    org: str | None = None
    while True:
        raw_batch = list(itertools.islice(iterator, _BATCH_LINES))
        final = len(raw_batch) < _BATCH_LINES
        cleaned = carry
        append = cleaned.append
        for raw in raw_batch:
            if raw:
                if len(raw) > DATE_LINE_MAX:
                    line = clean_line(raw)
                else:
                    known_line = raw_short.get(raw)
                    if known_line is None:
                        known_line = clean_line(raw)
                        if len(raw_short) < _CACHE_MAX:
                            raw_short[raw] = known_line
                    line = known_line
                if line:
                    append(line)
        nexts: list[str | None] = list(itertools.islice(cleaned, 1, None))
        if final:
            nexts.append(None)
            carry = []
        else:
            carry = cleaned[-1:]
        drafts: list[_DraftRow] = []
        # Short by one but for the last batch: the carried line is not taken yet.
        for line, following in zip(cleaned, nexts, strict=False):
            size = len(line)
            kind = _PLAIN
            if size <= DATE_LINE_MAX:
                known = short_kinds.get(line)
                if known is None:
                    known = _short_kind(line, year, today_iso, dates)
                    if len(short_kinds) < _CACHE_MAX:
                        short_kinds[line] = known
                kind, count, dated = known
                if in_header:
                    if kind == _DATE or line.casefold() in CHROME_LINES:
                        continue
                    in_header = False
                if kind != _PLAIN:
                    if kind == _DOT:
                        continue
                    if kind == _AUTHORS:
                        if title is not None:
                            authors = count
                        continue
                    if title is not None:  # a date: the paper's last line
                        drafts.append((title, abstract, authors, org, dated))
                        title = None
                        abstract = ""
                        authors = None
                        org = None
                        continue
            else:
                in_header = False
            if title is None:
                title = line
                continue
            if not abstract:
                if (
                    size <= 200
                    and following is not None
                    and len(following) > max(200, 2 * size)
                    and len(following) > DATE_LINE_MAX
                ):
                    # The title had no abstract: this line is the next paper's title.
                    drafts.append((title, abstract, authors, org, _UNDATED))
                    title = line
                    authors = None
                    org = None
                    continue
                abstract = line
                continue
            if following == "·" and size <= ORG_LINE_MAX:
                org = _org_name(line)
                continue
            drafts.append((title, abstract, authors, org, _UNDATED))
            title = line
            abstract = ""
            authors = None
            org = None
        if final and title is not None:
            drafts.append((title, abstract, authors, org, _UNDATED))
        papers = [
            ScrapedPaper(
                title=draft_title[:TITLE_MAX],
                abstract=draft_abstract,
                published=published,
                published_text=published_text,
                upvotes=upvotes,
                authors=draft_authors,
                org=draft_org,
                urls=find_urls(draft_abstract),
            )
            for (
                draft_title,
                draft_abstract,
                draft_authors,
                draft_org,
                (published, published_text, upvotes),
            ) in drafts
        ]
        if papers:
            yield papers
        if final:
            return


def _resolved_date(line: str, year: int, today_iso: str, *, upvotes_too: bool = False) -> _Dated:
    """The date of a date line resolved as :func:`iter_hf` does, or ``_NOT_A_DATE`` if
    ``line`` is no date line (or, unless ``upvotes_too``, one with upvotes)."""
    parsed = parse_date_line(line)
    if parsed is None or (parsed.upvotes is not None and not upvotes_too):
        return _NOT_A_DATE
    published = resolve_date(parsed, year)
    if parsed.year is None and published is not None and published > today_iso:
        published = resolve_date(parsed, year - 1)
    return published, parsed.text, parsed.upvotes


def _short_kind(line: str, year: int, today_iso: str, dates: dict[str, _Dated]) -> _ShortKind:
    """What a cleaned line of up to ``DATE_LINE_MAX`` characters is: ``_DOT``, ``_AUTHORS``
    with its count, ``_DATE`` with the date resolved in ``year`` (or the year before, if later
    than ``today_iso``), or ``_PLAIN``. ``dates`` remembers the dates before upvotes."""
    if line == "·":
        return _DOT, None, _UNDATED
    # A date line starts with a month's initial, an author count with a bullet: other short
    # lines skip the regexes.
    if line[0] in _MONTH_INITIALS:
        # A date line ends in its upvotes, which make most lines distinct: the date before them
        # is parsed once. Such a line is a date exactly when the text before the upvotes is
        # one without upvotes (DATE_LINE ends in an optional "\s+\d{1,7}").
        split = _UPVOTES_AT_END.match(line)
        if split is not None:
            head = dates.get(split[1])
            if head is None:
                head = _resolved_date(split[1], year, today_iso)
                if len(dates) < _CACHE_MAX:
                    dates[split[1]] = head
            if head is not _NOT_A_DATE:
                return _DATE, None, (head[0], head[1], int(split[2]))
        resolved = _resolved_date(line, year, today_iso, upvotes_too=True)
        if resolved is not _NOT_A_DATE:
            return _DATE, None, resolved
    if line[0] in _BULLETS:
        authors = AUTHORS_LINE.match(line)
        if authors is not None:
            return _AUTHORS, int(authors["count"]), _UNDATED
    return _PLAIN, None, _UNDATED


def scan_years_bytes(chunks: Iterable[bytes], encoding: str) -> list[int]:
    """:func:`scan_years` of the lines of a file, from its raw bytes in ``encoding`` (UTF-8
    without its BOM, or Windows-1252), without splitting or decoding the whole file: month
    names, commas, digits and line ends are ASCII in both, so a regex over the bytes finds the
    lines that start with a month's name and have a comma (the only ones that can hold a
    dated year), and only those are decoded and checked as :func:`scan_years` checks a line."""
    line_encoding = "utf-8" if encoding.startswith("utf-8") else encoding
    years: list[int] = []
    # The year of each distinct candidate line (-1 for none): listings repeat their date lines.
    known: dict[bytes, int] = {}
    carry = b"\n"
    for data in chunks:
        first = data.find(b"\n")
        if first < 0:
            carry += data
            continue
        _scan_bytes(carry + data[:first], years, 0, len(carry) + first, line_encoding, known)
        last = data.rfind(b"\n")
        _scan_bytes(data, years, first, last, line_encoding, known)
        carry = data[last:]
    _scan_bytes(carry, years, 0, len(carry), line_encoding, known)
    return years


def _scan_bytes(
    data: bytes, years: list[int], start: int, end: int, encoding: str, known: dict[bytes, int]
) -> None:
    for found in _MONTH_LINE_BYTES.findall(data, start, end):
        year = known.get(found)
        if year is None:
            year = _scan_line(found.decode(encoding, errors="replace"))
            if len(known) < _CACHE_MAX:
                known[found] = year
        if year >= 0:
            years.append(year)


def _scan_line(line: str) -> int:
    """The explicit year of a date line as :func:`scan_years` finds it, or -1."""
    raw = line.rstrip("\r")
    if len(raw) < DATE_LINE_MAX and "," in raw and raw[:1].isupper():
        # parse_date_line's checks, without building a ListingDate.
        date = DATE_LINE.match(raw.strip())
        if date is not None and date["year"] and 1 <= int(date["day"]) <= 31:
            return int(date["year"])
    return -1


def infer_listing_year(explicit: list[int], today: date) -> int:
    """The year that year-less dates of a listing belong to (see the module docstring)."""
    if explicit:
        return min(max(explicit) + 1, today.year)
    return today.year


def _org_name(line: str) -> str:
    """``"stepfun-ai StepFun"`` → ``"StepFun"``: the display name after the handle."""
    handle, _, name = line.partition(" ")
    return name.strip() or handle
