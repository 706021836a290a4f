"""Which papers, in what order: the one value every front end builds and every path answers.

A :class:`Selection` is a view of the main screen (:class:`View`), a query (its text, or a
parsed :class:`~readq.search.query.Query` with the CLI's ``--status``/``--starred`` added as
clauses), a sort and its direction. ``readq list``, ``readq export`` and the TUI's list and
export build one and hand it on; :func:`readq.search.sql.selection_ids` answers it exactly in
SQL, :func:`readq.search.select.select_ids` through the index when it has words to rank.
Importing this module does not load the search engine (start-up cost).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING

from readq.models import SortKey, Status

if TYPE_CHECKING:  # the parser is loaded when a query is first parsed: start-up cost
    from readq.search.query import Query, ViewFilter


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

    @property
    def filter(self) -> ViewFilter:
        """The search's name for this view (a ``Status``, ``"starred"`` or None), on every
        path: the index's view bits and the SQL ``WHERE`` both take it."""
        if self is View.STARRED:
            return "starred"
        return self.status

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
class Selection:
    """Which papers, in what order: ``view`` narrowed by ``query`` (text as typed, or a parsed
    query), best matches first when it has words, then in ``sort`` order; ``reverse`` reads
    that order bottom-up (the exact reverse of the list)."""

    view: View = View.ALL
    query: str | Query = ""
    sort: SortKey = SortKey.RELEVANCE
    reverse: bool = False

    @property
    def text(self) -> str:
        """The query as the user typed it (the filter bar's text)."""
        return self.query if isinstance(self.query, str) else self.query.text

    @property
    def has_query(self) -> bool:
        """Whether anything narrows the view (typed text or added clauses)."""
        if isinstance(self.query, str):
            return bool(self.query.strip())
        return not self.query.is_empty

    def parsed(self) -> Query:
        """The query parsed (:class:`~readq.search.QueryError` when the text is malformed)."""
        if not isinstance(self.query, str):
            return self.query
        from readq.search.query import parse_query

        return parse_query(self.query)

    def with_state(self, *, status: Status | None = None, starred: bool | None = None) -> Selection:
        """This selection narrowed to ``status`` and to starred (False: not starred) papers,
        as clauses of its query: the CLI's ``--status``/``--starred`` mean what ``is:``
        means (:class:`~readq.search.QueryError` when the text is malformed)."""
        from readq.search.query import Node, StarredClause, StatusClause

        extra: list[Node] = []
        if status is not None:
            extra.append(StatusClause(status))
        if starred is not None:
            extra.append(StarredClause(negated=not starred))
        if not extra:
            return self
        return replace(self, query=self.parsed().with_clauses(*extra))


_DIRECTIONS: dict[SortKey, tuple[str, str]] = {
    SortKey.ADDED: ("newest first", "oldest first"),
    SortKey.PUBLISHED: ("newest first", "oldest first"),
    SortKey.UPVOTES: ("most first", "fewest first"),
    SortKey.TITLE: ("A-Z", "Z-A"),
    SortKey.READ: ("latest first", "earliest first"),
    SortKey.RELEVANCE: ("best first", "worst first"),
    SortKey.QUEUE: ("next up first", "last first"),
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
