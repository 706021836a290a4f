"""Which URLs readq hands to a browser, and the arXiv search link for a title."""

from __future__ import annotations

import urllib.parse

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
