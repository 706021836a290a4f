"""Pieces shared by the page parsers: their result type and the fields pages spell alike.

arXiv's pages, its e-mail digest, Hugging Face and Scholar write the same facts (author lists,
category lists, dates, arXiv's ``this https URL`` stand-in for links) in a few spellings; each
is read here once so that every parser reads it the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from readq.ingest.fields import MONTHS, find_urls
from readq.models import ScrapedPaper
from readq.textclean import clean_line

TITLE_MAX = 400
"""Longer "titles" are not titles: a parser that would produce one drops the entry."""


@dataclass(slots=True)
class Parsed:
    """What a page parser found: its papers, and how many lines inside entries it could not
    place (lines before the first entry are page chrome and are not counted)."""

    papers: list[ScrapedPaper] = field(default_factory=list)
    skipped: int = 0


def cleaned(lines: Iterable[str]) -> Iterator[str]:
    """The non-empty lines of a page, each cleaned (unsafe characters out, spaces folded), one
    at a time (a big paste is not held in memory twice)."""
    for raw in lines:
        line = clean_line(raw)
        if line:
            yield line


_LINK_STANDIN = re.compile(r"\bthis\s+(?:https?|ftp)\s+URL\b", re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=\w)\s+(?=[,.;:!?)](?:\s|$))")


def clean_abstract(text: str) -> str:
    """An abstract as one line, with arXiv's "this https URL" (the text of a link whose target a
    copy loses) written as "[link]" so that no sentence reads as if it named a URL, and the
    gaps that linked keywords leave before punctuation ("benchmark ,") closed."""
    text = clean_line(text)
    if "URL" in text or "url" in text:
        text = _LINK_STANDIN.sub("[link]", text)
    if " ," in text or " ." in text or " ;" in text or " :" in text or " )" in text:
        text = _SPACE_BEFORE_PUNCT.sub("", text)
    return text


_AFFILIATION = re.compile(r"\s*\([^()]*\)")
_AND = re.compile(r",?\s+and\s+|\s*&\s*")


def split_authors(text: str) -> tuple[str, ...]:
    """Author names from a line as arXiv writes it: "A B, C D and E F", affiliations in
    brackets dropped ("A B (Univ. X)")."""
    text = clean_line(text)
    while "(" in text:  # nested affiliations: "A (1), B (2) ((1) Univ X, (2) Univ Y)"
        stripped = _AFFILIATION.sub("", text)
        if stripped == text:
            break
        text = stripped
    names: list[str] = []
    for part in text.split(","):
        for name in _AND.split(part):
            name = name.strip(" .;")
            if name and name.casefold() not in {"et al", "et al."} and len(name) <= 100:
                names.append(name)
    return tuple(names)


_CATEGORY = re.compile(r"\(([a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?)\)")
_CATEGORY_CODE = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?$")


def subject_categories(text: str) -> tuple[str, ...]:
    """Category codes of a ``Subjects:`` value, primary first:
    "Machine Learning (cs.LG); Artificial Intelligence (cs.AI)" -> ("cs.LG", "cs.AI")."""
    return _unique(_CATEGORY.findall(text))


def code_categories(text: str) -> tuple[str, ...]:
    """Category codes of a space-separated list ("cs.LG cs.AI stat.ML"); other words dropped."""
    return _unique(word for word in text.split() if _CATEGORY_CODE.match(word) and "." in word)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return tuple(seen)


_DAY_MONTH_YEAR = re.compile(
    r"\b(?P<day>\d{1,2})\s+(?P<month>[A-Z][a-z]{2,8})\.?,?\s+(?P<year>\d{4})\b"
)
_MONTH_DAY_YEAR = re.compile(
    r"\b(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})\b"
)
_MONTH_DAY = re.compile(r"\b(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2})\b(?!\s*,?\s*\d)")


def _iso(year: int, month_name: str, day: int) -> str | None:
    month = MONTHS.get(month_name[:3].lower())
    if month is None:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(text: str, *, today: date | None = None) -> str | None:
    """The first date in ``text`` as ISO: "2 Dec 2026", "2 December, 2026", "Dec 2, 2026", or
    (when ``today`` is given) a year-less "Dec 2" in ``today``'s year, or the year before when
    that would be in the future (as Hugging Face writes this year's dates)."""
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        match = pattern.search(text)
        if match is not None:
            found = _iso(int(match["year"]), match["month"], int(match["day"]))
            if found is not None:
                return found
    if today is not None:
        match = _MONTH_DAY.search(text)
        if match is not None:
            found = _iso(today.year, match["month"], int(match["day"]))
            if found is not None and found > today.isoformat():
                found = _iso(today.year - 1, match["month"], int(match["day"]))
            return found
    return None


def paper(
    title: str,
    abstract: str = "",
    *,
    author_names: tuple[str, ...] = (),
    authors: int | None = None,
    names_complete: bool = True,
    **fields: object,
) -> ScrapedPaper | None:
    """A ``ScrapedPaper`` with the conventions every page parser keeps: a cleaned title (no
    paper without one, none longer than ``TITLE_MAX``), the abstract's links in ``urls``, and
    ``authors`` = the number of names when the names are all there and no larger count is
    given (a list the page cut short, as Scholar's "A Quill, B Osei…", gives no count)."""
    title = clean_line(title)
    if not title or len(title) > TITLE_MAX:
        return None
    if names_complete and author_names and (authors is None or authors < len(author_names)):
        authors = len(author_names)
    return ScrapedPaper(
        title=title,
        abstract=abstract,
        author_names=author_names,
        authors=authors,
        urls=find_urls(abstract),
        **fields,  # type: ignore[arg-type]
    )
