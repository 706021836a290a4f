"""Markdown exports: a reading list grouped by status, and an Obsidian vault.

The reading list is one document: a section per status (to read, new, read), one list item per
paper with its year, star and link, its identity as sub-items (authors; arXiv id with version
linked to the abstract page, categories, DOI; journal reference; comments), and its note quoted
below it.

The vault is one Markdown file per paper in a directory: YAML front matter (title, authors,
arXiv id and version, categories, DOI, journal reference, comments, status, starred, date,
urls...) and the note as the body. File names come from titles but are made
safe: no path separators or characters Windows refuses, no leading dot, no reserved device
names, at most :data:`NAME_LIMIT_BYTES` bytes of UTF-8, and unique (case-insensitively, for
macOS and Windows) within the export.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from readq.export.common import iter_papers, year_of
from readq.identity import abs_url
from readq.models import Paper, Status
from readq.store import Store
from readq.textclean import strip_unsafe

NAME_LIMIT_BYTES = 120
SECTION_TITLES = {Status.TO_READ: "To read", Status.NEW: "New", Status.READ: "Read"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~$])")
_BAD_NAME_CHARS = re.compile(r'[<>:"/\\|?*#^\[\]\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]')
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(1, 10)]
    + [f"lpt{i}" for i in range(1, 10)]
)


def markdown_inline(text: str) -> str:
    """``text`` on one line with Markdown's inline syntax characters escaped."""
    one_line = " ".join(strip_unsafe(text, keep_newlines=False).split())
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line)
    # A leading "1." or "-" would start a list; a leading "=" could underline a heading.
    return re.sub(r"^(\d+)\.", r"\1\\.", escaped)


def _quote(text: str) -> str:
    lines = strip_unsafe(text).strip("\n").split("\n")
    return "\n".join(("   > " + line).rstrip() for line in lines)


def write_reading_list(papers: Sequence[Paper], out: TextIO, *, title: str) -> int:
    """Write ``papers`` as a reading list grouped by status; returns the count."""
    groups: dict[Status, list[Paper]] = {status: [] for status in SECTION_TITLES}
    for paper in papers:
        groups[paper.status].append(paper)
    out.write(f"# {markdown_inline(title)}\n")
    for status, group in groups.items():
        if not group:
            continue
        out.write(f"\n## {SECTION_TITLES[status]} ({len(group)})\n\n")
        for paper in group:
            box = "[x]" if status is Status.READ else "[ ]"
            parts = [f"- {box} **{markdown_inline(paper.title)}**"]
            year = year_of(paper)
            if year:
                parts.append(f"({year})")
            if paper.starred:
                parts.append("★")
            link = _first_web_url(paper)
            if link:
                parts.append(f"— <{link}>")
            out.write(" ".join(parts) + "\n")
            for line in identity_lines(paper):
                out.write(f"  - {line}\n")
            if paper.note.strip():
                out.write("\n" + _quote(paper.note) + "\n\n")
    return sum(len(p) for p in groups.values())


_SAFE_ID = re.compile(r"^[A-Za-z0-9.\-/]+$")
_SAFE_DOI_URL = re.compile(r"^https://doi\.org/[^\s<>]+$")


def identity_lines(paper: Paper) -> list[str]:
    """The sub-items naming a paper: who wrote it, where it is on arXiv, how it is cited.

    Every piece of text from the page is escaped; links are built only from an id or DOI
    that contains nothing a Markdown link could be broken by.
    """
    lines: list[str] = []
    names = [markdown_inline(n) for n in paper.author_names if n.strip()]
    if names:
        lines.append(", ".join(names))
    ids: list[str] = []
    if paper.arxiv_id:
        shown = paper.arxiv_id + (f"v{paper.arxiv_version}" if paper.arxiv_version else "")
        if _SAFE_ID.match(shown):
            ids.append(f"[arXiv:{shown}]({abs_url(paper.arxiv_id)})")
        else:
            ids.append("arXiv:" + markdown_inline(shown))
    if paper.categories:
        ids.append(" ".join(markdown_inline(c) for c in paper.categories))
    if paper.doi:
        url = "https://doi.org/" + paper.doi
        ids.append(
            f"DOI <{url}>" if _SAFE_DOI_URL.match(url) else "DOI " + markdown_inline(paper.doi)
        )
    if ids:
        lines.append(" · ".join(ids))
    if paper.journal_ref and paper.journal_ref.strip():
        lines.append("Journal ref: " + markdown_inline(paper.journal_ref))
    if paper.comments and paper.comments.strip():
        lines.append("Comments: " + markdown_inline(paper.comments))
    return lines


def write_markdown(store: Store, ids: Sequence[int], out: TextIO) -> int:
    """Write the reading list of the papers ``ids`` of ``store`` to ``out``."""
    return write_reading_list(list(iter_papers(store, ids)), out, title="Reading list")


def _first_web_url(paper: Paper) -> str | None:
    for url in paper.urls:
        if re.match(r"^https?://[^\s<>]+$", url):
            return url
    return None


# ------------------------------------------------------------------ obsidian
def safe_file_stem(title: str, fallback: str) -> str:
    """A file name stem made from ``title`` (see the module docstring); ``fallback`` if none."""
    text = unicodedata.normalize("NFC", strip_unsafe(title, keep_newlines=False))
    text = _BAD_NAME_CHARS.sub(" ", text)
    text = " ".join(text.split())
    text = text.lstrip(". ").rstrip(". ")
    encoded = text.encode("utf-8")
    if len(encoded) > NAME_LIMIT_BYTES:
        text = encoded[:NAME_LIMIT_BYTES].decode("utf-8", "ignore").rstrip(". ")
    if not text or text.split(".")[0].strip().lower() in _WINDOWS_RESERVED:
        text = (fallback + " " + text).strip() if text else fallback
    return text


def unique_file_names(papers: Sequence[Paper]) -> dict[int, str]:
    """``<stem>.md`` for each paper, unique case-insensitively (a clash gets `` (id)``)."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for paper in papers:
        stem = safe_file_stem(paper.title, f"paper-{paper.id}")
        candidate = stem
        n = 0
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{stem} ({paper.id})" if n == 1 else f"{stem} ({paper.id}-{n})"
        taken.add(candidate.casefold())
        names[paper.id] = candidate + ".md"
    return names


# Characters YAML does not allow raw in a document (C1 controls, non-characters) or that
# readers take for line breaks or a byte-order mark: written as \u escapes instead.
_YAML_ESCAPE = re.compile("[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    dumped = json.dumps(text, ensure_ascii=False)
    return _YAML_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def obsidian_document(paper: Paper) -> str:
    """The Markdown file of one paper: YAML front matter, then the note."""
    lines = ["---", f"title: {_yaml_string(paper.title)}"]
    lines.append(f"status: {_yaml_string(paper.status.value)}")
    lines.append(f"starred: {'true' if paper.starred else 'false'}")
    lines.append(f"date: {_yaml_string(paper.published)}" if paper.published else "date: null")
    year = year_of(paper)
    if year:
        lines.append(f"year: {year}")
    names = [n for n in paper.author_names if n.strip()]
    if names:
        lines.append("authors:")
        lines.extend(f"  - {_yaml_string(name)}" for name in names)
    if paper.arxiv_id:
        lines.append(f"arxiv: {_yaml_string(paper.arxiv_id)}")
    if paper.arxiv_version is not None:
        lines.append(f"arxiv_version: {int(paper.arxiv_version)}")
    if paper.categories:
        lines.append("categories: [" + ", ".join(_yaml_string(c) for c in paper.categories) + "]")
    for key, value in (
        ("doi", paper.doi),
        ("journal_ref", paper.journal_ref),
        ("comments", paper.comments),
    ):
        if value:
            lines.append(f"{key}: {_yaml_string(value)}")
    if paper.urls:
        lines.append("urls:")
        lines.extend(f"  - {_yaml_string(url)}" for url in paper.urls)
    else:
        lines.append("urls: []")
    lines.append(f"added: {_yaml_string(paper.added_at)}")
    lines.append(f"readq_id: {paper.id}")
    tags = ["readq/" + paper.status.value] + (["readq/starred"] if paper.starred else [])
    lines.append("tags: [" + ", ".join(_yaml_string(t) for t in tags) + "]")
    lines.append("---")
    body = paper.note.strip("\n")
    text = "\n".join(lines) + "\n"
    if body:
        text += "\n" + body + "\n"
    elif paper.abstract:
        text += "\n> " + " ".join(paper.abstract.split()) + "\n"
    return text


def write_obsidian(store: Store, ids: Sequence[int], directory: Path) -> int:
    """Write one file per paper into ``directory`` (created if needed); returns the count.

    Each file is written to a temporary name and renamed into place: a symlink that sits at
    a target name is replaced, never followed.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(20, "is not a directory", str(directory))
    directory.mkdir(parents=True, exist_ok=True)
    papers = list(iter_papers(store, ids))
    names = unique_file_names(papers)
    for paper in papers:
        target = directory / names[paper.id]
        fd, tmp_name = tempfile.mkstemp(prefix=".readq-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(obsidian_document(paper))
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
    return len(papers)
