"""BibTeX export: one ``@misc`` entry per paper, with stable citation keys.

A key is the first significant word of the title (ASCII, lower case) followed by the year:
``diffusion2024``. Papers sharing a key get ``a``, ``b``, ... in id order over the whole
library, so a paper's key does not depend on what else is exported.

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

from readq.export.common import iter_papers, year_of
from readq.models import Paper
from readq.store import Store

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


def _key_base(paper: Paper) -> str:
    ascii_title = (
        unicodedata.normalize("NFKD", paper.title).encode("ascii", "ignore").decode().lower()
    )
    words = _KEY_WORD.findall(ascii_title)
    word = next((w for w in words if w not in STOP_WORDS and not w.isdigit()), None)
    if word is None:
        word = words[0] if words else "paper"
    return word[:24] + (year_of(paper) or "")


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
    """Deterministic, unique keys for ``papers`` (suffixes assigned in id order)."""
    by_base: dict[str, list[int]] = {}
    for paper in papers:
        by_base.setdefault(_key_base(paper), []).append(paper.id)
    keys: dict[int, str] = {}
    taken: set[str] = set(by_base)
    for base, ids in by_base.items():
        n = 0
        for index, pid in enumerate(sorted(ids)):
            if index == 0:
                keys[pid] = base
                continue
            n += 1
            candidate = base + _suffix(n)
            while candidate in taken:
                n += 1
                candidate = base + _suffix(n)
            taken.add(candidate)
            keys[pid] = candidate
    return keys


def library_citation_keys(store: Store) -> dict[int, str]:
    """Keys for every paper in the library, so a paper's key is the same in any export."""
    from readq.models import Status

    rows = store.conn.execute("SELECT id, title, published, published_text FROM papers")
    papers = (
        Paper(
            id=int(r[0]),
            title=str(r[1]),
            title_derived=False,
            abstract="",
            published=r[2],
            published_text=r[3],
            upvotes=None,
            authors=None,
            org=None,
            urls=(),
            status=Status.NEW,
            starred=False,
            note="",
            added_at="",
            updated_at="",
        )
        for r in rows
    )
    return citation_keys(papers)


def format_entry(paper: Paper, key: str) -> str:
    """One BibTeX entry for ``paper``."""
    fields: list[tuple[str, str]] = [("title", "{" + escape_latex(paper.title) + "}")]
    year = year_of(paper)
    if year:
        fields.append(("year", year))
    month = _month(paper)
    if paper.arxiv_id:
        fields.append(("eprint", _verbatim(paper.arxiv_id)))
        fields.append(("archiveprefix", "arXiv"))
    if paper.urls:
        fields.append(("url", _verbatim(paper.urls[0])))
    if paper.org:
        fields.append(("institution", escape_latex(paper.org)))
    if paper.abstract:
        fields.append(("abstract", escape_latex(paper.abstract, keep_newlines=True)))
    keywords = [f"readq-{paper.status.value}"] + (["readq-starred"] if paper.starred else [])
    fields.append(("keywords", ", ".join(keywords)))
    if paper.note:
        fields.append(("note", escape_latex(paper.note, keep_newlines=True)))
    fields.append(("key", key))
    lines = [f"  {name} = {{{value}}}" for name, value in fields]
    if month:
        lines.insert(2 if year else 1, f"  month = {month}")
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
