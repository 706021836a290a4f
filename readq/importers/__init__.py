"""Importing libraries: readq's own JSON (a backup), BibTeX, and arXiv API Atom feeds.

:func:`import_path` is what the CLI and the TUI call. The file gets the same checks as a
listing at ingest (``readq.ingest.reader.open_listing``: a regular, non-empty text file), its
format is detected from its content and extension, it is parsed and validated completely, and
only then applied in one transaction: a bad file leaves the library exactly as it was. Pure
core: no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from readq.importers.apply import ImportResult, apply_import
from readq.importers.detect import ImportFormat, detect_import_format
from readq.importers.records import ParsedImport
from readq.ingest.errors import IngestError
from readq.ingest.reader import TextSource, decode_text, open_listing, redecoded_warning
from readq.models import Source
from readq.store import Store, now_iso

__all__ = [
    "ImportFormat",
    "ImportReport",
    "ImportResult",
    "IngestError",
    "import_path",
    "import_text",
    "parse_import",
]

MAX_IMPORT_BYTES = 1 << 30


@dataclass(slots=True)
class ImportReport:
    """The outcome of importing one file."""

    name: str
    path: str
    result: ImportResult
    warnings: list[str] = field(default_factory=list)


def parse_import(text: str, name: str, fmt: ImportFormat | str | None = None) -> ParsedImport:
    """Parse ``text`` (from a file called ``name``) as ``fmt``, or as its detected format."""
    chosen = ImportFormat(fmt) if fmt is not None else detect_import_format(name, text)
    if chosen is None:
        raise IngestError(name, "not a readq JSON export, a BibTeX file or an Atom feed")
    if chosen is ImportFormat.JSON:
        from readq.importers.json import parse_json

        return parse_json(text, name)
    if chosen is ImportFormat.BIBTEX:
        from readq.importers.bibtex import parse_bibtex

        return parse_bibtex(text, name)
    from readq.importers.atom import parse_atom

    return parse_atom(text, name)


def import_text(
    store: Store,
    text: str,
    *,
    name: str,
    path: str | None = None,
    fmt: ImportFormat | str | None = None,
) -> ImportReport:
    """Parse ``text`` and apply it to ``store`` in one transaction."""
    parsed = parse_import(text, name, fmt)
    source = Source(name=name, path=path or name, seen_at=now_iso())
    result = apply_import(store, parsed, source)
    return ImportReport(name=name, path=source.path, result=result, warnings=parsed.warnings)


def import_path(store: Store, path: str, fmt: ImportFormat | str | None = None) -> ImportReport:
    """Import the file at ``path`` (``-`` for stdin); ``IngestError`` names the file."""
    source = open_listing(path)
    # No reference to the file's text is kept past parsing: only the records stay in memory.
    parsed = parse_import(read_all(source), source.name, fmt)
    result = apply_import(store, parsed, Source(source.name, source.path, now_iso()))
    return ImportReport(
        name=source.name,
        path=source.path,
        result=result,
        warnings=[*source.warnings, *parsed.warnings],
    )


def read_all(source: TextSource) -> str:
    """The whole text of a checked file (imports are parsed as one document, not by lines)."""
    if source.size > MAX_IMPORT_BYTES:
        raise IngestError(source.name, f"is larger than {MAX_IMPORT_BYTES >> 20} MiB")
    opener = source._opener
    assert opener is not None
    try:
        with opener() as handle:
            data = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise IngestError(source.name, exc.strerror or str(exc)) from None
    if len(data) > MAX_IMPORT_BYTES:
        raise IngestError(source.name, f"is larger than {MAX_IMPORT_BYTES >> 20} MiB")
    text, redecoded = decode_text(data, source.encoding)
    if redecoded:
        source.warnings.append(redecoded_warning(redecoded))
    if not text.strip():
        raise IngestError(source.name, "is empty")
    return text
