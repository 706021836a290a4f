"""A paper's identity as the web spells it: arXiv ids in every form, DOIs, author names.

Every path that meets an identifier (the page parsers, the importers, ``readq add``, the
store's matching rule) reads it here, so that ``arXiv:2612.04011v2``, an ``/abs/`` or ``/pdf/``
link, a Hugging Face or alphaXiv page and arXiv's own DOI all name the same paper.
Pure functions: no database, no terminal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "ARXIV_ID_RE",
    "ArxivRef",
    "abs_url",
    "find_arxiv_ref",
    "name_key",
    "names_match",
    "normalise_doi",
    "parse_arxiv_ref",
    "pdf_url",
    "split_version",
    "surname",
]

# New style (since 2007): YYMM.NNNN (to 2014) or YYMM.NNNNN; old style: archive[.SUBJ]/YYMMNNN.
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7}"
ARXIV_ID_RE = rf"(?:{_NEW_ID}|{_OLD_ID})"
"""A regular expression (text) for one version-less arXiv id, new or old style."""

_ID_WITH_VERSION = re.compile(rf"(?P<id>{ARXIV_ID_RE})(?:v(?P<version>\d{{1,3}}))?", re.ASCII)
_HOSTS = (
    r"(?:(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format|ps)/"
    r"|(?:www\.)?huggingface\.co/papers/"
    r"|(?:www\.)?alphaxiv\.org/(?:abs|overview|pdf)/"
    r"|(?:dx\.)?doi\.org/10\.48550/arxiv\."
    r"|10\.48550/arxiv\.)"
)
_REF = re.compile(
    r"^\s*<?\s*(?:(?:https?://)?" + _HOSTS + r"|arxiv\s*:\s*)?"
    rf"(?P<id>{ARXIV_ID_RE})(?:v(?P<version>\d{{1,3}}))?"
    r"(?:\.pdf)?/?(?:[?#]\S*)?\s*>?\s*$",
    re.IGNORECASE | re.ASCII,
)
_FIND = re.compile(
    r"(?:(?<![\w.])arxiv\s*:\s*|(?:https?://)?" + _HOSTS + r")"
    rf"(?P<id>{ARXIV_ID_RE})(?:v(?P<version>\d{{1,3}}))?(?![\d])",
    re.IGNORECASE | re.ASCII,
)
_DOI = re.compile(
    r"^\s*(?:doi\s*:\s*|(?:https?://)?(?:dx\.)?doi\.org/)?(?P<doi>10\.\d{4,9}/\S+?)[\s.,;]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ArxivRef:
    """An arXiv id without its version, and the version when the text named one."""

    id: str
    version: int | None = None

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def _ref(arxiv_id: str, version: str | None) -> ArxivRef:
    """An ``ArxivRef`` with the archive part of an old-style id in arXiv's own case."""
    if "/" in arxiv_id:
        archive, number = arxiv_id.split("/", 1)
        head, _, subject = archive.partition(".")
        arxiv_id = head.lower() + (f".{subject.upper()}" if subject else "") + "/" + number
    return ArxivRef(arxiv_id, int(version) if version else None)


def parse_arxiv_ref(text: str) -> ArxivRef | None:
    """The arXiv paper that ``text`` names as a whole, in any usual spelling, else ``None``.

    Accepts a bare id (``2612.04011``, ``2612.04011v3``, ``hep-th/9901001``), ``arXiv:ID``, and
    arXiv ``abs``/``pdf``/``html`` links, Hugging Face and alphaXiv paper pages, and arXiv's DOI
    (``10.48550/arXiv.ID``, also as a ``doi.org`` link). Text around the reference is refused:
    use :func:`find_arxiv_ref` to look inside running text.
    """
    match = _REF.match(text)
    if match is None:
        return None
    return _ref(match.group("id"), match.group("version"))


def find_arxiv_ref(text: str) -> ArxivRef | None:
    """The first arXiv reference inside ``text`` that is marked as one (``arXiv:`` or a link).

    A bare number in running text is not taken for an id: "2405.01525" alone could be anything.
    """
    match = _FIND.search(text)
    if match is None:
        return None
    return _ref(match.group("id"), match.group("version"))


def split_version(text: str) -> ArxivRef | None:
    """A bare id with an optional version (``2612.04011v2``), as pages print it next to a label."""
    match = _ID_WITH_VERSION.fullmatch(text.strip())
    if match is None:
        return None
    return _ref(match.group("id"), match.group("version"))


def normalise_doi(text: str) -> str | None:
    """A DOI in its canonical form (lower case, no resolver prefix), or ``None``.

    DOIs are case-insensitive by definition; ``doi:``, ``https://doi.org/`` and
    ``dx.doi.org`` prefixes are dropped, as is trailing punctuation from running text.
    """
    match = _DOI.match(text)
    if match is None:
        return None
    return match.group("doi").lower()


def abs_url(arxiv_id: str) -> str:
    """The paper's abstract page on arXiv (the link readq opens and cites)."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str) -> str:
    """The paper's newest PDF on arXiv."""
    return f"https://arxiv.org/pdf/{arxiv_id}"


_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "da", "di", "le", "la"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _fold(text: str) -> str:
    """Lower case without accents or punctuation: how two spellings of one name compare."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^\w\s]", " ", stripped.casefold()).strip()


def surname(name: str) -> str:
    """The family name of ``name`` as written in a listing ("Ada Quill" -> "Quill").

    Handles "Quill, Ada" (BibTeX order), particles ("Jan van der Berg" -> "van der Berg") and
    suffixes ("Bram Osei Jr." -> "Osei"). Good enough for citation keys and list rows; it is
    not a full name parser.
    """
    name = " ".join(name.split())
    if "," in name:
        head, _, rest = name.partition(",")
        if rest.strip().rstrip(".").casefold() not in _SUFFIXES:
            return head.strip()
        name = head
    words = [w for w in name.split() if w.rstrip(".").casefold() not in _SUFFIXES]
    if not words:
        return name
    start = len(words) - 1
    while start > 0 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


def name_key(name: str) -> tuple[str, str]:
    """(folded surname, first initial) of a name: "A Quill", "Ada Quill", "Quill, A." agree."""
    family = surname(name)
    given = name.partition(",")[2] if "," in name else name.replace(family, "", 1)
    return _fold(family), _fold(given)[:1]


def names_match(first: str, second: str) -> bool:
    """Whether two spellings can be one author (same surname, compatible first initial)."""
    family_a, initial_a = name_key(first)
    family_b, initial_b = name_key(second)
    if not family_a or family_a != family_b:
        return False
    return not initial_a or not initial_b or initial_a == initial_b
