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

PAGE_FIRST_LINES = frozenset({"skip to main content", "get trending papers in your email inbox!"})
"""First lines of a page copied whole: a new block starts at them (with the chrome just above)."""
WALK_MAX_CHARS = 150
WALK_MAX_LINES = 80
_OWNED = re.compile(
    r"^(?:Title|Authors?|Subjects|Comments|Journal-ref|Journal reference|Categories|Abstract|"
    r"Submitted|Cite as|Date|Upvote)\b|^\[v\d+\]|^\d[\d.,]*[kK]?$|arXiv Page$"
)
_DUMP_LINE = re.compile(r"^abstract\s*:", re.IGNORECASE)
_DUMP_AFTER = frozenset(
    {
        ListingFormat.ARXIV_LIST,
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
        if current in _DUMP_AFTER and _DUMP_LINE.match(line):
            starts.append(index)
            current = ListingFormat.ARXIV
            continue
        shape = line_anchor(line)
        if shape is None or shape is current:
            continue
        begin = _walk_back(lines, index, starts[-1])
        if begin > starts[-1] and (
            current is not None or _has_content(lines[starts[-1] : begin], None)
        ):
            starts.append(begin)
        current = shape
    bounds = [*starts, len(lines)]
    blocks: list[Block] = []
    for start, end in itertools.pairwise(bounds):
        part = list(lines[start:end])
        blocks.append(Block(shape=detect_format(part), lines=part, first_line=start + 1))
    return blocks


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


def _walk_back(lines: Sequence[str], index: int, floor: int) -> int:
    """The first line of the chrome run above the anchor at ``index`` (see the module doc)."""
    begin = index
    steps = 0
    while begin - 1 > floor and steps < WALK_MAX_LINES:
        line = lines[begin - 1].strip()
        if line:
            if line.casefold() in PAGE_FIRST_LINES:
                return begin - 1
            if (
                len(line) > WALK_MAX_CHARS
                or line_anchor(line) is not None
                or _OWNED.search(line)
                or line == "·"
                or AUTHORS_LINE.match(line)
                or parse_date_line(line) is not None
            ):
                break
            steps += 1
        begin -= 1
    return begin


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
