"""Split a file holding several pastes (a user appends pages to one file) into blocks.

A block ends where another page begins: at a page's first line when the page has a known
first line ("Skip to main content" on arXiv, "Get trending papers in your email inbox!" on
Hugging Face), else where an anchor line of another shape appears (see
:func:`readq.ingest.detect.line_anchor`), or an ``Abstract:`` line where the page it is in
writes none (an abstract dump). The new block starts at its first entry's first line (a
collection item's title, Trending's "Submitted by", a Scholar result's side link), or a
little earlier, at the run of short chrome lines before it ("Help | Advanced Search",
"Computer Science > Machine Learning"): that walk back stops at any line that belongs to the
page before (prose, an anchor, a labelled row such as ``Subjects:``, a Hugging Face listing's
date or author-count line, Trending's upvotes). Each block is then detected and parsed in its
own shape.

The split is one streaming pass that remembers a window of lines: a big file is never held
in memory. A big file in a seed format is first checked over its raw bytes
(:func:`check_page_anchors`): without a line that may open another paste it is not split.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from readq.ingest.detect import SNIFF_LINES, ListingFormat, detect_format, line_anchor
from readq.ingest.fields import AUTHORS_LINE, parse_date_line
from readq.ingest.hf import CHROME_LINES
from readq.ingest.scholar import FOOTER, SIDE_LINK, SOURCE

PAGE_FIRST_LINES = frozenset({"skip to main content", "get trending papers in your email inbox!"})
"""First lines of a page copied whole: a new block starts at them (with the chrome just above)."""
WALK_MAX_CHARS = 150
WALK_MAX_LINES = 80
PROSE_MIN_CHARS = 80
"""A line this long that ends a sentence is a paper's text, not page chrome."""
_SENTENCE_END = frozenset(".!?)\"'…")
_OWNED = re.compile(
    r"^(?:Subjects|Comments|Journal-ref|Journal ref|Journal reference|Categories|Cite as)\s*:"
    r"|^Submitted \d|^\[v\d+\]\s"
)
_TRENDING_TAIL = re.compile(r"^(?:Upvote|\d[\d.,]*[kK]?)$|arXiv Page$")
_DUMP_LINE = re.compile(r"^abstract\s*:", re.IGNORECASE)
_DUMP_AFTER = frozenset(
    {
        ListingFormat.ARXIV_LIST,
        ListingFormat.ARXIV_EMAIL,
        ListingFormat.HF_PAPER,
        ListingFormat.HF_TRENDING,
        ListingFormat.HF_COLLECTION,
        ListingFormat.SCHOLAR,
    }
)
"""Shapes that never write an ``Abstract:`` line: one after them starts an abstract dump."""


@dataclass(slots=True)
class Span:
    """Where one paste lies in a file: lines ``start`` to ``end`` (0-based, end excluded)."""

    shape: ListingFormat
    start: int
    end: int


@dataclass(slots=True)
class Block:
    """Consecutive lines of one paste, and the shape they were detected as."""

    shape: ListingFormat
    lines: list[str]
    first_line: int
    """The 1-based number of the block's first line in the file (for messages)."""


WINDOW_LINES = 1024
"""Lines remembered behind the current one: the walks back never reach further."""
WINDOW_LINE_CHARS = 1000
"""Characters of each remembered line: every test on a line either needs fewer or only asks
whether the line is long, so a cut line answers alike and memory stays bounded."""


class _Lines(Protocol):
    """Lines by index (the recent window of a stream)."""

    def __getitem__(self, index: int) -> str: ...


class _Recent:
    """The last ``WINDOW_LINES`` lines of a stream, by their index in the stream."""

    __slots__ = ("first", "lines")

    def __init__(self) -> None:
        self.lines: deque[str] = deque(maxlen=WINDOW_LINES)
        self.first = 0

    def add(self, line: str) -> None:
        if len(self.lines) == WINDOW_LINES:
            self.first += 1
        self.lines.append(line if len(line) <= WINDOW_LINE_CHARS else line[:WINDOW_LINE_CHARS])

    def __getitem__(self, index: int) -> str:
        return self.lines[index - self.first]

    def floor(self, floor: int) -> int:
        """``floor``, or the last index no longer remembered if that is later."""
        return max(floor, self.first - 1)


def split_blocks(lines: Sequence[str]) -> list[Block]:
    """The blocks of ``lines`` (see the module docstring), in file order, each detected."""
    return [
        Block(shape=span.shape, lines=list(lines[span.start : span.end]), first_line=span.start + 1)
        for span in find_spans(lines)
    ]


def find_spans(lines: Iterable[str]) -> list[Span]:
    """Where the pastes of a stream of lines lie (see the module docstring), in one pass that
    remembers only ``WINDOW_LINES`` lines and the first ``SNIFF_LINES`` of the current paste
    (all that detection reads), so that a big file is split without being held in memory."""
    spans: list[Span] = []
    recent = _Recent()
    start = 0
    head: list[tuple[int, str]] = []  # the current block's first non-empty lines
    current: ListingFormat | None = None
    abstract_seen = False  # an abstract page's or search result's own "Abstract:" row
    index = -1

    def before(end: int) -> list[str]:
        return [line for at, line in head if at < end]

    def cut(begin: int) -> None:
        nonlocal start, head
        spans.append(Span(detect_format(before(begin)), start, begin))
        start = begin
        kept = [(at, recent[at]) for at in range(begin, index + 1)]
        head = [(at, line) for at, line in kept if line.strip()][:SNIFF_LINES]

    for index, raw in enumerate(lines):
        recent.add(raw)
        line = raw.strip()
        if not line:
            continue
        if len(head) < SNIFF_LINES:
            head.append((index, recent[index]))
        floor = recent.floor(start)
        if line.casefold() in PAGE_FIRST_LINES:
            begin = _chrome_start(recent, index, floor)
            if begin > start and _has_content(before(begin), current):
                cut(begin)
            current = None
            continue
        if _DUMP_LINE.match(line):
            if _starts_dump(before(index), current, abstract_seen):
                if index > start:
                    cut(_walk_back(recent, index, floor, current))
                current = ListingFormat.ARXIV
            abstract_seen = True
            continue
        shape = line_anchor(line)
        if shape is None:
            continue
        if shape is current:
            if _opens_entry(shape, line):
                abstract_seen = False
            continue
        lead = _lead(recent, index, shape, floor)
        begin = _walk_back(recent, lead, floor, current)
        if begin > start and (current is not None or _has_content(before(begin), None)):
            cut(begin)
        current = shape
        abstract_seen = False
    if index >= 0:
        spans.append(Span(detect_format(before(index + 1)), start, index + 1))
    return spans


def _opens_entry(shape: ListingFormat, line: str) -> bool:
    """Whether an anchor line starts a new entry of an abstract page or search results (after
    which one more ``Abstract:`` row is the entry's own)."""
    if shape is ListingFormat.ARXIV_ABS:
        return line.startswith(("Title:", "[Submitted"))
    return shape is ListingFormat.ARXIV_SEARCH


def _starts_dump(earlier: list[str], current: ListingFormat | None, abstract_seen: bool) -> bool:
    """Whether an ``Abstract:`` line opens an abstract dump (rather than being a row of the
    page it is in); ``earlier`` are the first lines of the block before it."""
    if current is ListingFormat.ARXIV:
        return False
    if current in _DUMP_AFTER:
        return True
    if current in (ListingFormat.ARXIV_ABS, ListingFormat.ARXIV_SEARCH):
        return abstract_seen
    # No page shape yet: a dump after Hugging Face listing text is a block of its own.
    return detect_format(earlier) is ListingFormat.HF


def _lead(lines: _Lines, index: int, shape: ListingFormat, floor: int) -> int:
    """The first line of the entry whose anchor line is at ``index``: the anchor itself, but
    for shapes that write the anchor below the entry's first lines (a collection item's
    title; Trending's "Submitted by", user, title and text; a Scholar result's side link and
    title above its source line, or all of the result above its "Save Cite" row)."""
    if shape is ListingFormat.HF_COLLECTION:
        return _previous(lines, index, floor)
    if shape is ListingFormat.HF_TRENDING:
        for back in range(index - 1, max(floor, index - 14), -1):
            if lines[back].strip() == "Submitted by":
                return back
        return _previous(lines, _previous(lines, index, floor), floor)
    if shape is ListingFormat.SCHOLAR:
        source = index
        if FOOTER.match(lines[index].strip()):
            for back in range(index - 1, max(floor, index - 10), -1):
                if SOURCE.match(lines[back].strip()):
                    source = back
                    break
        title = _previous(lines, source, floor)
        side = _previous(lines, title, floor)
        return side if SIDE_LINK.match(lines[side].strip()) else title
    return index


def _previous(lines: _Lines, index: int, floor: int) -> int:
    """The index of the last non-empty line before ``index`` (``index`` if there is none)."""
    for back in range(index - 1, floor, -1):
        if lines[back].strip():
            return back
    return index


def _has_content(part: list[str], shape: ListingFormat | None) -> bool:
    """Whether lines before a new page hold papers of their own (a page shape's anchors, or
    text that reads as a seed format), not only chrome."""
    if shape is not None:
        return True
    return detect_format(part) is not ListingFormat.UNKNOWN


def _chrome_start(lines: _Lines, index: int, floor: int) -> int:
    """Where a page whose known first line is at ``index`` starts: with the known chrome just
    above it ("new" above Hugging Face's "Get trending papers…")."""
    begin = index
    while begin - 1 > floor:
        line = lines[begin - 1].strip()
        if line and line.casefold() not in CHROME_LINES:
            break
        begin -= 1
    return begin


def _walk_back(lines: _Lines, index: int, floor: int, previous: ListingFormat | None) -> int:
    """The first line of the chrome run above line ``index``: the walk stops at a line of the
    ``previous`` block (see the module docstring)."""
    begin = index
    steps = 0
    while begin - 1 > floor and steps < WALK_MAX_LINES:
        line = lines[begin - 1].strip()
        if line:
            if line.casefold() in PAGE_FIRST_LINES:
                return begin - 1
            if _belongs_before(line, previous):
                break
            steps += 1
        begin -= 1
    return begin


def _belongs_before(line: str, previous: ListingFormat | None) -> bool:
    """Whether ``line`` is part of the block before (prose, a labelled row, an anchor, a
    Hugging Face listing's metadata, Trending's upvotes and links), not the next page's
    chrome."""
    size = len(line)
    if size > WALK_MAX_CHARS or (size >= PROSE_MIN_CHARS and line[-1] in _SENTENCE_END):
        return True
    if line_anchor(line) is not None or _OWNED.match(line):
        return True
    if previous is ListingFormat.HF_TRENDING and _TRENDING_TAIL.search(line):
        return True
    if previous is None or previous is ListingFormat.HF:
        return line == "·" or bool(AUTHORS_LINE.match(line)) or parse_date_line(line) is not None
    return False


# The anchors of ``line_anchor`` that can open a page shape's block, as bytes after a line
# end (UTF-8 and Windows-1252 agree on them but for "•" and "·", spelled in both); and what
# opens a block of the other seed format or a second page: in a Hugging Face listing an
# "Abstract:" line (an abstract dump), in either a Daily Papers page's first line (past the
# listing's own first page). Checked over the raw bytes of a big seed-format file in one
# pass, so that a listing without any of them streams through its own parser unsplit.
_ANCHORS = (
    rb"\[\d+\][ \t]+arXiv:\d"
    rb"|\[Submitted on "
    rb"|\d{1,6}\.[ \t]+arXiv:\d"
    rb"|Title:\S"
    rb"|Cite as:"
    rb"|Showing new listings for"
    rb"|View a PDF of the paper titled"
    rb"|View arXiv page\r?\n"
    rb"|\\\\[ \t]*\r?\n"
    rb"|%-%-%-"
    rb"|%%--%%--"
    rb"|arxiv:\d{4}\.\d{4,5}(?:v\d+)?[ \t]*\r?\n"
    rb"|Paper[ \t]*(?:\xe2\x80\xa2|\x95)"
    rb"|Save[ \t]+Cite"
    rb"|Skip to main content"
    rb"|(?:GitHub [\d.,]+[kKmM]? )?arXiv Page\r?\n"
)
_PAGE_START = rb"(?P<page>Get trending papers in your email inbox!)"
_SEED_ANCHOR_BYTES = {
    ListingFormat.HF: re.compile(
        rb"\n[ \t]*(?:" + _PAGE_START + rb"|[Aa]bstract[ \t]*:|" + _ANCHORS + rb")"
    ),
    ListingFormat.ARXIV: re.compile(rb"\n[ \t]*(?:" + _PAGE_START + rb"|" + _ANCHORS + rb")"),
}


class PagesFound(Exception):
    """A big seed-format file holds a line that may open another paste: it must be split."""


def check_page_anchors(chunks: Iterable[bytes], seed: ListingFormat) -> Iterator[bytes]:
    """Pass a file's raw bytes through (for another scan of the same pass, such as the year
    scan), raising ``PagesFound`` at the first line that may open a block other than the
    ``seed`` format's text (a cheap over-approximation of :func:`find_spans` finding more
    than one block)."""
    pattern = _SEED_ANCHOR_BYTES.get(seed, _SEED_ANCHOR_BYTES[ListingFormat.ARXIV])
    pages_allowed = 1 if seed is ListingFormat.HF else 0  # a listing's own first page
    carry = b"\n"
    for data in chunks:
        text = carry + data
        # Lines from the last line end on are scanned with the next chunk (a line start cut
        # by the chunk's end is seen whole there; a line longer than that has no start here).
        cut = text.rfind(b"\n", max(0, len(text) - 200))
        scanned_to = cut if cut >= 0 else len(text)
        for found in pattern.finditer(text, 0, scanned_to + 1):
            if found.start() >= scanned_to and cut >= 0:
                break  # the next chunk sees this line start
            if found["page"] is None:
                raise PagesFound
            pages_allowed -= 1
            if pages_allowed < 0:
                raise PagesFound
        carry = text[cut:] if cut >= 0 else b""  # mid-line: no line starts at the cut
        yield data
    if carry.strip():
        for found in pattern.finditer(carry + b"\n"):
            if found["page"] is None or pages_allowed < 1:
                raise PagesFound
            pages_allowed -= 1


def has_page_anchors(chunks: Iterable[bytes], seed: ListingFormat) -> bool:
    """Whether :func:`check_page_anchors` finds a line that may open another block."""
    try:
        for _data in check_page_anchors(chunks, seed):
            pass
    except PagesFound:
        return True
    return False
