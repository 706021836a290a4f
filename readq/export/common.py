"""Helpers shared by the exporters: streaming papers out of the store, atomic file writes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from readq.models import Paper
from readq.store import NOT_TRASHED, Store

CHUNK = 1000


def all_ids(store: Store) -> list[int]:
    """Every paper id in the library, oldest first (the trash left out)."""
    hidden = f" WHERE {NOT_TRASHED}" if store.has_trash() else ""
    rows = store.conn.execute(f"SELECT id FROM papers{hidden} ORDER BY id")
    return [int(r[0]) for r in rows]


def iter_papers(store: Store, ids: Sequence[int], *, with_sources: bool = True) -> Iterator[Paper]:
    """The papers with ``ids`` in that order, read in chunks (bounded memory at 1M papers)."""
    for start in range(0, len(ids), CHUNK):
        yield from store.get_many(ids[start : start + CHUNK], with_sources=with_sources)


def queue_ranks(store: Store) -> dict[int, int]:
    """Each to-read paper's place in the queue (1: next up): one indexed query."""
    return {pid: n for n, pid in enumerate(store.queue_ids(), start=1)}


def year_of(paper: Paper) -> str | None:
    """The four-digit year of a paper: from its date, else from a year in its date text."""
    for text in (paper.published, paper.published_text):
        if text:
            for token in text.replace("-", " ").replace(",", " ").split():
                if len(token) == 4 and token.isdigit():
                    return token
    return None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_text_file(target: Path, *, newline: str | None = None) -> Iterator[TextIO]:
    """Open a temporary file beside ``target`` for writing; rename it into place on success.

    A failed export never leaves a half-written file (nor replaces a good one), and a symlink
    at ``target`` is replaced rather than written through.
    """
    target = Path(target)
    if target.is_dir():
        raise IsADirectoryError(21, "is a directory", str(target))
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
