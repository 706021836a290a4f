"""arXiv abstract dumps: one ``Abstract:`` line per paper and no title.

readq derives a readable title: the method's name when the abstract introduces one
("We introduce Omni-ID, a novel ...", "..., dubbed X", "named X", "coined X"), followed by what
it is; else the opening sentence, cut at a word boundary. Derived titles are marked as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from readq.ingest.fields import find_urls
from readq.models import ScrapedPaper
from readq.textclean import clean_line, strip_unsafe

TITLE_LIMIT = 110
_PREFIX = re.compile(r"^\s*abstract\s*[:.]\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]%])[.!?](?=\s+[A-Z(\[]|\s*$)")
# A name: capitalised or mixed-case tokens (Omni-ID, AToM, Bounded Attention, S^2Edit),
# optionally followed by its abbreviation in brackets.
_TOKEN = r"(?:[A-Z0-9][\w^+.\-]*[\w+]|[A-Z])"
_NAME = (
    rf"(?P<name>{_TOKEN}(?:[ -](?:(?:of|for|the|and|to|in|with) )?{_TOKEN})*"
    r"(?:\s+\([A-Za-z0-9][\w\-+.]*\))?)"
)
_INTRODUCES = re.compile(
    r"\b(?i:we|this (?:paper|work)|our work|here we)\s+(?:\w+ly\s+)?"
    r"(?i:introduce|present|propose|develop|describe|release|build|design)s?\s+"
    + _NAME
    + r"(?P<rest>[,:;]\s*|\s+[-–—]+\s*|\s*$|\s+(?=which|that|a|an|the)\b)",
)
_COINED = re.compile(r"(?:,\s*|\s+)(?:dubbed|named|coined|called|termed)\s+" + _NAME)
_ARTICLE_DESC = re.compile(r"^(?P<desc>(?:a|an|the)\s+[^.;]+)")
_DESC_BEFORE = re.compile(
    r"\b(?i:we|this (?:paper|work))\s+(?:\w+ly\s+)?"
    r"(?i:introduce|present|propose|develop|design)s?\s+"
    r"(?P<desc>(?:a|an|the)\s+[^.;]+?)(?:,\s*|\s+)(?:dubbed|named|coined|called|termed)\s"
)
_STOP_NAMES = {"A", "An", "The", "In", "To", "We", "This", "Our", "It"}


def iter_arxiv(lines: Iterable[str]) -> Iterator[ScrapedPaper]:
    """Yield one paper per ``Abstract:`` line (continuation lines are joined to it)."""
    current: list[str] = []
    for raw in lines:
        line = raw.strip()
        if _PREFIX.match(line):
            if current:
                paper = _paper(" ".join(current))
                if paper is not None:
                    yield paper
            current = [_PREFIX.sub("", line, count=1)]
        elif line and current:
            current.append(line)
    if current:
        paper = _paper(" ".join(current))
        if paper is not None:
            yield paper


def _paper(text: str) -> ScrapedPaper | None:
    abstract = " ".join(strip_unsafe(text).split())
    if len(abstract) < 20:
        return None
    return ScrapedPaper(
        title=derive_title(abstract),
        abstract=abstract,
        title_derived=True,
        urls=find_urls(abstract),
    )


def derive_title(abstract: str) -> str:
    """A readable title for an untitled abstract (see the module docstring)."""
    text = clean_line(abstract)
    named = _named_method(text)
    if named is not None:
        return named
    first = _first_sentence(text)
    return _cut(first)


def _named_method(text: str) -> str | None:
    for sentence in _sentences(text)[:12]:
        match = _INTRODUCES.search(sentence)
        if match is not None and _looks_like_name(match["name"]):
            after = sentence[match.end() :]
            desc = _ARTICLE_DESC.match(after)
            name = match["name"].strip()
            return _cut(f"{name}: {desc['desc'].strip()}") if desc else _cut(name)
        coined = _COINED.search(sentence)
        if coined is not None and _looks_like_name(coined["name"]):
            name = coined["name"].strip()
            before = _DESC_BEFORE.search(sentence)
            if before is not None:
                return _cut(f"{name}: {before['desc'].strip()}")
            return _cut(name)
    return None


def _looks_like_name(name: str) -> bool:
    name = name.strip()
    if not name or name in _STOP_NAMES:
        return False
    first = name.split()[0]
    if first in _STOP_NAMES:
        return False
    return any(ch.isupper() for ch in name)


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        parts.append(text[start : match.start()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return [p for p in parts if p]


def _first_sentence(text: str) -> str:
    sentences = _sentences(text)
    return sentences[0] if sentences else text


def _cut(text: str, limit: int = TITLE_LIMIT) -> str:
    text = text.strip().rstrip(",;:")
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(",;:-– ") + "…"
