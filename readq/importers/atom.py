"""Reading arXiv API Atom feeds (a saved ``export.arxiv.org/api/query`` result).

Each ``<entry>`` gives a title, the abstract (``<summary>``), the authors' names, the
publication date, the arXiv id and version, the categories (primary first), comments, journal
reference, DOI and links. ``readq add`` reads the arXiv API's answers with this parser. The
XML is parsed with ElementTree only after refusing any document type declaration or entity
definition (entity-expansion bombs).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from readq.identity import parse_arxiv_ref
from readq.importers.records import ImportRecord, ParsedImport
from readq.ingest.errors import IngestError
from readq.models import ScrapedPaper
from readq.textclean import clean_line, strip_unsafe

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_FORBIDDEN = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_atom(text: str, name: str) -> ParsedImport:
    """Parse an Atom feed held in ``text``; a DTD, an entity or bad XML refuses the file, and
    so does a feed without entries."""
    parsed = parse_atom_entries(text, name)
    if not parsed.records:
        raise IngestError(name, "the feed has no entries")
    return parsed


def parse_atom_entries(text: str, name: str) -> ParsedImport:
    """:func:`parse_atom` that accepts a feed without entries (the arXiv API's answer for ids
    it does not know): ``readq add`` reports those ids itself."""
    if _FORBIDDEN.search(text):
        raise IngestError(name, "XML with a DTD or entity declarations is refused (unsafe)")
    try:
        root = ET.fromstring(text.lstrip("\ufeff"))
    except ET.ParseError as exc:
        raise IngestError(name, f"malformed XML ({exc})") from None
    if root.tag != f"{ATOM}feed":
        raise IngestError(name, "is XML but not an Atom feed")
    parsed = ParsedImport(format="atom", records=[])
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        entry_id = _text(entry, "id")
        title = clean_line(_text(entry, "title"))
        if "arxiv.org/api/errors" in entry_id:
            summary = clean_line(_text(entry, "summary"))
            raise IngestError(name, f"is an arXiv API error response: {summary or title}")
        if not title:
            parsed.warnings.append(f"an entry without a title was skipped ({entry_id or '?'})")
            continue
        parsed.records.append(ImportRecord(paper=_paper(entry, entry_id, title)))
    return parsed


def _paper(entry: ET.Element, entry_id: str, title: str) -> ScrapedPaper:
    abstract = " ".join(strip_unsafe(_text(entry, "summary")).split())
    published_raw = clean_line(_text(entry, "published") or _text(entry, "updated"))
    published = published_raw[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", published_raw) else None
    names = tuple(
        name
        for name in (clean_line(_text(author, "name")) for author in entry.findall(f"{ATOM}author"))
        if name
    )
    ref = parse_arxiv_ref(entry_id.strip())
    urls: list[str] = []
    for link in entry.findall(f"{ATOM}link"):
        href = clean_line(link.get("href", ""))
        if not re.match(r"^https?://\S+$", href):
            continue
        if link.get("rel", "alternate") == "alternate":
            urls.insert(0, href)
        else:
            urls.append(href)
    if entry_id.startswith(("http://", "https://")) and not urls:
        urls.append(clean_line(entry_id))
    doi = clean_line(_text(entry, "doi", ARXIV))
    if doi:
        urls.append(f"https://doi.org/{doi}")
    return ScrapedPaper(
        title=title,
        abstract=abstract,
        published=published,
        published_text=published_raw or None,
        authors=len(entry.findall(f"{ATOM}author")) or None,
        urls=tuple(dict.fromkeys(urls)),
        arxiv_id=ref.id if ref is not None else None,
        arxiv_version=ref.version if ref is not None else None,
        author_names=names,
        categories=_categories(entry),
        comments=clean_line(_text(entry, "comment", ARXIV)) or None,
        journal_ref=clean_line(_text(entry, "journal_ref", ARXIV)) or None,
        doi=doi or None,
    )


def _categories(entry: ET.Element) -> tuple[str, ...]:
    """The entry's arXiv categories, the primary one first, each once."""
    terms: list[str] = []
    primary = entry.find(f"{ARXIV}primary_category")
    if primary is not None:
        terms.append(clean_line(primary.get("term", "")))
    terms.extend(clean_line(c.get("term", "")) for c in entry.findall(f"{ATOM}category"))
    return tuple(dict.fromkeys(t for t in terms if t))


def _text(element: ET.Element, tag: str, namespace: str = ATOM) -> str:
    found = element.find(f"{namespace}{tag}")
    if found is None:
        return ""
    return "".join(found.itertext())
