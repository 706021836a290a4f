"""A Hugging Face collection page copied from the browser.

Each paper item is its title on a line, then ``Paper • 2405.01525 • Published May 2, 2024 •
29`` (the arXiv id, the date and the upvotes). Models, datasets and spaces in the same
collection (``Text Generation • Updated 5 days ago • 1.2k``) are not papers; item notes and the
collection's own title and description are not either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from readq.identity import ARXIV_ID_RE, split_version
from readq.ingest.common import Parsed, cleaned, find_date, paper

ITEM = re.compile(
    rf"^Paper\s*[•·]\s*(?P<id>{ARXIV_ID_RE}(?:v\d+)?)\s*(?:[•·]\s*(?P<rest>.*))?$",
)
_UPVOTES = re.compile(r"[•·]\s*(?P<n>\d{1,7})\s*$")


def parse_hf_collection(lines: Iterable[str], *, today: date | None = None) -> Parsed:
    """Papers of a Hugging Face collection (see the module docstring)."""
    result = Parsed()
    previous: str | None = None
    for line in cleaned(lines):
        item = ITEM.match(line)
        if item is None:
            previous = line
            continue
        ref = split_version(item["id"])
        rest = item["rest"] or ""
        upvotes = _UPVOTES.search(" • " + rest)
        made = (
            paper(
                previous,
                arxiv_id=ref.id,
                arxiv_version=ref.version,
                published=find_date(rest, today=today),
                upvotes=int(upvotes["n"]) if upvotes else None,
            )
            if previous is not None and ref is not None and not ITEM.match(previous)
            else None
        )
        if made is None:
            result.skipped += 1
        else:
            result.papers.append(made)
        previous = None
    return result
