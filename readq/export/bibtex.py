"""BibTeX export: one citable ``@misc`` entry per paper, with stable citation keys.

An entry carries what a bibliography needs: ``author = {Quill, Ada and Osei, Bram}`` (every
name, family name first), ``year`` and ``month`` from the date, and for an arXiv paper
``eprint`` (the version-less id), ``archivePrefix = {arXiv}``, ``primaryClass`` and ``url`` =
its abstract page (else the paper's first link); ``doi`` when known. The user's note goes to
``annote``, which bibliography styles do not print (``note`` is printed: a private note would
end up in someone's paper).

Citation keys, and why they stay put:

- The base of a key is the first author's family name, the year and the first significant word
  of the title, ASCII-folded and lower case: ``quill2026lantern``. A paper without author names
  keeps the key it always had, title word then year (``lantern2026``).
- Keys are handed out over the whole library in id order (the order papers were added): a
  paper gets its base if no earlier paper holds it, else the base with the first free suffix
  ``a``, ``b``, ... ``z``, ``aa`` ... So a paper's key depends only on its own fields and on the
  papers added before it: exporting a subset, or adding papers later, never renames a key.
- A key changes only when the paper's own first author, year or title changes (a merge that
  brings the authors of a paper first seen without them); that can shift the suffix of a paper
  added after it with the same base. Keeping those too would need the keys stored.

Values are written in braces with LaTeX's special characters escaped so that BibTeX itself
(which balances braces without regard to backslashes) and bibtexparser both read them back:
balanced braces become ``\\{``/``\\}``, unbalanced ones ``\\textbraceleft{}``; ``@`` is
wrapped as ``{@}`` (a line starting with ``@`` would start a new entry for bibtexparser);
TeX ligatures (``--``, ``````, ``''``, ``?````) are broken with ``{}``. Non-ASCII text is
kept as UTF-8.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TextIO

from readq.export.common import all_ids, iter_papers, year_of
from readq.identity import abs_url, surname
from readq.models import Paper
from readq.store import Store
from readq.textclean import strip_unsafe

_STOP_TEXT = (
    "a an the on of in for to and with towards toward via from by is are at as do does "
    "can how what why when we our your its into onto beyond using"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())
_SIMPLE = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
    "@": "{@}",
}
_SIMPLE["\t"] = " "
_SPECIAL = re.compile("[" + re.escape("".join(_SIMPLE)) + "]")
# A character that would form a TeX ligature with the next one: -- ``  '' ?` !` << >> ,,
_LIGATURE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|<(?=<)|>(?=>)|,(?=,)|\?(?=`)|!(?=`))")
_NEEDS_ESCAPE = re.compile(_SPECIAL.pattern + r"|--|``|''|<<|>>|,,|\?`|!`")
_BRACE = re.compile(r"[{}]")
_KEY_WORD = re.compile(r"[a-z0-9]+")


def escape_latex(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` as the inside of a braced BibTeX value (see the module docstring)."""
    if not keep_newlines:
        text = " ".join(text.split())
    else:
        text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
        text = text.replace("\r", "\n")
    if "{" not in text and "}" not in text:
        return _escape_segment(text)
    balanced = _balanced_positions(text)
    out: list[str] = []
    start = 0
    for match in _BRACE.finditer(text):
        index = match.start()
        out.append(_escape_segment(text[start:index]))
        if text[index] == "{":
            out.append(r"\{" if index in balanced else r"\textbraceleft{}")
        else:
            out.append(r"\}" if index in balanced else r"\textbraceright{}")
        start = index + 1
    out.append(_escape_segment(text[start:]))
    return "".join(out)


def _escape_segment(text: str) -> str:
    """Escape a stretch of text without braces (specials, then break TeX ligatures)."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = _SPECIAL.sub(lambda m: _SIMPLE[m.group()], text)
    return _LIGATURE.sub(r"\1{}", text)


def _balanced_positions(text: str) -> set[int]:
    """Indices of braces in ``text`` that have a matching partner."""
    stack: list[int] = []
    matched: set[int] = set()
    for match in _BRACE.finditer(text):
        index = match.start()
        if text[index] == "{":
            stack.append(index)
        elif stack:
            matched.add(stack.pop())
            matched.add(index)
    return matched


# Letters NFKD does not take apart into an ASCII letter and accents.
_FOLD_EXTRA = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "ł": "l",
        "Ł": "l",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
    }
)


def ascii_fold(text: str) -> str:
    """``text`` in lower-case ASCII letters and digits only ("Núñez-Østby" -> "nunezostby").

    Citation keys must survive every BibTeX and LaTeX setup, so they are plain ASCII.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(_KEY_WORD.findall(decomposed.encode("ascii", "ignore").decode().lower()))


def _title_word(paper: Paper) -> str:
    """The first significant word of the title (not a stop word nor a number), ASCII.

    Folded as readq always folded it (accents dropped), so keys without authors do not move.
    """
    ascii_title = (
        unicodedata.normalize("NFKD", paper.title).encode("ascii", "ignore").decode().lower()
    )
    words = _KEY_WORD.findall(ascii_title)
    word = next((w for w in words if w not in STOP_WORDS and not w.isdigit()), None)
    if word is None:
        word = words[0] if words else "paper"
    return word[:24]


def _first_author_key(paper: Paper) -> str:
    """The first author's family name, folded; "" when unknown or not writable in ASCII."""
    for name in paper.author_names[:1]:
        if not _is_others(name):
            return ascii_fold(surname(name))[:24]
    return ""


def key_base(paper: Paper) -> str:
    """The key a paper gets when no earlier paper holds it: ``quill2026lantern``.

    Without author names it is ``lantern2026`` (title word, then year), the key readq gave
    before it knew authors, so those papers keep their keys.
    """
    family = _first_author_key(paper)
    year = year_of(paper) or ""
    if family:
        return family + year + _title_word(paper)
    return _title_word(paper) + year


def _suffix(n: int) -> str:
    """The suffix of the n-th paper sharing a key: "", "a", ..., "z", "aa", "ab", ..."""
    if n == 0:
        return ""
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


def citation_keys(papers: Iterable[Paper]) -> dict[int, str]:
    """Unique keys for ``papers``, handed out in id order (see the module docstring).

    Each paper takes its base, or the base with the first free suffix: a key is never taken
    from a paper added earlier, so adding papers does not rename the existing ones.
    """
    return _assign_keys((p.id, key_base(p)) for p in sorted(papers, key=lambda p: p.id))


def _assign_keys(bases: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Keys for ``(id, base)`` pairs given in id order."""
    keys: dict[int, str] = {}
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}
    for paper_id, base in bases:
        n = next_suffix.get(base, 0)
        candidate = base + _suffix(n)
        while candidate in taken:
            n += 1
            candidate = base + _suffix(n)
        next_suffix[base] = n + 1
        taken.add(candidate)
        keys[paper_id] = candidate
    return keys


def library_citation_keys(store: Store) -> dict[int, str]:
    """Keys for every paper in the library, so a paper's key is the same in any export.

    Papers are read in chunks in id order and only their bases kept (memory stays bounded at
    a million papers).
    """
    papers = iter_papers(store, all_ids(store), with_sources=False)
    return _assign_keys((p.id, key_base(p)) for p in papers)


def _is_others(name: str) -> bool:
    """A listing's "et al." or "N additional authors" stand-in rather than a name."""
    folded = " ".join(name.casefold().replace(".", " ").split())
    return folded in {"et al", "others", "and others"} or "additional author" in folded


def bibtex_name(name: str) -> str:
    """One author as BibTeX reads names: ``Quill, Ada`` (family name first).

    Particles stay with the family name ("van der Berg, Jan"), a suffix gets its own part
    ("Osei, Jr., Bram"). A name BibTeX would split wrongly (it contains a standalone "and")
    is braced whole, and "et al." becomes BibTeX's ``others``.
    """
    name = " ".join(strip_unsafe(name, keep_newlines=False).split())
    if _is_others(name):
        return "others"
    if _AND_WORD.search(name):
        return "{" + escape_latex(name) + "}"
    head, comma, rest = name.partition(",")
    if comma and rest.strip().rstrip(".").casefold() not in _NAME_SUFFIXES:
        # Already "Family, Given" (or "Family, Jr., Given"): keep the author's own split.
        parts = [part.strip() for part in name.split(",")]
    else:
        suffix = rest.strip() if comma else ""
        plain = head.strip() if comma else name
        family = surname(plain)
        given, _, tail = plain.rpartition(family) if family else (plain, "", "")
        suffix = suffix or tail.strip()
        parts = [family, suffix, given.strip()]
    return ", ".join(escape_latex(p) for p in parts if p)


_AND_WORD = re.compile(r"(?:^|\s)and(?:\s|$)", re.IGNORECASE)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def format_entry(paper: Paper, key: str) -> str:
    """One BibTeX entry for ``paper``."""
    fields: list[tuple[str, str]] = [("title", "{" + escape_latex(paper.title) + "}")]
    names = [bibtex_name(n) for n in paper.author_names]
    if any(names):
        fields.append(("author", " and ".join(n for n in names if n)))
    year = year_of(paper)
    if year:
        fields.append(("year", year))
    if paper.arxiv_id:
        fields.append(("eprint", _verbatim(paper.arxiv_id)))
        fields.append(("archivePrefix", "arXiv"))
        if paper.categories:
            fields.append(("primaryClass", _verbatim(paper.categories[0])))
    if paper.doi:
        fields.append(("doi", _verbatim(paper.doi)))
    url = abs_url(paper.arxiv_id) if paper.arxiv_id else (paper.urls[0] if paper.urls else "")
    if url:
        fields.append(("url", _verbatim(url)))
    if paper.org:
        fields.append(("institution", escape_latex(paper.org)))
    if paper.abstract:
        fields.append(("abstract", escape_latex(paper.abstract, keep_newlines=True)))
    keywords = [f"readq-{paper.status.value}"] + (["readq-starred"] if paper.starred else [])
    # The user's tags after readq's own (a tag has no comma or space: one keyword each).
    keywords += [escape_latex(tag) for tag in paper.tags]
    fields.append(("keywords", ", ".join(keywords)))
    if paper.note:
        fields.append(("annote", escape_latex(paper.note, keep_newlines=True)))
    fields.append(("key", key))
    lines = [f"  {name} = {{{value}}}" for name, value in fields]
    month = _month(paper)
    if month and year:
        after_year = [name for name, _ in fields].index("year") + 1
        lines.insert(after_year, f"  month = {month}")
    body = ",\n".join(lines)
    return f"@misc{{{key},\n{body}\n}}\n"


_MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _month(paper: Paper) -> str | None:
    """BibTeX's month macro (``mar``) for the paper's date, if it has a full one."""
    published = paper.published or ""
    if len(published) >= 7 and published[5:7].isdigit() and 1 <= int(published[5:7]) <= 12:
        return _MONTH_MACROS[int(published[5:7]) - 1]
    return None


def _verbatim(text: str) -> str:
    """A URL or identifier: no escaping (URL fields are verbatim), but nothing that breaks
    the entry: braces, backslashes and whitespace are percent-encoded."""
    return "".join(f"%{ord(c):02X}" if c in "{}\\ \t\n\r" else c for c in text)


def write_bibtex(store: Store, ids: Sequence[int], out: TextIO) -> int:
    """Write one entry per paper in ``ids`` to ``out``; returns the number written."""
    keys = library_citation_keys(store)
    count = 0
    for paper in iter_papers(store, ids):
        if count:
            out.write("\n")
        out.write(format_entry(paper, keys[paper.id]))
        count += 1
    return count
