"""Split a file holding several pastes (a user appends pages to one file) into blocks.

A block ends where another page begins: at a page's first line when the page has a known
first line ("Skip to main content" on arXiv, "Get trending papers in your email inbox!" on
Hugging Face), else where an anchor line of another shape appears (see
:func:`readq.ingest.detect.line_anchor`). The new block then starts a little earlier, at the
run of short chrome lines ("Help | Advanced Search", "Computer Science > Machine Learning")
before that anchor: the walk back stops at any line that belongs to the page before (an
anchor, a labelled row such as ``Subjects:``, a long line, a date or author-count line of a
Hugging Face listing). Each block is then detected and parsed in its own shape.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from readq.ingest.detect import ListingFormat, detect_format, line_anchor
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
class Block:
    """Consecutive lines of one paste, and the shape they were detected as."""

    shape: ListingFormat
    lines: list[str]
    first_line: int
    """The 1-based number of the block's first line in the file (for messages)."""


def split_blocks(lines: Sequence[str]) -> list[Block]:
    """The blocks of ``lines`` (see the module docstring), in file order, each detected."""
    starts: list[int] = [0]
    current: ListingFormat | None = None
    abstract_seen = False  # an abstract page's or search result's own "Abstract:" row
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if line.casefold() in PAGE_FIRST_LINES:
            begin = _chrome_start(lines, index, starts[-1])
            if begin > starts[-1] and _has_content(lines[starts[-1] : begin], current):
                starts.append(begin)
            current = None
            continue
        if _DUMP_LINE.match(line):
            if _starts_dump(lines, index, starts[-1], current, abstract_seen):
                if index > starts[-1]:
                    starts.append(_walk_back(lines, index, starts[-1], current))
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
        lead = _lead(lines, index, shape, starts[-1])
        begin = _walk_back(lines, lead, starts[-1], current)
        if begin > starts[-1] and (
            current is not None or _has_content(lines[starts[-1] : begin], None)
        ):
            starts.append(begin)
        current = shape
        abstract_seen = False
    bounds = [*starts, len(lines)]
    blocks: list[Block] = []
    for start, end in itertools.pairwise(bounds):
        part = list(lines[start:end])
        blocks.append(Block(shape=detect_format(part), lines=part, first_line=start + 1))
    return blocks


def _opens_entry(shape: ListingFormat, line: str) -> bool:
    """Whether an anchor line starts a new entry of an abstract page or search results (after
    which one more ``Abstract:`` row is the entry's own)."""
    if shape is ListingFormat.ARXIV_ABS:
        return line.startswith(("Title:", "[Submitted"))
    return shape is ListingFormat.ARXIV_SEARCH


def _starts_dump(
    lines: Sequence[str],
    index: int,
    floor: int,
    current: ListingFormat | None,
    abstract_seen: bool,
) -> bool:
    """Whether the ``Abstract:`` line at ``index`` opens an abstract dump (rather than being a
    row of the page it is in)."""
    if current is ListingFormat.ARXIV:
        return False
    if current in _DUMP_AFTER:
        return True
    if current in (ListingFormat.ARXIV_ABS, ListingFormat.ARXIV_SEARCH):
        return abstract_seen
    # No page shape yet: a dump after Hugging Face listing text is a block of its own.
    return detect_format(lines[floor:index]) is ListingFormat.HF


def _lead(lines: Sequence[str], index: int, shape: ListingFormat, floor: int) -> int:
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


def _previous(lines: Sequence[str], index: int, floor: int) -> int:
    """The index of the last non-empty line before ``index`` (``index`` if there is none)."""
    for back in range(index - 1, floor, -1):
        if lines[back].strip():
            return back
    return index


def _has_content(part: Sequence[str], shape: ListingFormat | None) -> bool:
    """Whether lines before a new page hold papers of their own (a page shape's anchors, or
    text that reads as a seed format), not only chrome."""
    if shape is not None:
        return True
    return detect_format(part) is not ListingFormat.UNKNOWN


def _chrome_start(lines: Sequence[str], index: int, floor: int) -> int:
    """Where a page whose known first line is at ``index`` starts: with the known chrome just
    above it ("new" above Hugging Face's "Get trending papers…")."""
    begin = index
    while begin - 1 > floor:
        line = lines[begin - 1].strip()
        if line and line.casefold() not in CHROME_LINES:
            break
        begin -= 1
    return begin


def _walk_back(lines: Sequence[str], index: int, floor: int, previous: ListingFormat | None) -> int:
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
# end (UTF-8 and Windows-1252 agree on them but for "•" and "·", spelled in both). Checked
# over the raw bytes of a big seed-format file, so that a listing without any of them streams
# through its own parser without being split (and without a per-line check).
_ANCHOR_BYTES = re.compile(
    rb"\n[ \t]*(?:"
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
    rb")"
)


def has_page_anchors(chunks: Iterable[bytes]) -> bool:
    """Whether a file's raw bytes (in pieces) hold a line that may open a page shape's block
    (a cheap over-approximation of :func:`split_blocks` finding more than one block)."""
    carry = b"\n"
    for data in chunks:
        text = carry + data
        if _ANCHOR_BYTES.search(text) is not None:
            return True
        cut = text.rfind(b"\n", max(0, len(text) - 200))
        carry = text[cut:] if cut >= 0 else b"\n"
    return False
