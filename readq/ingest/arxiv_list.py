"""arXiv listing pages: ``/list/<cat>/new`` (with abstracts) and ``/recent``, ``/pastweek``
(without), copied from the browser.

Each entry starts with ``[n] arXiv:ID [pdf, html, other]`` (`` (cross-list from cs.CV)`` or
`` (replaced)`` after it), then ``Title: …``, an author line (without a label in the current
layout, ``Authors: …`` in older copies), optional ``Comments:`` / ``Journal-ref:`` / other
labelled rows, ``Subjects: Name (cs.LG); …`` (primary first), and on ``/new`` the abstract
paragraph. Headings ("New submissions (showing 5 of 5 entries)", "Fri, 4 Dec 2026 (showing
first 25 of 104 entries )") and the page's chrome around the entries carry no paper.

A ``/new`` page's announcement date ("Showing new listings for Friday, 4 December 2026", or in
older copies "New submissions for Fri, 4 Dec 26") and a
``/recent`` page's day headings date the new and cross-listed entries under them; replaced
entries were first published earlier and get no date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from readq.identity import ARXIV_ID_RE, normalise_doi, split_version
from readq.ingest.common import (
    Parsed,
    clean_abstract,
    cleaned,
    find_date,
    paper,
    split_authors,
    subject_categories,
)

ENTRY = re.compile(
    rf"^\[\d+\]\s+arXiv:(?P<id>{ARXIV_ID_RE}(?:v\d+)?)\b(?P<rest>.*)$", re.IGNORECASE
)
DAY_HEADING = re.compile(
    r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\b"
)
_SHOWING = re.compile(r"^Showing new listings for\b", re.IGNORECASE)
# Older copies head their sections "New submissions for Fri, 4 Dec 26" (a two-digit year).
_OLD_HEADING = re.compile(
    r"^(?:New submissions|Cross-lists|Replacements) for [A-Z][a-z]{2}, "
    r"(?P<day>\d{1,2}) (?P<month>[A-Z][a-z]{2}) (?P<year>\d{2})$"
)
_SECTION = re.compile(
    r"^(?:New submissions|Cross submissions|Cross-lists|Replacement submissions|Replacements)\b"
    r"|^Total of \d+ entries|^Showing up to \d+ entries|^\(showing",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^(?P<label>Title|Authors?|Comments|Journal-ref|Subjects|Report-no|MSC-class|ACM-class|DOI)"
    r"\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)


def parse_arxiv_list(lines: Iterable[str]) -> Parsed:
    """Papers of an arXiv ``/new``, ``/recent`` or ``/pastweek`` page (see the module doc)."""
    result = Parsed()
    entry: dict[str, str] | None = None
    abstract: list[str] = []
    announced: str | None = None
    for line in cleaned(lines):
        match = ENTRY.match(line)
        if match is not None:
            _finish(entry, abstract, result)
            entry = {"id": match["id"], "rest": match["rest"], "date": announced or ""}
            abstract = []
            continue
        old = _OLD_HEADING.match(line)
        if _SHOWING.match(line) or DAY_HEADING.match(line) or old is not None:
            _finish(entry, abstract, result)
            entry, abstract = None, []
            announced = find_date(
                f"{old['day']} {old['month']} 20{old['year']}" if old is not None else line
            )
            continue
        if entry is None:
            continue  # chrome before the first entry, or after a heading
        if _SECTION.match(line):
            _finish(entry, abstract, result)
            entry, abstract = None, []
            continue
        label = _LABEL.match(line)
        if label is not None and not abstract:
            key = label["label"].lower()
            key = "authors" if key.startswith("author") else key
            if key == "title" and "title" in entry:
                result.skipped += 1
                continue
            entry[key] = label["value"].strip()
            continue
        if "title" in entry and "authors" not in entry and "subjects" not in entry:
            entry["authors"] = line  # the current layout's author line has no label
        elif "title" in entry and "subjects" in entry:
            abstract.append(line)
        else:
            result.skipped += 1
    _finish(entry, abstract, result)
    return result


def _finish(entry: dict[str, str] | None, abstract: list[str], result: Parsed) -> None:
    if entry is None:
        return
    ref = split_version(entry["id"])
    title = entry.get("title", "")
    if ref is None or not title:
        result.skipped += 1
        return
    rest = entry["rest"].lower()
    replaced = "(replaced" in rest
    doi = normalise_doi(entry["doi"]) if entry.get("doi") else None
    found = paper(
        title,
        clean_abstract(" ".join(abstract)),
        author_names=split_authors(entry.get("authors", "")),
        arxiv_id=ref.id,
        arxiv_version=ref.version,
        categories=subject_categories(entry.get("subjects", "")),
        comments=entry.get("comments") or None,
        journal_ref=entry.get("journal-ref") or None,
        doi=doi,
        published=None if replaced else (entry["date"] or None),
    )
    if found is None:
        result.skipped += 1
    else:
        result.papers.append(found)
