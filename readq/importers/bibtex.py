"""Reading BibTeX files (bibtexparser v2): title, authors, abstract, date, identity (arXiv
``eprint``, ``doi``), links and the note.

Values are expanded as BibTeX does (:class:`ExpandStringsMiddleware`, before bibtexparser's
own enclosing removal): ``@string`` macros, the predefined month macros (``jan`` ...) and
``#`` concatenation (``"Bomb" # h``). Titles, abstracts and notes are decoded from LaTeX
(``\\&`` → ``&``, ``{\\"o}`` → ``ö``) with pylatexenc, taught the escapes readq's own export
writes (``\\textbraceleft{}`` ...). URLs, DOIs and eprints are taken as written (the store
reads their identity, as for every source); ``author`` gives the names in "Given Family" order
(``Quill, Ada`` -> ``Ada Quill``). ``note`` / ``annotation`` / ``annote`` become the note;
readq's own ``keywords`` (``readq-read``, ``readq-starred``) give back status and star.

The date: biblatex's ``date`` (``2024``, ``2024-03``, ``2024-03-15``) when it is one, else
``year`` and ``month``. BibTeX has no day, so ``published`` is the first day of what is known:
``2024-03-01`` for March 2024, ``2024-01-01`` for a year alone (sorting and ``year:`` filters
need a date; ``published_text``, "Mar 2024" or "2024", says how precise it is).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any

from bibtexparser.library import Library
from bibtexparser.middlewares import LibraryMiddleware, RemoveEnclosingMiddleware

from readq.identity import ArxivRef, abs_url, parse_arxiv_ref
from readq.importers.records import ImportRecord, ParsedImport
from readq.ingest.errors import IngestError
from readq.models import ScrapedPaper, Status
from readq.textclean import clean_line, strip_unsafe

_LATEX_HINT = re.compile(r"[\\{}$~%`]|--|''|\?`|!`|<<|>>|,,")
_FAST_TOKEN = re.compile(
    r"\\text(asciitilde|asciicircum|backslash|braceleft|braceright)\{\}|\\([&%$#_{}])|\{@\}|[{}]"
)
_NEEDS_FULL = re.compile(r"[\\$~%]|--|``|''|\?`|!`|<<|>>|,,")
_TEXT_MACROS = {
    "asciitilde": "~",
    "asciicircum": "^",
    "backslash": "\\",
    "braceleft": "{",
    "braceright": "}",
}
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_STATUS_KEYWORDS = {f"readq-{s.value}": s for s in Status}
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_MACRO_NAME = re.compile(r"[^\s\d\"#%'(),={}][^\s\"#%'(),={}]*")


class ExpandStringsMiddleware(LibraryMiddleware):  # type: ignore[misc]
    """Expand values as BibTeX does: ``@string`` macros (defined earlier in the file, or the
    month macros ``jan`` ... ``dec``), quoted and braced pieces, and ``#`` concatenation.

    Runs first, on the raw values (bibtexparser's own ``ResolveStringReferencesMiddleware``
    resolves a value that is one macro name only, and leaves ``"Bomb " # h`` as it is). Each
    expanded value is given back in braces, for ``RemoveEnclosingMiddleware`` to take off. An
    undefined macro expands to nothing, as in BibTeX, with a warning in :attr:`warnings`."""

    def __init__(self) -> None:
        super().__init__(allow_inplace_modification=True)
        self.warnings: list[str] = []

    @classmethod
    def metadata_key(cls) -> str:
        """The key bibtexparser records this middleware's work under."""
        return "readq-expand-strings"

    def transform(self, library: Library) -> Library:
        """Expand every ``@string`` (in file order) and then every entry's fields."""
        macros = {name[:3].lower(): name for name in _MONTH_NAMES}
        for string in library.strings:
            expanded = self._expand(str(string.value), macros, f"@string {string.key}", always=True)
            if expanded is not None:
                macros[str(string.key).lower()] = expanded
                string.value = "{" + expanded + "}"
        for entry in library.entries:
            for field in entry.fields:
                if not isinstance(field.value, str):
                    continue
                expanded = self._expand(field.value, macros, f"entry {entry.key}")
                if expanded is not None:
                    field.value = "{" + expanded + "}"
        return library

    def _expand(
        self, value: str, macros: dict[str, str], where: str, *, always: bool = False
    ) -> str | None:
        """The text of ``value``, or None when it is not well formed (then it is kept as
        written) or, unless ``always``, needs no expansion (one braced or quoted piece, a
        number: bibtexparser takes those as they are)."""
        pieces = _split_concatenation(value)
        if pieces is None:
            return None
        if not always and len(pieces) == 1 and not _MACRO_NAME.fullmatch(pieces[0]):
            return None
        texts: list[str] = []
        for piece in pieces:
            if piece[:1] in '{"' and len(piece) >= 2:
                texts.append(piece[1:-1])
            elif piece.isdigit():
                texts.append(piece)
            elif _MACRO_NAME.fullmatch(piece):
                text = macros.get(piece.lower())
                if text is None:
                    self.warnings.append(f"{where}: undefined @string {piece} (left empty)")
                    text = ""
                texts.append(text)
            else:
                return None
        return "".join(texts)


def _split_concatenation(value: str) -> list[str] | None:
    """The ``#``-separated pieces of a raw BibTeX value (``#`` inside braces or quotes is
    text), each stripped; None when braces or quotes do not balance."""
    pieces: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for index, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return None
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            pieces.append(value[start:index].strip())
            start = index + 1
    if depth or quoted:
        return None
    pieces.append(value[start:].strip())
    if not all(pieces):
        return None
    for piece in pieces:
        if piece[0] == "{" and not piece.endswith("}"):
            return None
        if piece[0] == '"' and not (len(piece) >= 2 and piece.endswith('"')):
            return None
    return pieces


def parse_bibtex(text: str, name: str) -> ParsedImport:
    """Parse a BibTeX file held in ``text``; malformed entries refuse the whole file."""
    from bibtexparser.entrypoint import parse_string

    expand = ExpandStringsMiddleware()
    with _quiet("bibtexparser"):
        library = parse_string(text, parse_stack=[expand, RemoveEnclosingMiddleware()])
    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = getattr(block, "start_line", None)
        where = f" (entry starting on line {line + 1})" if isinstance(line, int) else ""
        raise IngestError(name, f"malformed BibTeX{where}")
    entries = list(library.entries)
    if not entries:
        raise IngestError(name, "no BibTeX entries found")
    parsed = ParsedImport(format="bibtex", records=[], warnings=list(expand.warnings))
    for entry in entries:
        fields = {f.key.lower(): f.value for f in entry.fields}
        record = _record(fields)
        if record is None:
            parsed.warnings.append(f"entry {entry.key} has no title; skipped")
            continue
        parsed.records.append(record)
    if not parsed.records:
        raise IngestError(name, "no BibTeX entry has a title")
    return parsed


def _record(fields: dict[str, Any]) -> ImportRecord | None:
    title = clean_line(decode_latex(_text(fields.get("title"))))
    if not title:
        return None
    abstract = " ".join(strip_unsafe(decode_latex(_text(fields.get("abstract")))).split())
    note_field = fields.get("note") or fields.get("annotation") or fields.get("annote")
    note = strip_unsafe(decode_latex(_text(note_field))).strip()
    published, published_text = _date(fields)
    urls: list[str] = []
    url = _plain(fields.get("url"))
    if url:
        urls.append(url)
    ref = _arxiv_ref(fields)
    arxiv_id = ref.id if ref is not None else None
    if arxiv_id:
        urls.append(abs_url(arxiv_id))
    doi = _plain(fields.get("doi"))
    if doi:
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi, flags=re.I)
        urls.append(f"https://doi.org/{doi}")
    authors = _text(fields.get("author")).strip()
    names = _names(authors)
    org = clean_line(decode_latex(_text(fields.get("institution") or fields.get("organization"))))
    keywords = {k.strip().lower() for k in _text(fields.get("keywords")).split(",")}
    status = next((s for k, s in _STATUS_KEYWORDS.items() if k in keywords), None)
    paper = ScrapedPaper(
        title=title,
        abstract=abstract,
        published=published,
        published_text=published_text,
        authors=len(_AND.split(authors)) if authors else None,
        org=org or None,
        urls=tuple(dict.fromkeys(u for u in urls if u)),
        arxiv_id=arxiv_id,
        arxiv_version=ref.version if ref is not None else None,
        author_names=names,
        doi=doi or None,
        categories=(primary,)
        if (primary := clean_line(_plain(fields.get("primaryclass"))))
        else (),
    )
    return ImportRecord(paper=paper, status=status, starred="readq-starred" in keywords, note=note)


def _names(authors: str) -> tuple[str, ...]:
    """The names of a BibTeX ``author`` field, each as "Given Family" (``and others`` is the
    list's "et al.", not a name)."""
    if not authors:
        return ()
    names: list[str] = []
    for part in _AND.split(authors):
        name = clean_line(decode_latex(part)).replace("{", "").replace("}", "")
        if not name or name.casefold() == "others":
            continue
        pieces = [p.strip() for p in name.split(",")]
        if len(pieces) == 2 and pieces[1]:  # Family, Given
            name = f"{pieces[1]} {pieces[0]}"
        elif len(pieces) == 3 and pieces[2]:  # Family, Jr, Given
            name = f"{pieces[2]} {pieces[0]} {pieces[1]}"
        names.append(" ".join(name.split()))
    return tuple(n for n in names if n)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _plain(value: Any) -> str:
    """A verbatim field (url, doi): braces and ``\\url{}`` wrappers removed, one line."""
    text = _text(value).strip()
    text = re.sub(r"^\\url\s*\{(.*)\}$", r"\1", text, flags=re.S)
    return clean_line(text.replace("{", "").replace("}", "")).replace(" ", "%20")


def _arxiv_ref(fields: dict[str, Any]) -> ArxivRef | None:
    """The arXiv id (and version) of the ``eprint`` field, in any spelling identity.py reads;
    an eprint marked as arXiv but unreadable is kept as written."""
    eprint = _plain(fields.get("eprint"))
    if not eprint:
        return None
    prefix = _text(fields.get("archiveprefix") or fields.get("eprinttype")).strip().lower()
    ref = parse_arxiv_ref(eprint)
    if ref is None and prefix == "arxiv":
        return ArxivRef(eprint)
    return ref


def _date(fields: dict[str, Any]) -> tuple[str | None, str | None]:
    """``published`` (ISO, the first day of what is known) and ``published_text`` ("Mar
    2024", "2024", or biblatex's date as written) of an entry; (None, None) without a year."""
    iso = _ISO_DATE.fullmatch(_text(fields.get("date")).strip())
    if iso is not None:
        year_text, month_text, day_text = iso.groups()
        try:
            value = date(int(year_text), int(month_text or 1), int(day_text or 1))
        except ValueError:
            value = None
        if value is not None:
            return value.isoformat(), iso.group(0)
    year_text = _text(fields.get("year")).strip()
    if not re.fullmatch(r"\d{4}", year_text) or int(year_text) < 1:
        return None, None
    month = _month(_text(fields.get("month")))
    published = date(int(year_text), month or 1, 1).isoformat()
    return published, (f"{_MONTHS[month - 1].title()} {year_text}" if month else year_text)


def _month(text: str) -> int | None:
    cleaned = text.strip().lower()[:3]
    if cleaned.isdigit() and 1 <= int(cleaned) <= 12:
        return int(cleaned)
    return _MONTHS.index(cleaned) + 1 if cleaned in _MONTHS else None


def decode_latex(text: str) -> str:
    """Plain text of a LaTeX-encoded BibTeX value.

    What readq's own export writes (``\\&``, ``\\textbackslash{}``, ``{@}``, ``-{}-``...)
    is decoded directly; anything else (accents, macros, ligatures) goes through pylatexenc,
    which is about 1000 times slower.
    """
    if not text or not _LATEX_HINT.search(text):
        return text
    if _NEEDS_FULL.search(_FAST_TOKEN.sub("\x00", text)):
        return str(_decoder().latex_to_text(text))
    return _FAST_TOKEN.sub(_fast_replacement, text)


def _fast_replacement(match: re.Match[str]) -> str:
    if match.group(1):
        return _TEXT_MACROS[match.group(1)]
    if match.group(2):
        return match.group(2)
    return "@" if match.group(0) == "{@}" else ""


@lru_cache(maxsize=1)
def _decoder() -> Any:
    from pylatexenc import latex2text  # type: ignore[import-untyped, unused-ignore]

    db = latex2text.get_default_latex_context_db()
    db.add_context_category(
        "readq",
        prepend=True,
        macros=[
            latex2text.MacroTextSpec("textbraceleft", simplify_repl="{"),
            latex2text.MacroTextSpec("textbraceright", simplify_repl="}"),
            latex2text.MacroTextSpec("textasciicircum", simplify_repl="^"),
            latex2text.MacroTextSpec("textasciitilde", simplify_repl="~"),
            latex2text.MacroTextSpec("textbackslash", simplify_repl="\\"),
        ],
    )
    return latex2text.LatexNodes2Text(latex_context=db, math_mode="verbatim")


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Silence a library's logger (bibtexparser logs each bad block on stderr)."""
    logger = logging.getLogger(logger_name)
    previous = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(previous)
