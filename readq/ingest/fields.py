"""Small field parsers shared by the listing formats: dates, URLs, author counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    name: index
    for index, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}

# "Sep 20, 2024 6", "Oct 16 3", "Dec 3", "Sept 4, 2023"
DATE_LINE = re.compile(
    r"^(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+"
    r"(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?(?:\s+(?P<upvotes>\d{1,7}))?$"
)
AUTHORS_LINE = re.compile(r"^[•·∙*-]\s*(?P<count>\d{1,5})\s+authors?$")
_URL = re.compile(
    r"(?:https?://|www\.|\b(?:github\.com|huggingface\.co)/)[^\s<>\"'`{}|\\^]*",
    re.IGNORECASE,
)
_GITHUB_IO = re.compile(r"(?<![\w.@/-])[\w-]+\.github\.io\b[^\s<>\"'`{}|\\^]*", re.IGNORECASE)
_URL_HINTS = ("://", "www.", "github", "huggingface")
"""Substrings one of which every URL that _URL or _GITHUB_IO matches contains (lowercased)."""
# Where a match of _URL or _GITHUB_IO must have a "." or a "/": the pieces of those patterns
# around it, with the same flag. Every match has one of these (``https?://``, ``www\.``,
# ``github\.com/``, ``huggingface\.co/``, ``\.github\.io``), so a text in which neither
# finds anything has no URL; and each starts with one literal character, which the regex
# engine skips to (no lowercased copy of the text is needed to rule out most abstracts).
_DOT_HINT = re.compile(r"\.(?:(?<=www\.)|github\.io)", re.IGNORECASE)
_SLASH_HINT = re.compile(r"/(?:(?<=://)|(?<=github\.com/)|(?<=huggingface\.co/))", re.IGNORECASE)
_TRAILING = ".,;:!?*'\""


@dataclass(frozen=True, slots=True)
class ListingDate:
    """A date line as given: month, day, optional year and upvotes."""

    month: int
    day: int
    year: int | None
    upvotes: int | None
    text: str


def parse_date_line(line: str) -> ListingDate | None:
    """Parse a listing date line, or return None if ``line`` is not one."""
    match = DATE_LINE.match(line)
    if match is None:
        return None
    month = MONTHS[match["month"][:3].lower()]
    day = int(match["day"])
    year = int(match["year"]) if match["year"] else None
    if not 1 <= day <= 31:
        return None
    text = line if match["upvotes"] is None else line[: match.start("upvotes")].rstrip()
    upvotes = int(match["upvotes"]) if match["upvotes"] else None
    return ListingDate(month=month, day=day, year=year, upvotes=upvotes, text=text)


def resolve_date(value: ListingDate, listing_year: int) -> str | None:
    """The ISO date of ``value``, taking ``listing_year`` when the line has no year."""
    year = value.year if value.year is not None else listing_year
    try:
        return date(year, value.month, value.day).isoformat()
    except ValueError:
        return None


def find_urls(text: str) -> tuple[str, ...]:
    """URLs mentioned in ``text`` (http/https, or bare github/huggingface/www links), in order."""
    if _DOT_HINT.search(text) is None and ("/" not in text or _SLASH_HINT.search(text) is None):
        return ()
    found: list[str] = []
    lowered = text.lower()
    # The hints of _URL_HINTS, tested without a generator (this runs for every abstract).
    if not (
        "://" in lowered or "www." in lowered or "github" in lowered or "huggingface" in lowered
    ):
        return ()
    matches = list(_URL.finditer(text))
    if ".github.io" in lowered:
        taken = [(m.start(), m.end()) for m in matches]
        matches += [
            m
            for m in _GITHUB_IO.finditer(text)
            if not any(start <= m.start() < end for start, end in taken)
        ]
        matches.sort(key=lambda m: m.start())
    for match in matches:
        url = match.group(0)
        # Balance a closing bracket that belongs to the prose, not the URL.
        while url and (
            url[-1] in _TRAILING
            or (url[-1] == ")" and url.count("(") < url.count(")"))
            or (url[-1] == "]" and url.count("[") < url.count("]"))
        ):
            url = url[:-1]
        if not url.lower().startswith(("http://", "https://")):
            url = "https://" + url
        host = url.split("://", 1)[1].split("/", 1)[0]
        if "." not in host or len(url) < 12:
            continue
        if url not in found:
            found.append(url)
    return tuple(found)
