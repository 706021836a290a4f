"""An arXiv abstract page (``/abs/ID``) copied whole from the browser: one paper.

The page glues its labels to their values (``Title:X``, ``Authors:A, B``, ``Abstract:We …``)
and writes its metadata as rows whose label and value are separated by a tab or a newline
(``Comments:``, ``Subjects:``, ``Journal reference:`` with a no-break space, ``Cite as:
arXiv:ID [cs.CL]``, ``(or arXiv:IDv2 [cs.CL] for this version)``, a DOI link). The version
comes from ``[Submitted on 2 Dec 2026 (v1), last revised 5 Dec 2026 (this version, v2)]`` or the
"Submission history" rows; "View a PDF of the paper titled X, by …" repeats the title and is
not a second paper. The abstract runs from ``Abstract:`` to the first metadata row: none of
those rows is glued onto it. arXiv's DOI (10.48550/arXiv.ID) names the id, not a journal DOI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from readq.identity import find_arxiv_ref, normalise_doi
from readq.ingest.common import (
    Parsed,
    clean_abstract,
    cleaned,
    find_date,
    paper,
    split_authors,
    subject_categories,
)

TITLE = re.compile(r"^Title:(?P<value>(?:\S.*)?)$")
"""The page glues the title to its label, or puts it on the next line; "Title: X" (with a
space) is how arXiv listings and the digest write it."""
SUBMITTED = re.compile(r"^\[Submitted on (?P<first>[^(\]]+)(?P<rest>[^\]]*)\]")
_THIS_VERSION = re.compile(r"\(this version,\s*v(?P<v>\d+)\)")
_HISTORY_VERSION = re.compile(r"^\[v(?P<v>\d+)\]\s")
_META = re.compile(
    r"^(?P<label>Comments|Subjects|Cite as|Journal reference|Journal-ref|Report number|"
    r"MSC classes|ACM classes|DOI|Related DOI)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_STOPS = re.compile(
    r"^(?:Submission history|Access Paper|View PDF|HTML \(experimental\)|TeX Source|"
    r"Other Formats|Bibliographic Tools|Code, Data, Media|Demos|Related Papers|"
    r"About arXivLabs|Which authors of this paper are endorsers)",
    re.IGNORECASE,
)
_VIEW_PDF = re.compile(r"^View a PDF of the paper titled\b", re.IGNORECASE)


def parse_arxiv_abs(lines: Iterable[str]) -> Parsed:
    """The paper of an arXiv abstract page (see the module docstring). A file holding several
    abstract pages one after another gives one paper per ``Title:`` row."""
    result = Parsed()
    page: dict[str, str] | None = None
    abstract: list[str] = []
    pending_label: str | None = None
    versions: list[int] = []
    submitted = ""
    for line in cleaned(lines):
        title = TITLE.match(line)
        if title is not None:
            if page is not None:
                _finish(page, abstract, versions, submitted, result)
                submitted = ""  # that page's; this one has none of its own
            page, abstract, versions = {"title": title["value"]}, [], []
            pending_label = None if title["value"] else "title"
            continue
        if SUBMITTED.match(line):
            if page is not None and "abstract" in page:
                _finish(page, abstract, versions, submitted, result)
                page, abstract, versions = None, [], []
            submitted = line
            continue
        if page is None:
            continue
        if pending_label is not None:
            # A metadata row whose value is on the next line.
            if not page.get(pending_label):
                page[pending_label] = line
            pending_label = None
            continue
        if line.startswith("Authors:") and "authors" not in page:
            page["authors"] = line.removeprefix("Authors:")
            pending_label = None if page["authors"] else "authors"
            continue
        if line.startswith("Abstract:") and "abstract" not in page:
            page["abstract"] = ""
            abstract.append(line.removeprefix("Abstract:"))
            continue
        meta = _META.match(line)
        if meta is not None:
            page["in_meta"] = "1"
            key = meta["label"].lower()
            if meta["value"]:
                page.setdefault(key, meta["value"])
            else:
                pending_label = key
            continue
        if _STOPS.match(line) or _VIEW_PDF.match(line):
            page["in_meta"] = "1" if "abstract" in page else page.get("in_meta", "")
            continue
        version = _HISTORY_VERSION.match(line)
        if version is not None:
            versions.append(int(version["v"]))
            continue
        if line.startswith("(or arXiv:"):
            ref = find_arxiv_ref(line)
            if ref is not None and ref.version:
                versions.append(ref.version)
            continue
        if "abstract" in page and not page.get("in_meta"):
            abstract.append(line)
        elif "doi.org/" in line and "doi_link" not in page:
            page["doi_link"] = line
    _finish(page, abstract, versions, submitted, result)
    return result


def _finish(
    page: dict[str, str] | None,
    abstract: list[str],
    versions: list[int],
    submitted: str,
    result: Parsed,
) -> None:
    if page is None:
        return
    ref = find_arxiv_ref(page.get("cite as", ""))
    if ref is None:
        ref = find_arxiv_ref(page.get("doi_link", ""))
    head = SUBMITTED.match(submitted)
    this_version = _THIS_VERSION.search(submitted)
    if this_version is not None:
        versions.append(int(this_version["v"]))
    if ref is not None and ref.version:
        versions.append(ref.version)
    doi = None
    for key in ("doi", "related doi"):
        value = page.get(key, "")
        candidate = normalise_doi(value.split()[0]) if value else None
        if candidate and not candidate.startswith("10.48550/"):
            doi = candidate
            break
    categories = subject_categories(page.get("subjects", ""))
    if not categories:
        primary = re.search(r"\[([a-z\-]+(?:\.[A-Za-z\-]+)?)\]", page.get("cite as", ""))
        categories = (primary[1],) if primary else ()
    found = paper(
        page["title"],
        clean_abstract(" ".join(abstract)),
        author_names=split_authors(page.get("authors", "")),
        arxiv_id=ref.id if ref else None,
        arxiv_version=max(versions) if versions and ref else None,
        categories=categories,
        comments=page.get("comments") or None,
        journal_ref=page.get("journal reference") or page.get("journal-ref") or None,
        doi=doi,
        published=find_date(head["first"]) if head else None,
    )
    if found is None:
        result.skipped += 1
    else:
        result.papers.append(found)
