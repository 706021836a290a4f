"""Hugging Face Trending papers (``huggingface.co/papers/trending``) copied from the browser.

Per paper: "Submitted by" and a user (optional), the title, the text shown under it (the
abstract, or for some papers a short summary), a metadata line ``Org · Published on Nov 30,
2026`` or ``- 4 authors · Published on …``, "Upvote" and a count, and a links line such as
``GitHub 3.29k arXiv Page``. The text carries no arXiv id. A text of at most
``PREVIEW_MAX`` characters is a summary or a cut preview, not a whole abstract: it is stored
marked partial, so that a later full abstract replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from readq.ingest.common import Parsed, clean_abstract, cleaned, find_date, paper

META = re.compile(
    r"^(?:(?:[-•·]\s*(?P<count>\d{1,5})\s+authors?)|(?P<org>[^·]{1,80}?))\s*·\s*"
    r"Published on\s+(?P<date>.+)$",
    re.IGNORECASE,
)
_LINKS = re.compile(r"^(?:GitHub\s+[\d.,]+[kKmM]?\s*)?(?:arXiv Page|Paper page)?$")
_COUNT = re.compile(r"^\d[\d.,]*[kK]?$")
PREVIEW_MAX = 200


def parse_hf_trending(lines: Iterable[str], *, today: date | None = None) -> Parsed:
    """Papers of a Hugging Face Trending page (see the module docstring)."""
    result = Parsed()
    chunk: list[str] = []
    last: dict[str, object] | None = None
    expect_count = False
    for line in cleaned(lines):
        meta = META.match(line)
        if meta is not None:
            _finish(chunk, meta, result, today, first=last is None and not result.papers)
            last = {"index": len(result.papers) - 1}
            chunk, expect_count = [], False
            continue
        if last is not None:
            if line == "Upvote":
                expect_count = True
                continue
            if expect_count and _COUNT.match(line):
                _set_upvotes(result, last, line)
                expect_count = False
                continue
            if line and _LINKS.match(line):
                continue
        expect_count = False
        last = None
        chunk.append(line)
    return result


def _set_upvotes(result: Parsed, last: dict[str, object], text: str) -> None:
    index = last["index"]
    if not isinstance(index, int) or index < 0 or not text.isdigit():
        return
    import dataclasses

    result.papers[index] = dataclasses.replace(result.papers[index], upvotes=int(text))


def _finish(
    chunk: list[str], meta: re.Match[str], result: Parsed, today: date | None, *, first: bool
) -> None:
    """The paper of the lines before a metadata line. The first chunk holds the page's chrome
    too: without a "Submitted by" line there, only its last two lines (title and text) are the
    entry."""
    start = 0
    for index, line in enumerate(chunk):
        if line == "Submitted by":
            start = index + 2  # the user's handle follows
    body = chunk[start:]
    if start == 0 and first and len(body) > 2:
        body = body[-2:]
    if not body:
        result.skipped += 1
        return
    title, text = body[0], " ".join(body[1:])
    abstract = clean_abstract(text)
    count = int(meta["count"]) if meta["count"] else None
    made = paper(
        title,
        abstract,
        authors=count,
        org=meta["org"].strip() if meta["org"] else None,
        published=find_date(meta["date"], today=today),
        abstract_partial=0 < len(abstract) <= PREVIEW_MAX,
    )
    if made is None:
        result.skipped += 1
    else:
        result.papers.append(made)
