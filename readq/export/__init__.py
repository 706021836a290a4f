"""Exports, so that a library is never trapped in readq: JSON, BibTeX, Markdown, Obsidian, CSV.

:func:`export_papers` is the one entry point (the CLI and the TUI call it); :func:`select_ids`
picks the papers of a status, the starred ones, or a search's result. Pure core: no Textual.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from readq.models import SortKey, Status
from readq.store import Store

__all__ = ["ExportFormat", "ExportResult", "export_papers", "select_ids", "suggested_name"]


class ExportFormat(StrEnum):
    """The formats readq writes."""

    JSON = "json"
    BIBTEX = "bibtex"
    MARKDOWN = "markdown"
    OBSIDIAN = "obsidian"
    CSV = "csv"

    @property
    def extension(self) -> str:
        """The usual file extension ("" for the Obsidian directory)."""
        return {"json": ".json", "bibtex": ".bib", "markdown": ".md", "csv": ".csv"}.get(
            self.value, ""
        )


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote."""

    format: ExportFormat
    papers: int
    target: str
    kept: tuple[str, ...] = ()
    """Obsidian: files left as they are because the user changed readq's section in them."""
    removed: tuple[str, ...] = ()
    """Obsidian: old files of renamed papers, removed."""
    copies: tuple[str, ...] = ()
    """Obsidian: other files with a paper's readq_id holding the user's text: left alone."""


def suggested_name(fmt: ExportFormat | str, *, now: datetime | None = None) -> str:
    """A file (or, for obsidian, directory) name for an export: ``readq-20240305-101500.bib``."""
    fmt = ExportFormat(fmt)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    suffix = "-vault" if fmt is ExportFormat.OBSIDIAN else fmt.extension
    return f"readq-{stamp}{suffix}"


def select_ids(
    store: Store,
    *,
    status: Status | None = None,
    starred: bool | None = None,
    query: str | None = None,
    sort: SortKey = SortKey.ADDED,
) -> list[int] | None:
    """The ids to export, in order; None means the whole library (and its ingest log).

    With a ``query``, ``status`` and ``starred`` are clauses of it and
    ``readq.search.select_ids`` answers (as for ``readq list``; ``QueryError`` if the query
    is malformed).
    """
    if (query is not None and query.strip()) or sort is SortKey.RECOMMENDED:
        from readq.search import select_ids as select_query  # "for you" is not in SQL

        return select_query(store, query, status=status, starred=starred, sort=sort)
    if status is None and starred is None and sort is SortKey.ADDED:
        return None
    papers = store.list_papers(status=status, starred=starred, sort=sort, with_sources=False)
    return [p.id for p in papers]


def export_papers(
    store: Store,
    ids: Sequence[int] | None,
    fmt: ExportFormat | str,
    target: str | os.PathLike[str] | TextIO | None,
) -> ExportResult:
    """Export the papers ``ids`` (all when None) of ``store`` as ``fmt`` to ``target``.

    ``target`` is a file path (written to a temporary file and renamed into place, so a
    failure leaves no half-written file), a text stream, or None / ``"-"`` for stdout. The
    Obsidian format needs a directory path. This is the hook the TUI calls for its current
    view: pass the ids of the view in their shown order.
    """
    fmt = ExportFormat(fmt)
    if fmt is ExportFormat.OBSIDIAN and (
        target is None or isinstance(target, io.IOBase | TextIO) or target == "-"
    ):
        raise ValueError("the obsidian format writes a directory: give one with -o DIR")
    if _nothing_to_export(store, ids):
        # An export of no papers writes nothing (no empty file, no directory, nothing on
        # stdout): ``papers == 0`` tells the caller to say so.
        return ExportResult(fmt, 0, _target_name(target))
    if fmt is ExportFormat.OBSIDIAN:
        from readq.export.markdown import write_obsidian

        directory = Path(os.fspath(target))  # type: ignore[arg-type]
        report = write_obsidian(store, _ids(store, ids), directory)
        return ExportResult(
            fmt, report.papers, str(directory), report.kept, report.removed, report.copies
        )
    if target is None or target == "-":
        count = _write(store, ids, fmt, sys.stdout)
        sys.stdout.flush()
        return ExportResult(fmt, count, "<stdout>")
    if isinstance(target, str | os.PathLike):
        from readq.export.common import atomic_text_file

        path = Path(os.fspath(target))
        newline = "" if fmt is ExportFormat.CSV else "\n"
        with atomic_text_file(path, newline=newline) as handle:
            count = _write(store, ids, fmt, handle)
        return ExportResult(fmt, count, str(path))
    count = _write(store, ids, fmt, target)
    return ExportResult(fmt, count, getattr(target, "name", "<stream>"))


def _nothing_to_export(store: Store, ids: Sequence[int] | None) -> bool:
    if ids is not None:
        return len(ids) == 0
    return (
        store.conn.execute("SELECT 1 FROM papers WHERE deleted_at IS NULL LIMIT 1").fetchone()
        is None
    )


def _target_name(target: str | os.PathLike[str] | TextIO | None) -> str:
    if target is None or target == "-":
        return "<stdout>"
    if isinstance(target, str | os.PathLike):
        return os.fspath(target)
    return str(getattr(target, "name", "<stream>"))


def _ids(store: Store, ids: Sequence[int] | None) -> list[int]:
    if ids is not None:
        return list(ids)
    from readq.export.common import all_ids

    return all_ids(store)


def _write(store: Store, ids: Sequence[int] | None, fmt: ExportFormat, out: TextIO) -> int:
    if fmt is ExportFormat.JSON:
        from readq.export.json import write_json

        return write_json(store, ids, out)
    if fmt is ExportFormat.BIBTEX:
        from readq.export.bibtex import write_bibtex

        return write_bibtex(store, _ids(store, ids), out)
    if fmt is ExportFormat.MARKDOWN:
        from readq.export.markdown import write_markdown

        return write_markdown(store, _ids(store, ids), out)
    from readq.export.csv import write_csv

    return write_csv(store, _ids(store, ids), out)
