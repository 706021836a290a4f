"""The arXiv e-mail digest (the daily "cs daily Subj-class mailing" message).

Each entry sits between ``\\\\`` lines: a header (``arXiv:ID``, ``Date: …``, ``Title:``,
``Authors:``, ``Categories: cs.LG cs.AI``, optional ``Comments:``, ``Journal-ref:``, ``DOI:``;
a value continues on lines indented by two spaces), then the hard-wrapped abstract, then
``\\\\ ( https://arxiv.org/abs/ID ,  1234kb)``. Sections are divided by lines of ``-``;
``%-%-%-…`` opens the cross-lists (``(*cross-listing*)``), ``%%--%%--…`` the replacements
(``replaced with revised version <date>``, no abstract) and ``%%%---…`` ends the digest.

A replacement gives the paper's id and, when the entry names it (``arXiv:IDv2``, ``(revised
v2)``, ``…/abs/IDv2``, ``(1234kb,v2)``), its version, so that the stored paper's version is
raised; its title and authors are kept, it carries no abstract and no date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from readq.identity import ARXIV_ID_RE, find_arxiv_ref, normalise_doi, split_version
from readq.ingest.common import (
    Parsed,
    clean_abstract,
    code_categories,
    find_date,
    paper,
    split_authors,
)
from readq.textclean import clean_line

ENTRY_ID = re.compile(rf"^arXiv:(?P<id>{ARXIV_ID_RE}(?:v\d+)?)\b(?P<rest>.*)$", re.IGNORECASE)
_HEADER_LABEL = re.compile(
    r"^(?P<label>Date(?: \(revised v\d+\))?|Title|Authors?|Categories|Comments|Journal-ref|DOI|"
    r"Report-no|MSC-class|ACM-class|License)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_REVISED = re.compile(r"\brevised\s+v(?P<v>\d+)|kb,\s*v(?P<k>\d+)\)", re.IGNORECASE)
_SECTION = re.compile(r"^(?:-{10,}|(?:%-){5,}%?|(?:%%--){3,}(?:%%)?|(?:%%%---){2,}(?:%%%)?)$")


def parse_arxiv_email(lines: Iterable[str]) -> Parsed:
    """Papers of an arXiv e-mail digest (see the module docstring)."""
    result = Parsed()
    header: dict[str, str] | None = None
    label: str | None = None
    abstract: list[str] | None = None
    replacements = False
    for raw in lines:
        line = clean_line(raw)
        if not line:
            continue
        if _SECTION.match(line):
            _finish(header, abstract, replacements, result)
            header, abstract, label = None, None, None
            if line.startswith("%%--"):
                replacements = True
            elif line.startswith("%-%-"):
                replacements = False
            continue
        if line.startswith("\\\\"):
            tail = line[2:].strip()
            if tail.startswith("("):
                # The entry's last line: its abs link (with a version, in some digests).
                if header is not None:
                    header["link"] = tail
                _finish(header, abstract, replacements, result)
                header, abstract, label = None, None, None
            elif header is not None and abstract is None and "title" in header:
                abstract = []  # the header is done: the abstract follows
            continue
        entry = ENTRY_ID.match(line)
        if entry is not None and (header is None or abstract is not None):
            _finish(header, abstract, replacements, result)
            header, abstract, label = {"id": entry["id"], "rest": entry["rest"]}, None, None
            continue
        if header is None:
            continue  # the digest's own header, or text between entries
        if abstract is not None:
            abstract.append(line)
            continue
        match = _HEADER_LABEL.match(line)
        if match is not None:
            label = match["label"].lower()
            label = "authors" if label.startswith("author") else label
            label = "date" if label.startswith("date") else label
            if label == "date" and "revised" in match["label"].lower():
                header["revised"] = match["label"]
            header[label] = match["value"]
        elif raw[:1].isspace() and label is not None:
            header[label] += " " + line  # a continuation line
        elif line.lower().startswith("replaced with revised version"):
            header["replaced"] = line
        else:
            result.skipped += 1
    _finish(header, abstract, replacements, result)
    return result


def _version(header: dict[str, str]) -> int | None:
    ref = split_version(header["id"])
    if ref is not None and ref.version:
        return ref.version
    for key in ("revised", "replaced", "date"):
        found = _REVISED.search(header.get(key, ""))
        if found is not None:
            return int(found["v"] or found["k"])
    link = find_arxiv_ref(header.get("link", ""))
    return link.version if link is not None else None


def _finish(
    header: dict[str, str] | None,
    abstract: list[str] | None,
    replacements: bool,
    result: Parsed,
) -> None:
    if header is None:
        return
    ref = split_version(header["id"])
    if ref is None or not header.get("title"):
        result.skipped += 1
        return
    replaced = replacements or "replaced" in header
    doi = normalise_doi(header["doi"].split()[0]) if header.get("doi") else None
    found = paper(
        header["title"],
        "" if replaced else clean_abstract(" ".join(abstract or ())),
        author_names=split_authors(header.get("authors", "")),
        arxiv_id=ref.id,
        arxiv_version=_version(header),
        categories=code_categories(header.get("categories", "")),
        comments=header.get("comments") or None,
        journal_ref=header.get("journal-ref") or None,
        doi=doi,
        published=None if replaced else find_date(header.get("date", "")),
    )
    if found is None:
        result.skipped += 1
    else:
        result.papers.append(found)
