"""What the paper list shows: the ids of a view in a sort order, optionally filtered.

Runs in worker threads on a reader connection. When the core search engine
(``readq.search``) has loaded it answers filters; until then the same query is evaluated
exactly in SQL (:func:`sql_search`). Nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from readq.models import SortKey, Status
from readq.store import NOT_TRASHED, Store, sort_sql

SearchView = Status | Literal["starred"] | None
"""The search's name for a view (as ``readq.search.View``, kept here so that importing this
module does not load the search engine)."""

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
    reverse: bool = False
    """The sort read bottom-up (the ``R`` key)."""


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
    note: str | None = None
    """Said in the filter bar with the match count (the SQL path's "approximate")."""


def _where(view: View, trash: bool) -> tuple[str, list[object]]:
    # The trash is in no view (the condition only when it holds something: it costs).
    hidden = f" AND {NOT_TRASHED}" if trash else ""
    if view is View.STARRED:
        return " WHERE starred = 1" + hidden, []
    status = view.status
    if status is not None:
        return " WHERE status = ?" + hidden, [status.value]
    return (f" WHERE {NOT_TRASHED}" if trash else ""), []


def ordered_ids(
    store: Store, view: View, sort: SortKey, limit: int | None = None, *, reverse: bool = False
) -> list[int]:
    """The ids of every paper in ``view``, in ``sort`` order (reversed with ``reverse``)."""
    where, params = _where(view, store.has_trash())
    sql = f"SELECT id FROM papers{where} ORDER BY {sort_sql(sort, reverse=reverse)}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [row[0] for row in store.conn.execute(sql, params)]


def word_spans(title: str, words: Sequence[str]) -> list[Span]:
    """Where any of ``words`` occurs in ``title`` (case-insensitive), merged and sorted: the
    highlight of the SQL path, whose words match as substrings."""
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


APPROXIMATE = "approximate (index loading): substrings, no typos"
"""The filter bar's note while the SQL path answers a query with words."""


def search_view(view: View) -> SearchView:
    """The search's name for a view (a ``Status``, ``"starred"`` or None), on both paths."""
    if view is View.STARRED:
        return "starred"
    return view.status


def sql_search(
    store: Store,
    request: ListRequest,
    *,
    limit: int | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ListResult:
    """Answer ``request`` with the exact SQL evaluation of its query (used until the index has
    loaded): every operator means what it means in the index; words match as substrings.

    With ``limit``, only the first rows (``partial`` when there may be more): common words
    fill a screen after a short scan, so it paints before the full answer is counted.
    Raises ``readq.search.SearchCancelled`` when ``is_cancelled()`` turns True."""
    from readq.search import QueryError, parse_query
    from readq.search import sql as query_sql
    from readq.search.query import PhraseClause, positive_terms

    try:
        query = parse_query(request.text)
    except QueryError as exc:
        return ListResult(request, error=str(exc))
    ids = query_sql.select_ids(
        store,
        query,
        view=search_view(request.view),
        sort=request.sort,
        limit=limit,
        is_cancelled=is_cancelled,
        reverse=request.reverse,
    )
    partial = limit is not None and len(ids) >= limit
    if not query.has_text:
        return ListResult(request, ids, partial=partial)
    terms: list[str] = []
    for term in positive_terms(query.clauses):
        if isinstance(term, PhraseClause):
            terms.append(term.text.casefold())
        else:
            terms.extend(term.tokens)

    def highlight(paper_id: int, title: str) -> list[Span]:
        return word_spans(title, terms)

    return ListResult(request, ids, highlight=highlight, note=APPROXIMATE, partial=partial)


_DIRECTIONS: dict[SortKey, tuple[str, str]] = {
    SortKey.ADDED: ("newest first", "oldest first"),
    SortKey.PUBLISHED: ("newest first", "oldest first"),
    SortKey.UPVOTES: ("most first", "fewest first"),
    SortKey.TITLE: ("A-Z", "Z-A"),
    SortKey.READ: ("latest first", "earliest first"),
    SortKey.RELEVANCE: ("best first", "worst first"),
    SortKey.RECOMMENDED: ("best first", "worst first"),
}
_NAMES: dict[SortKey, str] = {SortKey.RECOMMENDED: "for you"}
"""How a sort is named on screen when not by its value."""


def sort_label(sort: SortKey, reverse: bool) -> str:
    """The sort and its direction in words (``added, oldest first``): an arrow does not say
    whether "down" means newest or A first."""
    forward, backward = _DIRECTIONS[sort]
    return f"{_NAMES.get(sort, sort.value)}, {backward if reverse else forward}"


def sort_header(sort: SortKey, reverse: bool) -> str:
    """The sort as the header shows it: the name alone in its usual direction (the header is
    one line shared with the view tabs and the filter), with the direction when reversed."""
    return sort_label(sort, reverse) if reverse else _NAMES.get(sort, sort.value)
