"""What the paper list shows: the ids of a view in a sort order, optionally filtered.

Runs in worker threads on a reader connection. When the core search engine
(``readq.search``) is available it answers filters; otherwise a plain word filter is used.
Nothing here imports Textual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from readq.models import SortKey, Status
from readq.store import SORT_SQL, Store

Span = tuple[int, int]


class View(Enum):
    """The five views of the main screen, in key order (``1``-``5``)."""

    INBOX = "inbox"
    TO_READ = "to-read"
    STARRED = "starred"
    READ = "read"
    ALL = "all"

    @property
    def label(self) -> str:
        """The name shown in the view tabs."""
        return _LABELS[self]

    @property
    def status(self) -> Status | None:
        """The status this view is limited to, if any."""
        return _STATUS.get(self)

    def matches(self, status: Status, starred: bool) -> bool:
        """Whether a paper in this state belongs to the view."""
        if self is View.STARRED:
            return starred
        wanted = self.status
        return wanted is None or status is wanted


_LABELS = {
    View.INBOX: "Inbox",
    View.TO_READ: "To read",
    View.STARRED: "Starred",
    View.READ: "Read",
    View.ALL: "All",
}
_STATUS = {View.INBOX: Status.NEW, View.TO_READ: Status.TO_READ, View.READ: Status.READ}


@dataclass(frozen=True, slots=True)
class ListRequest:
    """One request for the list's contents, tagged with a sequence number."""

    seq: int
    view: View
    sort: SortKey
    text: str = ""
    limit: int | None = None
    keep_id: int | None = None
    near: int = 0
    """Where ``keep_id`` probably is (the cursor's row): looked for there first, since walking
    a lazy result of a million ids to find it takes ~200 ms."""
    follows_cursor: bool = False
    """``keep_id`` is simply the paper that was under the cursor: if the user moves while the
    list is computed, the cursor stays where they moved to, not where it was."""


HighlightFn = Callable[[int, str], list[Span]]


@dataclass(slots=True)
class ListResult:
    """The answer to a ``ListRequest``: ids in display order, or a one-line error."""

    request: ListRequest
    ids: Sequence[int] = field(default_factory=list)
    error: str | None = None
    highlight: HighlightFn | None = None
    partial: bool = False
    keep_index: int | None = None


def _where(view: View) -> tuple[str, list[object]]:
    if view is View.STARRED:
        return " WHERE starred = 1", []
    status = view.status
    if status is not None:
        return " WHERE status = ?", [status.value]
    return "", []


def ordered_ids(store: Store, view: View, sort: SortKey, limit: int | None = None) -> list[int]:
    """The ids of every paper in ``view``, in ``sort`` order (relevance means added)."""
    where, params = _where(view)
    sql = f"SELECT id FROM papers{where} ORDER BY {SORT_SQL[sort]}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [row[0] for row in store.conn.execute(sql, params)]


_WORD = re.compile(r"\w+", re.UNICODE)


def query_words(text: str) -> list[str]:
    """The words of a filter, casefolded."""
    return [w.casefold() for w in _WORD.findall(text)]


def word_spans(title: str, words: Sequence[str]) -> list[Span]:
    """Where any of ``words`` occurs in ``title`` (case-insensitive), merged and sorted."""
    if not words:
        return []
    folded = title.casefold()
    if len(folded) != len(title):  # casefolding changed lengths: fall back to lower()
        folded = title.lower()
    spans: list[Span] = []
    for word in words:
        start = folded.find(word)
        while start != -1:
            spans.append((start, start + len(word)))
            start = folded.find(word, start + 1)
    spans.sort()
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def fallback_search(store: Store, request: ListRequest) -> ListResult:
    """A plain filter: every word must occur in the title or abstract (used without the engine)."""
    words = query_words(request.text)
    if not words:
        return ListResult(request, ordered_ids(store, request.view, request.sort))
    where, params = _where(request.view)
    clauses = [where[len(" WHERE ") :]] if where else []
    for word in words:
        clauses.append("(title LIKE ? ESCAPE '\\' OR abstract LIKE ? ESCAPE '\\')")
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params.extend([pattern, pattern])
    sql = f"SELECT id FROM papers WHERE {' AND '.join(clauses)} ORDER BY {SORT_SQL[request.sort]}"
    ids = [row[0] for row in store.conn.execute(sql, params)]

    def highlight(paper_id: int, title: str) -> list[Span]:
        return word_spans(title, words)

    return ListResult(request, ids, highlight=highlight)
