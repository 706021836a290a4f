"""Which URLs readq hands to a browser: a paper's own page and PDF, the arXiv search link.

A paper known by its arXiv id is opened, fetched and cited at arXiv (``/abs/ID``,
``/pdf/ID``); one without an id falls back to the links its listing gave. Every URL still
passes :func:`safe_url` before it reaches a browser or the clipboard.
"""

from __future__ import annotations

import re
import urllib.parse

from readq.identity import abs_url, parse_arxiv_ref, pdf_url
from readq.models import Paper

_ALLOWED_SCHEMES = ("http", "https")


def safe_url(url: str) -> str | None:
    """Return ``url`` if it is a plain http(s) URL with a host, else None.

    Refuses other schemes (``file:``, ``javascript:``), a leading dash (a browser would read it
    as an option), whitespace and control characters anywhere.
    """
    if not url or url != url.strip() or url.startswith("-"):
        return None
    if any(ord(ch) < 0x21 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        return None
    if any(ch in url for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"):
        return None
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _ALLOWED_SCHEMES:
        return None
    if not parts.hostname or parts.hostname.startswith("-"):
        return None
    return url


def first_safe_url(urls: tuple[str, ...] | list[str]) -> str | None:
    """The first URL of a paper that may be opened, if any."""
    for url in urls:
        ok = safe_url(url)
        if ok is not None:
            return ok
    return None


def arxiv_search_url(title: str) -> str:
    """An arXiv search for ``title``."""
    query = urllib.parse.quote_plus(" ".join(title.split()))
    return f"https://arxiv.org/search/?query={query}&searchtype=all"


def _arxiv_id(paper: Paper) -> str | None:
    """The paper's arXiv id if it is a well-formed one (it came from a page: check it)."""
    if not paper.arxiv_id:
        return None
    ref = parse_arxiv_ref(paper.arxiv_id)
    return ref.id if ref is not None else None


def page_url(paper: Paper) -> str | None:
    """The paper's own page: its arXiv abstract page, else its first safe link."""
    arxiv_id = _arxiv_id(paper)
    if arxiv_id is not None:
        return safe_url(abs_url(arxiv_id))
    return first_safe_url(paper.urls)


_PDF_LINK = re.compile(r"(?:\.pdf|/pdf/[^/]+)/?$", re.IGNORECASE)


def pdf_link(paper: Paper) -> str | None:
    """The paper's PDF: arXiv's when the id is known, else a link of the paper that is one."""
    arxiv_id = _arxiv_id(paper)
    if arxiv_id is not None:
        return safe_url(pdf_url(arxiv_id))
    for url in paper.urls:
        ok = safe_url(url)
        if ok is not None and _PDF_LINK.search(urllib.parse.urlsplit(ok).path):
            return ok
    return None


def citation_line(title: str, paper: Paper) -> str:
    """What ``y`` copies: "Title — https://arxiv.org/abs/ID" (the title alone without a link).

    ``title`` is the title as displayed (already cleaned of terminal controls).
    """
    url = page_url(paper)
    return f"{title} — {url}" if url else title
