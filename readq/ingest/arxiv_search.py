"""arXiv search results (``arxiv.org/search``) copied from the browser.

Each result: ``1. arXiv:2612.04011  [pdf, other]  cs.LG cs.AI`` (categories, primary first), an
optional ``doi 10.…`` line, the title on a line of its own, ``Authors: …`` (which may end
"…, et al. (3 additional authors not shown)"), ``Abstract: … ▽ More`` (a truncated preview:
stored, and marked partial so that a later full abstract replaces it; when the copy also holds
the expanded text, ending in "△ Less", that one is the full abstract), then
``Submitted 5 December, 2026; v1 submitted 2 December, 2026; originally announced …`` and
optional ``Comments:`` / ``Journal ref:`` rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from readq.identity import ARXIV_ID_RE, normalise_doi, split_version
from readq.ingest.common import (
    Parsed,
    clean_abstract,
    cleaned,
    code_categories,
    find_date,
    paper,
    split_authors,
)

ENTRY = re.compile(
    rf"^\d{{1,6}}\.\s+arXiv:(?P<id>{ARXIV_ID_RE}(?:v\d+)?)\b(?P<rest>.*)$", re.IGNORECASE
)
_MORE = re.compile(r"\s*(?:▽\s*More|…\s*▽\s*More|▽)\s*$")
_LESS = re.compile(r"\s*△\s*Less\s*$")
_NOT_SHOWN = re.compile(r",?\s*et al\.?\s*\((?P<n>\d+) additional authors? not shown\)", re.I)
_LABEL = re.compile(
    r"^(?P<label>Authors?|Abstract|Submitted|Comments|Journal ref|Journal-ref)\b\s*:?\s*"
    r"(?P<value>.*)$",
    re.IGNORECASE,
)
_DOI_LINE = re.compile(r"^doi:?\s+(?P<doi>10\.\S+)", re.IGNORECASE)
_V1 = re.compile(r"\bv1 submitted\s+(?P<date>[^;]+)", re.IGNORECASE)
_END = re.compile(r"^(?:Showing \d|Search v\d|Next\b|Previous\b|About\b|Help\b)", re.I)


def parse_arxiv_search(lines: Iterable[str]) -> Parsed:
    """Papers of an arXiv search results page (see the module docstring)."""
    result = Parsed()
    entry: dict[str, str] | None = None
    for line in cleaned(lines):
        match = ENTRY.match(line)
        if match is not None:
            _finish(entry, result)
            entry = {"id": match["id"], "categories": match["rest"]}
            continue
        if entry is None:
            continue
        if _END.match(line):
            _finish(entry, result)
            entry = None
            continue
        if "title" not in entry:
            doi = _DOI_LINE.match(line)
            if doi is not None:
                entry["doi"] = doi["doi"]
            else:
                entry["title"] = line
            continue
        label = _LABEL.match(line)
        key = label["label"].lower() if label is not None else ""
        if key.startswith("author") and "authors" not in entry:
            entry["authors"] = label["value"] if label else ""
        elif key == "abstract" and "abstract" not in entry:
            entry["abstract"] = label["value"] if label else ""
        elif key == "submitted" and "submitted" not in entry:
            entry["submitted"] = line
        elif key == "comments":
            entry["comments"] = label["value"] if label else ""
        elif key in ("journal ref", "journal-ref"):
            entry["journal-ref"] = label["value"] if label else ""
        elif "abstract" in entry and "submitted" not in entry and "full" not in entry:
            # The expanded abstract, when the copy holds it after the preview.
            if _LESS.search(line):
                entry["full"] = _LESS.sub("", line)
            else:
                entry["abstract"] += " " + line
        else:
            result.skipped += 1
    _finish(entry, result)
    return result


def _finish(entry: dict[str, str] | None, result: Parsed) -> None:
    if entry is None:
        return
    ref = split_version(entry["id"])
    if ref is None or not entry.get("title"):
        result.skipped += 1
        return
    authors_text = entry.get("authors", "")
    hidden = _NOT_SHOWN.search(authors_text)
    names = split_authors(_NOT_SHOWN.sub("", authors_text))
    count = len(names) + int(hidden["n"]) if hidden is not None and names else None
    preview = entry.get("abstract", "")
    partial = bool(_MORE.search(preview))
    abstract = _MORE.sub("", preview).rstrip(" …")
    if _LESS.search(abstract):
        abstract, partial = _LESS.sub("", abstract), False  # the copy holds the whole text
    if entry.get("full"):
        abstract, partial = entry["full"], False
    submitted = entry.get("submitted", "")
    first = _V1.search(submitted)
    found = paper(
        entry["title"],
        clean_abstract(abstract),
        author_names=names,
        authors=count,
        arxiv_id=ref.id,
        arxiv_version=ref.version,
        categories=code_categories(entry.get("categories", "")),
        comments=entry.get("comments") or None,
        journal_ref=entry.get("journal-ref") or None,
        doi=normalise_doi(entry["doi"]) if entry.get("doi") else None,
        abstract_partial=partial and bool(abstract),
        published=find_date(first["date"] if first else submitted),
    )
    if found is None:
        result.skipped += 1
    else:
        result.papers.append(found)
