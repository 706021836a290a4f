"""Adding papers by arXiv id: fetch their records from the arXiv API and store them.

``readq add`` and the TUI's ingest dialog call :func:`add_papers`. The ids (any spelling
:func:`readq.identity.parse_arxiv_ref` reads: ``2612.04011``, ``arXiv:2612.04011v2``, abs/pdf
links, Hugging Face and alphaXiv pages) are checked first; ids already in the library are
reported and not fetched again unless asked; the rest are fetched in one request per 100 ids
from ``export.arxiv.org/api/query`` (``READQ_ARXIV_API`` overrides the base URL), read with
the Atom importer, and stored in one transaction by the one matching rule. Any failure
(offline, a timeout, an HTTP error, a malformed answer, an id arXiv does not know) raises
:class:`ArxivApiError` with one line and stores nothing. Pure core: no Textual, no click.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from readq import __version__
from readq.identity import ArxivRef, parse_arxiv_ref
from readq.ingest.errors import IngestError
from readq.models import ScrapedPaper, Source
from readq.store import IngestResult, Store, now_iso

__all__ = [
    "API_ENV",
    "DEFAULT_API",
    "AddReport",
    "ArxivApiError",
    "add_papers",
    "api_url",
    "fetch_papers",
    "parse_refs",
]

DEFAULT_API = "http://export.arxiv.org/api/query"
API_ENV = "READQ_ARXIV_API"
DEFAULT_TIMEOUT = 20.0
"""Seconds to wait for the API (connecting, and each read)."""
IDS_PER_REQUEST = 100
REQUEST_GAP_SECONDS = 3.0
"""arXiv asks API clients to wait 3 s between requests."""
MAX_RESPONSE_BYTES = 32 << 20


class ArxivApiError(Exception):
    """Adding failed; the message is one line for the user, and nothing was stored."""


@dataclass(frozen=True, slots=True)
class AddReport:
    """What one ``add`` did.

    ``known``: requested ids already in the library (id -> paper id), not fetched unless
    ``refetch``; ``fetched``: ids fetched from the API; ``result``: what storing them did
    (None when nothing was fetched)."""

    requested: tuple[str, ...]
    known: dict[str, int]
    fetched: tuple[str, ...]
    result: IngestResult | None


def api_url() -> str:
    """The API's base URL: ``READQ_ARXIV_API`` when set, else arXiv's own."""
    return os.environ.get(API_ENV, "").strip() or DEFAULT_API


def parse_refs(texts: Sequence[str]) -> list[ArxivRef]:
    """The arXiv ids named by ``texts`` (each once, in order); ``ValueError`` names the first
    text that is not an arXiv id or link."""
    refs: dict[str, ArxivRef] = {}
    for text in texts:
        ref = parse_arxiv_ref(text)
        if ref is None:
            raise ValueError(f"not an arXiv id or link: {text.strip()!r}")
        previous = refs.get(ref.id)
        if previous is None or (ref.version or 0) > (previous.version or 0):
            refs[ref.id] = ref
    return list(refs.values())


def fetch_papers(
    refs: Sequence[ArxivRef],
    *,
    base_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ScrapedPaper]:
    """The API's records of ``refs``, in the order asked; ``ArxivApiError`` if the API cannot
    be reached, answers badly, or does not know one of the ids."""
    from readq.importers.atom import parse_atom_entries

    base = base_url or api_url()
    found: dict[str, ScrapedPaper] = {}
    for start in range(0, len(refs), IDS_PER_REQUEST):
        if start:
            sleep(REQUEST_GAP_SECONDS)
        chunk = refs[start : start + IDS_PER_REQUEST]
        query = urllib.parse.urlencode(
            {"id_list": ",".join(str(r) for r in chunk), "max_results": str(len(chunk))}
        )
        text = _get(f"{base}{'&' if '?' in base else '?'}{query}", timeout)
        try:
            parsed = parse_atom_entries(text, "the arXiv API's answer")
        except IngestError as exc:
            raise ArxivApiError(str(exc)) from None
        for record in parsed.records:
            paper = record.paper
            if paper.arxiv_id is not None:
                found.setdefault(paper.arxiv_id, paper)
    missing = [r.id for r in refs if r.id not in found]
    if missing:
        listed = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        word = "id" if len(missing) == 1 else "ids"
        raise ArxivApiError(f"arXiv has no paper with {word} {listed}; nothing was added")
    return [found[r.id] for r in refs]


def _get(url: str, timeout: float) -> str:
    """The body of ``url`` as text, or one line saying why not."""
    host = urllib.parse.urlsplit(url).netloc or url
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ArxivApiError(f"the arXiv API URL must be http(s), not {url.split('?')[0]!r}")
    request = urllib.request.Request(url, headers={"User-Agent": f"readq/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_RESPONSE_BYTES + 1)
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as exc:
        raise ArxivApiError(
            f"the arXiv API ({host}) answered HTTP {exc.code} {exc.reason}; nothing was added"
        ) from None
    except TimeoutError:
        raise ArxivApiError(
            f"the arXiv API ({host}) did not answer within {timeout:g} s; nothing was added"
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise ArxivApiError(
                f"the arXiv API ({host}) did not answer within {timeout:g} s; nothing was added"
            ) from None
        detail = getattr(reason, "strerror", None) or str(reason)
        raise ArxivApiError(
            f"cannot reach the arXiv API ({host}): {detail} (offline?); nothing was added"
        ) from None
    except (OSError, ValueError) as exc:  # connection reset mid-answer, a malformed URL
        detail = getattr(exc, "strerror", None) or str(exc)
        raise ArxivApiError(
            f"cannot read from the arXiv API ({host}): {detail}; nothing was added"
        ) from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise ArxivApiError(f"the arXiv API ({host}) answered with too much data; nothing added")
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return data.decode("utf-8", errors="replace")


def add_papers(
    store: Store,
    texts: Sequence[str],
    *,
    refetch: bool = False,
    base_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> AddReport:
    """Add the papers named by ``texts`` (ids or links) to ``store``.

    ``ValueError`` for a text that names no arXiv paper (nothing is fetched);
    ``ArxivApiError`` when fetching fails (nothing is stored). Papers already in the library
    (by arXiv id) are only reported, unless ``refetch``: then their records are fetched and
    merged like any repeat (missing fields filled, versions raised, user state untouched).
    """
    refs = parse_refs(texts)
    known = store.papers_by_arxiv_id([r.id for r in refs])
    wanted = refs if refetch else [r for r in refs if r.id not in known]
    if not wanted:
        return AddReport(tuple(r.id for r in refs), known, (), None)
    base = base_url or api_url()
    papers = fetch_papers(wanted, base_url=base, timeout=timeout)
    source = Source(name="arXiv API", path=base.split("?")[0], seen_at=now_iso())
    from readq.rules import apply_to_new  # the search language: start-up cost

    with store.write():  # the papers and the tags their rules give them: one transaction
        result = store.ingest(papers, source, "arxiv-api")
        apply_to_new(store, result.new_ids)
    return AddReport(tuple(r.id for r in refs), known, tuple(r.id for r in wanted), result)
