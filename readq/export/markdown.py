"""Markdown exports: a reading list grouped by status, and an Obsidian vault.

The reading list is one document: a section per status (to read, new, read), one list item per
paper with its year, star and link, its identity as sub-items (authors; arXiv id with version
linked to the abstract page, categories, DOI; journal reference; comments), and its note quoted
below it.

The vault is one Markdown file per paper in a directory: YAML front matter (title, authors,
arXiv id and version, categories, DOI, journal reference, comments, status, starred, date,
urls..., ``readq_id``) and the note (or the abstract) in a marked section of the body. File
names come from titles but are made safe: no path separators or characters Windows refuses, no
leading dot, no reserved device names, at most :data:`NAME_LIMIT_BYTES` bytes of UTF-8, and
unique (case-insensitively, for macOS and Windows) in their folder.

The vault is the user's: :func:`write_obsidian` never replaces a file readq did not write,
keeps what the user added to readq's files, follows renamed papers by ``readq_id``, and writes
everything to temporary files before renaming any into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from readq.export.common import iter_papers, queue_ranks, year_of
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


def write_reading_list(
    papers: Sequence[Paper],
    out: TextIO,
    *,
    title: str,
    queue: dict[int, int] | None = None,
) -> int:
    """Write ``papers`` as a reading list grouped by status; returns the count. With
    ``queue`` (paper id -> place in the to-read queue), the to-read section is in the queue's
    order, each paper numbered with its place."""
    groups: dict[Status, list[Paper]] = {status: [] for status in SECTION_TITLES}
    for paper in papers:
        groups[paper.status].append(paper)
    ranks = queue or {}
    if ranks:
        groups[Status.TO_READ].sort(key=lambda p: ranks.get(p.id, len(ranks) + 1))
    out.write(f"# {markdown_inline(title)}\n")
    for status, group in groups.items():
        if not group:
            continue
        out.write(f"\n## {SECTION_TITLES[status]} ({len(group)})\n\n")
        for paper in group:
            box = "[x]" if status is Status.READ else "[ ]"
            rank = ranks.get(paper.id) if status is Status.TO_READ else None
            place = f"{rank}. " if rank is not None else ""
            parts = [f"- {box} {place}**{markdown_inline(paper.title)}**"]
            year = year_of(paper)
            if year:
                parts.append(f"({year})")
            if paper.starred:
                parts.append("★")
            if paper.tags:
                parts.append(" ".join(markdown_inline("#" + tag) for tag in paper.tags))
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
    return write_reading_list(
        list(iter_papers(store, ids)), out, title="Reading list", queue=queue_ranks(store)
    )


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


# Characters YAML does not allow raw in a document (C1 controls, non-characters) or that
# readers take for line breaks or a byte-order mark: written as \u escapes instead.
_YAML_ESCAPE = re.compile("[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    dumped = json.dumps(text, ensure_ascii=False)
    return _YAML_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


SECTION_BEGIN = "<!-- readq:begin (readq rewrites this part on export; write outside it) -->"
SECTION_END = "<!-- readq:end -->"
READQ_KEYS = frozenset(
    [
        "title",
        "status",
        "starred",
        "date",
        "year",
        "arxiv",
        "arxiv_version",
        "authors",
        "categories",
        "doi",
        "journal_ref",
        "comments",
        "urls",
        "added",
        "readq_id",
        "tags",
        "readq_hash",
    ]
)
"""The front-matter keys readq owns: they mirror the library and are rewritten on export."""
MAX_VAULT_FILE_BYTES = 64 << 20
"""A vault file larger than this is not read for a ``readq_id`` (never readq's)."""
_HEAD_BYTES = 64 * 1024
"""readq's front matter (and so its ``readq_id``) is within a file's first this many bytes."""
_KEY_LINE = re.compile(r"^([^\s#:\-][^:]*):(?:\s|$)")
_ID_LINE = re.compile(r"^readq_id:\s*(\d+)\s*$")
_HASH_LINE = re.compile(r'^readq_hash:\s*"?([0-9a-f]+)"?\s*$')


def _section_hash(section: str) -> str:
    return hashlib.sha256(section.encode("utf-8")).hexdigest()[:16]


def _owned_front_matter(paper: Paper) -> list[str]:
    """The front-matter lines readq writes for ``paper`` (without ``readq_hash``)."""
    lines = [f"title: {_yaml_string(paper.title)}"]
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
    tags += list(paper.tags)  # nested tags (project/avatars) are Obsidian's own a/b form
    lines.append("tags: [" + ", ".join(_yaml_string(t) for t in tags) + "]")
    return lines


def _section(paper: Paper) -> str:
    """The body part readq owns: the note, else the abstract quoted (no trailing newline)."""
    body = paper.note.strip("\n")
    if body:
        return body
    if paper.abstract:
        return "> " + " ".join(paper.abstract.split())
    return ""


@dataclass(frozen=True, slots=True)
class VaultFile:
    """An existing vault file readq wrote (it has a ``readq_id``), split into readq's parts
    and the user's: ``user_front`` (front-matter lines of keys readq does not write),
    ``before`` / ``after`` (body text around readq's marked section) and ``section``."""

    path: Path
    paper_id: int
    text: str
    user_front: tuple[str, ...]
    before: str
    section: str
    after: str
    section_hash: str | None
    marked: bool

    @property
    def has_user_text(self) -> bool:
        """Whether the file holds anything of the user's (front-matter keys, or text around
        readq's section)."""
        return bool(self.user_front) or bool(self.before.strip()) or bool(self.after.strip())

    def section_is(self, expected: str) -> bool:
        """Whether readq's section is as readq wrote it: it matches the hash readq recorded
        (or, with no hash, e.g. a file of an older readq, the text readq would write now)."""
        if self.section_hash is not None:
            return _section_hash(self.section) == self.section_hash
        return self.section.strip("\n") == expected.strip("\n")


def read_vault_file(path: Path) -> VaultFile | None:
    """The parts of ``path`` if readq wrote it (a regular file with a ``readq_id`` in its
    front matter), else None. Symlinks and unreadable files are never readq's."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_VAULT_FILE_BYTES:
            return None
        with path.open("rb") as handle:
            # The user's notes are most of a vault: their first bytes are enough to skip them.
            head = handle.read(_HEAD_BYTES)
            if not head.startswith(b"---") or b"readq_id:" not in head:
                return None
            text = (head + handle.read()).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        return None
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") == "---"), None)
    if close is None:
        return None
    paper_id: int | None = None
    section_hash: str | None = None
    user_front: list[str] = []
    key: str | None = None
    for line in lines[1:close]:
        bare = line.rstrip("\r\n")
        match = _KEY_LINE.match(bare)
        if match:
            key = match.group(1).strip()
            if (found := _ID_LINE.match(bare)) is not None:
                paper_id = int(found.group(1))
            elif (found := _HASH_LINE.match(bare)) is not None:
                section_hash = found.group(1)
        if key is None or key not in READQ_KEYS:
            user_front.append(bare)
    if paper_id is None:
        return None
    body = "".join(lines[close + 1 :])
    body_lines = body.splitlines(keepends=True)
    begin = next(
        (i for i, line in enumerate(body_lines) if line.startswith("<!-- readq:begin")), None
    )
    end = None
    if begin is not None:
        end = next(
            (
                i
                for i in range(len(body_lines) - 1, begin, -1)
                if body_lines[i].rstrip("\r\n") == SECTION_END
            ),
            None,
        )
    if begin is None or end is None:  # an older readq's file: the whole body was its own
        return VaultFile(path, paper_id, text, tuple(user_front), "", body, "", None, False)
    return VaultFile(
        path,
        paper_id,
        text,
        tuple(user_front),
        "".join(body_lines[:begin]),
        "".join(body_lines[begin + 1 : end]).removesuffix("\n"),
        "".join(body_lines[end + 1 :]),
        section_hash,
        True,
    )


def obsidian_document(
    paper: Paper, existing: VaultFile | None = None, *, section: str | None = None
) -> str:
    """The Markdown file of one paper: YAML front matter, then the note (or the abstract)
    in a section readq owns. With ``existing`` (the paper's file as it is in the vault), the
    user's front-matter keys and text around readq's section are kept as they are.
    ``section``: readq's section if the caller has it already."""
    if section is None:
        section = _section(paper)
    lines = ["---", *_owned_front_matter(paper)]
    if existing is not None:
        lines.extend(existing.user_front)
    lines.append(f"readq_hash: {_yaml_string(_section_hash(section))}")
    lines.append("---")
    marked = existing is not None and existing.marked
    before = existing.before if existing is not None and marked else "\n"
    after = existing.after if existing is not None and marked else ""
    text = "\n".join(lines) + "\n" + before
    if before and not before.endswith("\n"):
        text += "\n"
    text += SECTION_BEGIN + "\n" + (section + "\n" if section else "") + SECTION_END + "\n"
    return text + after


@dataclass(frozen=True, slots=True)
class VaultReport:
    """What an Obsidian export did: ``papers`` exported (written or already up to date),
    ``kept`` files not updated because the user changed readq's section (their names),
    ``removed`` old files of renamed papers (their names), ``copies`` other files carrying a
    paper's ``readq_id`` that hold the user's text (left as they are, not updated)."""

    papers: int
    written: int
    kept: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    copies: tuple[str, ...] = ()


Taken = set[tuple[str, str]]
"""Names in use in the vault: (folder relative to the vault, casefolded name)."""


def peek_readq_id(path: Path) -> int | None:
    """The ``readq_id`` in the front matter at the head of ``path`` (a regular file, not a
    symlink), or None: the cheap test the vault scan makes of every file."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_VAULT_FILE_BYTES:
            return None
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return None
    if not head.startswith(b"---") or b"readq_id:" not in head:
        return None
    lines = head.decode("utf-8", "replace").splitlines()
    for line in lines[1:]:
        if line.rstrip("\r") == "---":
            break
        found = _ID_LINE.match(line.rstrip("\r"))
        if found is not None:
            return int(found.group(1))
    return None


def _scan_vault(directory: Path) -> tuple[dict[int, list[Path]], Taken]:
    """The paths of readq's files anywhere under ``directory`` by paper id (the user may have
    moved them into folders), and every name in use there (the user's files, folders and
    symlinks: never written over). Hidden folders (``.obsidian``, ``.trash``) are not
    entered; symlinked folders are not followed."""
    ours: dict[int, list[Path]] = {}
    taken: Taken = set()
    for root, dirs, files in os.walk(directory):
        rel = os.path.relpath(root, directory)
        taken.update((rel, d.casefold()) for d in dirs)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.startswith(".readq-") and name.endswith(".tmp"):
                continue  # a temporary file of an export that was killed: not a name to keep
            taken.add((rel, name.casefold()))
            path = Path(root) / name
            paper_id = peek_readq_id(path) if name.endswith(".md") else None
            if paper_id is not None:
                ours.setdefault(paper_id, []).append(path)
    for found in ours.values():
        found.sort(key=lambda p: (len(p.parts), str(p)))
    return ours, taken


def _write_temp(directory: Path, text: str) -> Path:
    """``text`` in a new temporary file in ``directory`` (removed again if writing fails)."""
    fd, tmp_name = tempfile.mkstemp(prefix=".readq-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp_name, 0o644)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return Path(tmp_name)


def write_obsidian(store: Store, ids: Sequence[int], directory: Path) -> VaultReport:
    """Write one file per paper into ``directory`` (created if needed).

    A file readq did not write (no ``readq_id`` in its front matter), a symlink or a directory
    is never replaced: the paper's file gets another name. A paper's existing file is found
    by its ``readq_id`` whatever its name: readq rewrites its own front-matter keys and its
    marked section and keeps everything else; if the user changed readq's section, the file
    is left as it is and named in ``kept``. After a rename the old file is removed. Every
    file is first written to a temporary file; only when all are written are they renamed
    into place, so a failure (a full disk) leaves the vault as it was.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(20, "is not a directory", str(directory))
    directory.mkdir(parents=True, exist_ok=True)
    papers = list(iter_papers(store, ids))
    ours, taken = _scan_vault(directory)

    def shown(path: Path) -> str:
        return os.path.relpath(path, directory)

    kept: list[str] = []
    copies: list[str] = []
    kept_papers = 0
    removals: list[Path] = []
    pending: list[tuple[Path, Path]] = []  # (temporary file, target)
    try:
        for paper in papers:
            # Read in full only now, one paper at a time: memory stays flat at 100k files.
            existing = [f for p in ours.get(paper.id, []) if (f := read_vault_file(p)) is not None]
            # The paper's file stays in the folder the user keeps it in.
            folder = existing[0].path.parent if existing else directory
            rel = "." if folder == directory else os.path.relpath(folder, directory)
            here = [f for f in existing if f.path.parent == folder]
            name = _free_name(paper, taken, rel, {f.path.name for f in here})
            primary = next((f for f in here if f.path.name.casefold() == name.casefold()), None)
            if primary is not None:
                name = primary.path.name  # the same name, or one differing in case: the user's
            elif existing:
                primary = existing[0]
            taken.add((rel, name.casefold()))
            section = _section(paper)
            if primary is not None and not primary.section_is(section):
                kept.append(shown(primary.path))
                kept_papers += 1
                continue
            for other in existing:
                if other is primary:
                    continue
                # Another file with this readq_id (a copy the user made, or one an older readq
                # left after a rename): removed only when it holds nothing of the user's.
                if other.section_is(section) and not other.has_user_text:
                    removals.append(other.path)
                else:
                    copies.append(shown(other.path))
            target = folder / name
            if primary is not None and primary.path != target:
                removals.append(primary.path)
            text = obsidian_document(paper, primary, section=section)
            if primary is not None and primary.path == target and primary.text == text:
                continue  # already up to date: not rewritten (sync tools see no change)
            pending.append((_write_temp(folder, text), target))
    except BaseException:
        for tmp, _target in pending:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, target in pending:
        os.replace(tmp, target)
    for old in removals:
        old.unlink(missing_ok=True)
    return VaultReport(
        papers=len(papers) - kept_papers,
        written=len(pending),
        kept=tuple(sorted(set(kept))),
        removed=tuple(sorted(shown(p) for p in removals)),
        copies=tuple(sorted(set(copies))),
    )


def _free_name(paper: Paper, taken: Taken, folder: str, own: set[str]) -> str:
    """``<stem>.md`` for ``paper`` in ``folder``, or ``<stem> (id).md`` ... when that name is
    taken there (by the user's files or another paper's); the paper's own file names in
    ``folder`` (``own``) are free for it."""
    stem = safe_file_stem(paper.title, f"paper-{paper.id}")
    own_folded = {n.casefold() for n in own}
    n = 0
    while True:
        if n == 0:
            candidate = stem
        else:
            candidate = f"{stem} ({paper.id})" if n == 1 else f"{stem} ({paper.id}-{n})"
        folded = (candidate + ".md").casefold()
        if (folder, folded) not in taken or folded in own_folded:
            return candidate + ".md"
        n += 1
