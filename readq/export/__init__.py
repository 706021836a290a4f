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
from pathlib import Path
from typing import TextIO

from readq.export_formats import ExportFormat as ExportFormat
from readq.export_formats import suggested_name as suggested_name
from readq.models import SortKey
from readq.search.selection import Selection, View
from readq.store import Store

__all__ = ["ExportFormat", "ExportResult", "export_papers", "select_ids", "suggested_name"]


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


def select_ids(store: Store, selection: Selection) -> list[int] | None:
    """The ids to export, in order; None means the whole library (and its ingest log): a
    selection of every paper in added order.

    Anything else is answered by ``readq.search.select_ids``, as for ``readq list`` (the
    CLI's ``--status``/``--starred`` are clauses of the selection's query; ``QueryError`` if
    the query is malformed).
    """
    whole = (
        selection.view is View.ALL
        and not selection.has_query
        and selection.sort is SortKey.ADDED
        and not selection.reverse
    )
    if whole:
        return None
    from readq.search.select import select_ids as select_query

    return select_query(store, selection)


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
