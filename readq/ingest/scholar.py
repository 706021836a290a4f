"""Google Scholar results copied from the browser.

Per result: an optional side link (``[PDF] arxiv.org``), the title (maybe prefixed ``[PDF]``,
``[HTML]``, ``[BOOK]``, ``[CITATION][C]``, and often lower-cased), a source line ``A Quill,
B Osei… - arXiv preprint arXiv:2612.04011, 2026 - arxiv.org`` (abbreviated names, cut with
"…" when there are more; the venue and year; the host), a snippet cut with "…" (stored as a
partial abstract), and "Save Cite Cited by 12 Related articles All 3 versions".
Abbreviated names are kept as Scholar gives them: the store's matching never lets them
overwrite full names. A cut name list gives no author count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from readq.identity import find_arxiv_ref
from readq.ingest.common import Parsed, clean_abstract, cleaned, paper

SOURCE = re.compile(
    r"^(?P<authors>.{1,300}?)\s+-\s+(?:(?P<venue>.+?)\s+-\s+)?"
    r"(?P<host>(?:[\w-]+\.)+[a-z]{2,})$"
)
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")
SIDE_LINK = re.compile(r"^\[(?:PDF|HTML|DOC)\]\s+(?:[\w-]+\.)+[a-z]{2,}$")
_TITLE_TAGS = re.compile(r"^(?:\[(?:PDF|HTML|BOOK|B|CITATION|C|DOC)\]\s*)+")
FOOTER = re.compile(r"^(?:Save\s+Cite|Cited by \d+|Related articles|All \d+ versions)")
_CUT = ("…", "...")


def parse_scholar(lines: Iterable[str]) -> Parsed:
    """Papers of a Google Scholar results page (see the module docstring)."""
    result = Parsed()
    entry: dict[str, str] | None = None
    # Each line is placed once the next one is known: the line before a source line is the
    # next result's title, not the current result's snippet.
    pending: str | None = None
    for line in cleaned(lines):
        source = SOURCE.match(line)
        if source is not None and pending is not None and _names(source["authors"]):
            _finish(entry, result)
            title = _TITLE_TAGS.sub("", pending).strip()
            if SIDE_LINK.match(pending) or FOOTER.match(pending):
                title = ""
            entry = {
                "title": title,
                "authors": source["authors"],
                "venue": source["venue"] or "",
                "snippet": "",
            }
            pending = None
            continue
        if pending is not None:
            entry = _place(pending, entry, result)
        pending = line
    if pending is not None:
        entry = _place(pending, entry, result)
    _finish(entry, result)
    return result


def _place(line: str, entry: dict[str, str] | None, result: Parsed) -> dict[str, str] | None:
    """Add a line that is no title to the open result; return the result still open."""
    if entry is None:
        return None
    if FOOTER.match(line):
        _finish(entry, result)
        return None
    if not SIDE_LINK.match(line):
        entry["snippet"] = (entry["snippet"] + " " + line).strip()
    return entry


def _names(text: str) -> tuple[str, ...]:
    """The names of a source line's author part, or () when it is not a list of names."""
    text = text.strip().rstrip("…").rstrip(".").strip()
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names or not all(_is_name(n) for n in names):
        return ()
    return names


def _is_name(text: str) -> bool:
    """A name as Scholar abbreviates it ("A Quill", "É Dupont-Roy", "J van der Berg"):
    one to six words of letters, the first capitalised."""
    words = text.split()
    return 0 < len(words) <= 6 and text[0].isupper() and all(_NAME_WORD.match(w) for w in words)


def _finish(entry: dict[str, str] | None, result: Parsed) -> None:
    if entry is None:
        return
    ref = find_arxiv_ref(entry["venue"])
    snippet = entry["snippet"]
    authors_text = entry["authors"].strip()
    cut = authors_text.endswith(_CUT)
    made = paper(
        entry["title"],
        clean_abstract(snippet),
        author_names=_names(authors_text),
        names_complete=not cut,
        arxiv_id=ref.id if ref else None,
        arxiv_version=ref.version if ref else None,
        abstract_partial=bool(snippet),
    )
    if made is None:
        result.skipped += 1
    else:
        result.papers.append(made)
