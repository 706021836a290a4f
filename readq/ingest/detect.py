"""Tell the listing formats apart from their content, never from configuration."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from readq.ingest.fields import AUTHORS_LINE, parse_date_line

_ABSTRACT_PREFIX = re.compile(r"^\s*abstract\s*[:.]", re.IGNORECASE)
SNIFF_LINES = 200


class ListingFormat(StrEnum):
    """The listing formats readq ingests, and some it recognises in order to refuse clearly."""

    HF = "hf"
    ARXIV = "arxiv"
    BIBTEX = "bibtex"
    ATOM = "atom"
    JSON = "json"
    UNKNOWN = "unknown"


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
    if first.startswith(("{", "[")):
        return ListingFormat.JSON
    abstract_lines = sum(1 for line in sample if _ABSTRACT_PREFIX.match(line))
    if abstract_lines and _ABSTRACT_PREFIX.match(first):
        return ListingFormat.ARXIV
    long_lines = sum(1 for line in sample if len(line) >= 200)
    markers = sum(
        1 for line in sample if AUTHORS_LINE.match(line) or parse_date_line(line) or line == "·"
    )
    if abstract_lines >= max(1, long_lines // 2):
        return ListingFormat.ARXIV
    if long_lines or markers:
        return ListingFormat.HF
    return ListingFormat.UNKNOWN
