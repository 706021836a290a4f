"""Tell the import formats apart: from the content first, then from the file's extension."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import PurePath

_BIB_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_EXTENSIONS = {
    ".json": "json",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".xml": "atom",
    ".atom": "atom",
}
SNIFF_CHARS = 65_536


class ImportFormat(StrEnum):
    """The formats ``readq import`` reads."""

    JSON = "json"
    BIBTEX = "bibtex"
    ATOM = "atom"


def detect_import_format(name: str, text: str) -> ImportFormat | None:
    """The format of a file named ``name`` holding ``text``, or None if it is none of them.

    The first significant character decides for JSON (``{``/``[``) and XML (``<``); BibTeX is
    recognised by an ``@type{`` line anywhere near the start; the extension decides the rest.
    """
    head = text[:SNIFF_CHARS].lstrip("\ufeff \t\r\n")
    if head.startswith(("{", "[")):
        return ImportFormat.JSON
    if head.startswith("<"):
        return ImportFormat.ATOM
    if _BIB_ENTRY.search(head):
        return ImportFormat.BIBTEX
    by_extension = _EXTENSIONS.get(PurePath(name).suffix.lower())
    return ImportFormat(by_extension) if by_extension else None
