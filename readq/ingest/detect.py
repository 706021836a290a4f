"""Tell the listing formats apart from their content, never from configuration.

Each page shape has anchor lines no other shape writes (``[1] arXiv:ID`` on an arXiv listing,
``1. arXiv:ID`` in arXiv search results, a glued ``Title:X`` on an abstract page, ``\\\\`` in
the e-mail digest, ``arxiv:ID`` on a Hugging Face paper page, ``Paper • ID •`` in a collection,
``… · Published on …`` on Trending, Scholar's "Save Cite" rows). A text is in the shape
whose anchors it holds most; a text with none is read as the two seed formats were (Hugging
Face listing text, or arXiv ``Abstract:`` dumps). :func:`line_anchor` is also what splits a
file holding several pastes into blocks (``readq.ingest.blocks``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from enum import StrEnum

from readq.ingest.fields import AUTHORS_LINE, parse_date_line
from readq.ingest.hf import CHROME_LINES

_ABSTRACT_PREFIX = re.compile(r"^\s*abstract\s*[:.]", re.IGNORECASE)
SNIFF_LINES = 200
HF_TEXT_MIN = 100
"""A line this long (beside a date line) makes text read as a Hugging Face listing."""


class ListingFormat(StrEnum):
    """The listing formats readq ingests, and some it recognises in order to refuse clearly."""

    HF = "hf"
    ARXIV = "arxiv"
    ARXIV_LIST = "arxiv-list"
    ARXIV_SEARCH = "arxiv-search"
    ARXIV_ABS = "arxiv-abs"
    ARXIV_EMAIL = "arxiv-email"
    HF_PAPER = "hf-paper"
    HF_TRENDING = "hf-trending"
    HF_COLLECTION = "hf-collection"
    SCHOLAR = "scholar"
    MIXED = "mixed"
    """Several pastes in different shapes in one file."""
    BIBTEX = "bibtex"
    ATOM = "atom"
    JSON = "json"
    UNKNOWN = "unknown"


PAGE_SHAPES = frozenset(
    {
        ListingFormat.ARXIV_LIST,
        ListingFormat.ARXIV_SEARCH,
        ListingFormat.ARXIV_ABS,
        ListingFormat.ARXIV_EMAIL,
        ListingFormat.HF_PAPER,
        ListingFormat.HF_TRENDING,
        ListingFormat.HF_COLLECTION,
        ListingFormat.SCHOLAR,
    }
)
"""The shapes recognised by anchor lines (the seed formats have none of their own)."""

PAGE_CHROME = CHROME_LINES | frozenset(
    {
        "skip to main content",
        "we gratefully acknowledge support from the simons foundation, member institutions, "
        "and all contributors. donate",
        "help | advanced search",
        "search",
        "advanced search",
        "login",
        "about",
        "help",
        "contact",
        "subscribe",
        "copyright",
        "privacy policy",
        "web accessibility assistance",
        "arxiv operational status",
        "submission history",
        "access paper:",
        "view pdf",
        "html (experimental)",
        "bibliographic tools",
        "trending papers",
        "by ak and the research community",
        "hugging face's logo",
        "hugging face",
        "models",
        "datasets",
        "spaces",
        "docs",
        "pricing",
        "collections",
        "upvote",
        "community",
        "add to collection",
        "view arxiv page",
        "reply",
        "scholar",
        "articles",
        "any time",
        "sort by relevance",
        "sort by date",
        "create alert",
        "previous",
        "next",
    }
)
"""Lines of the pages' own chrome (casefolded) that a loose reader (Hugging Face listing text)
would otherwise take for a title when they are all a paste holds: such a "paper" is dropped."""

_ID = r"(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?"
_OPEN_BRACKET = re.compile(rf"^\[(?:\d+\]\s+arXiv:{_ID}\b|Submitted on \d)", re.IGNORECASE)
_NUMBERED = re.compile(rf"^\d{{1,6}}\.\s+arXiv:{_ID}\b")
_GLUED_TITLE = re.compile(r"^Title:\S")
_DAY_HEADING = re.compile(
    r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\s+\(showing\b"
)
_HF_PAPER_ID = re.compile(rf"^arxiv:{_ID}$")
_COLLECTION_ITEM = re.compile(rf"^Paper\s*[•·]\s*{_ID}\s*(?:[•·]|$)")
_TRENDING_META = re.compile(
    r"^(?:[-•·]\s*\d{1,5}\s+authors?|[^·]{1,80}?)\s*·\s*Published on\s+[A-Z][a-z]{2}"
)
_EMAIL_RULE = re.compile(r"^(?:(?:%-){5,}%?|(?:%%--){3,}(?:%%)?|(?:%%%---){2,}(?:%%%)?)$")
_JSON_START = re.compile(r'^(?:\{\s*(?:"|\}|$)|\[\s*(?:[\[{"\]]|-?\d|true|false|null|$))')
_SCHOLAR_FOOTER = re.compile(r"^Save\s+Cite\b|^Cited by \d+\s+Related articles\b")
_SCHOLAR_SOURCE = re.compile(r" - arXiv preprint arXiv:\d{4}\.\d{4,5}, \d{4} - ")


def line_anchor(line: str) -> ListingFormat | None:
    """The page shape that ``line`` (stripped) is an anchor of, or ``None``.

    Dispatched on the first character so that the lines of a long listing cost one dict
    lookup each."""
    if not line:
        return None
    check = _FIRST.get(line[0])
    return check(line) if check is not None else None


def _bracket(line: str) -> ListingFormat | None:
    match = _OPEN_BRACKET.match(line)
    if match is None:
        return None
    return ListingFormat.ARXIV_ABS if line[1] == "S" else ListingFormat.ARXIV_LIST


def _digit(line: str) -> ListingFormat | None:
    return ListingFormat.ARXIV_SEARCH if _NUMBERED.match(line) else None


def _capital_t(line: str) -> ListingFormat | None:
    if _GLUED_TITLE.match(line):
        return ListingFormat.ARXIV_ABS
    return _weekday(line)


def _weekday(line: str) -> ListingFormat | None:
    return ListingFormat.ARXIV_LIST if _DAY_HEADING.match(line) else _trending(line)


def _capital_s(line: str) -> ListingFormat | None:
    if line.startswith("Showing new listings for"):
        return ListingFormat.ARXIV_LIST
    if _SCHOLAR_FOOTER.match(line):
        return ListingFormat.SCHOLAR
    return _weekday(line)


def _capital_c(line: str) -> ListingFormat | None:
    if line.startswith("Cite as:"):
        return ListingFormat.ARXIV_ABS
    if _SCHOLAR_FOOTER.match(line):
        return ListingFormat.SCHOLAR
    return _trending(line)


def _capital_v(line: str) -> ListingFormat | None:
    if line.startswith("View a PDF of the paper titled"):
        return ListingFormat.ARXIV_ABS
    if line == "View arXiv page":
        return ListingFormat.HF_PAPER
    return _trending(line)


def _backslash(line: str) -> ListingFormat | None:
    if line == "\\\\" or line.startswith("\\\\ ( http"):
        return ListingFormat.ARXIV_EMAIL
    return None


def _percent(line: str) -> ListingFormat | None:
    return ListingFormat.ARXIV_EMAIL if _EMAIL_RULE.match(line) else None


def _lower_a(line: str) -> ListingFormat | None:
    if _HF_PAPER_ID.match(line):
        return ListingFormat.HF_PAPER
    return _other(line)


def _capital_p(line: str) -> ListingFormat | None:
    if _COLLECTION_ITEM.match(line):
        return ListingFormat.HF_COLLECTION
    return _other(line)


def _trending(line: str) -> ListingFormat | None:
    if "Published on" in line and "·" in line and _TRENDING_META.match(line):
        return ListingFormat.HF_TRENDING
    if " - arXiv preprint arXiv:" in line and _SCHOLAR_SOURCE.search(line):
        return ListingFormat.SCHOLAR
    return None


def _other(line: str) -> ListingFormat | None:
    """Trending's metadata line and Scholar's arXiv source line start with any character."""
    if len(line) < 12 or len(line) > 400:
        return None
    return _trending(line)


_FIRST: dict[str, Callable[[str], ListingFormat | None]] = {}
for _char in "ABDEGHIJKLMNOQRUXYZbcdefghijklmnopqrstuvwxyz-•":
    _FIRST[_char] = _other
_FIRST.update(
    {
        "[": _bracket,
        "T": _capital_t,
        "S": _capital_s,
        "C": _capital_c,
        "V": _capital_v,
        "\\": _backslash,
        "%": _percent,
        "a": _lower_a,
        "P": _capital_p,
        "M": _weekday,
        "W": _weekday,
        "F": _weekday,
    }
)
for _digit_char in "0123456789":
    _FIRST[_digit_char] = _digit


def anchor_counts(lines: Iterable[str]) -> dict[ListingFormat, int]:
    """How many anchor lines of each page shape ``lines`` hold."""
    counts: dict[ListingFormat, int] = {}
    for raw in lines:
        shape = line_anchor(raw.strip())
        if shape is not None:
            counts[shape] = counts.get(shape, 0) + 1
    return counts


def strongest(counts: dict[ListingFormat, int]) -> ListingFormat | None:
    """The shape with the most anchors (ties go to the order of ``ListingFormat``)."""
    best: ListingFormat | None = None
    for shape in ListingFormat:
        if counts.get(shape, 0) > (counts.get(best, 0) if best is not None else 0):
            best = shape
    return best


def detect_format(lines: Iterable[str]) -> ListingFormat:
    """Look at the first non-empty lines and name the format."""
    sample: list[str] = []
    for raw in lines:
        line = raw.strip()
        if line:
            sample.append(line)
            if len(sample) >= SNIFF_LINES:
                break
    if not sample:
        return ListingFormat.UNKNOWN
    first = sample[0].lstrip("\ufeff")
    if first.startswith("<?xml") or first.startswith("<feed"):
        return ListingFormat.ATOM
    if first.startswith("@") and re.match(r"@\w+\s*[{(]", first):
        return ListingFormat.BIBTEX
    if _JSON_START.match(first) and not _OPEN_BRACKET.match(first):
        return ListingFormat.JSON
    shape = strongest(anchor_counts(sample))
    if shape is not None:
        return shape
    return detect_seed_format(sample)


def detect_seed_format(sample: list[str]) -> ListingFormat:
    """The two seed formats (Hugging Face listing text, arXiv ``Abstract:`` dumps), told apart
    as readq always has; ``UNKNOWN`` for text that is neither."""
    first = sample[0].lstrip("\ufeff")
    abstract_lines = sum(1 for line in sample if _ABSTRACT_PREFIX.match(line))
    if abstract_lines and _ABSTRACT_PREFIX.match(first):
        return ListingFormat.ARXIV
    long_lines = sum(1 for line in sample if len(line) >= 200)
    if abstract_lines >= max(1, long_lines // 2):
        return ListingFormat.ARXIV
    if long_lines or any(line == "·" or AUTHORS_LINE.match(line) for line in sample):
        return ListingFormat.HF
    # Date lines alone are in page chrome too ("Dec 9" atop Daily Papers): listing text also
    # has a line as long as a short abstract.
    if any(parse_date_line(line) for line in sample) and any(
        len(line) >= HF_TEXT_MIN and line.casefold() not in PAGE_CHROME for line in sample
    ):
        return ListingFormat.HF
    return ListingFormat.UNKNOWN
