"""CSV export: one row per paper, the list's columns plus the note, for spreadsheets.

``authors`` is the count, as in the JSON; the paper's identity (author names, arXiv id and
version, categories, DOI, journal reference, comments) follows the note, so columns that
scripts and spreadsheets already address by position keep their place. Lists (names,
categories) are one cell each, joined with ``"; "``. Those cells are cleaned of terminal
controls on the way out too (the CSV may go to a terminal on stdout).

UTF-8 with a byte-order mark (so Excel detects the encoding), every field quoted, CRLF rows.
A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) gets a
leading apostrophe so that no spreadsheet evaluates it as a formula (CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import TextIO

from readq.export.common import iter_papers, queue_ranks
from readq.models import Paper
from readq.store import Store
from readq.textclean import strip_unsafe

COLUMNS = (
    "id",
    "status",
    "starred",
    "published",
    "upvotes",
    "title",
    "authors",
    "org",
    "arxiv_id",
    "url",
    "added_at",
    "note",
    "author_names",
    "arxiv_version",
    "categories",
    "doi",
    "journal_ref",
    "comments",
    "queue",
    "tags",
)
"""``queue`` is the paper's place in the to-read queue (1: next up; empty when not to read),
last so that the columns before it keep their place."""
LIST_SEPARATOR = "; "
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def guard_cell(value: object) -> str:
    """The text of one cell, defused if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def paper_row(paper: Paper, queue_rank: int | None = None) -> list[str]:
    """The cells of one paper, in :data:`COLUMNS` order."""
    values: list[object] = [
        paper.id,
        paper.status.value,
        "yes" if paper.starred else "no",
        paper.published,
        paper.upvotes,
        paper.title,
        paper.authors,
        paper.org,
        paper.arxiv_id,
        paper.urls[0] if paper.urls else "",
        paper.added_at,
        paper.note,
        LIST_SEPARATOR.join(_clean(name) for name in paper.author_names),
        paper.arxiv_version,
        LIST_SEPARATOR.join(_clean(category) for category in paper.categories),
        _clean(paper.doi),
        _clean(paper.journal_ref),
        _clean(paper.comments),
        queue_rank,
        LIST_SEPARATOR.join(_clean(tag) for tag in paper.tags),
    ]
    return [guard_cell(v) for v in values]


def _clean(text: str | None) -> str:
    """An identity field without terminal controls (the CSV may be printed on stdout)."""
    return "" if text is None else strip_unsafe(text)


def write_csv(store: Store, ids: Sequence[int], out: TextIO) -> int:
    """Write the BOM, a header row and one row per paper; returns the number of papers."""
    out.write(BOM)
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    ranks = queue_ranks(store)
    for paper in iter_papers(store, ids):
        writer.writerow(paper_row(paper, ranks.get(paper.id)))
        count += 1
    return count
