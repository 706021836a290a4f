"""Suggested orders for the to-read queue: oldest first, shortest first, and room for more.

A suggestion is only shown until the user applies it (``readq queue suggest --apply``, or the
palette), and applying is one undo step. Each order is a pure function from the queued papers
to their ids in the suggested order, registered by name in :data:`SUGGESTED_ORDERS`: another
order (a score from the discovery engine) is one more entry, nothing else changes. Pure core:
no database, no terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from readq.models import Paper

SuggestFn = Callable[[Sequence[Paper]], list[int]]
"""Queued papers (in the queue's order) -> their ids in the suggested order."""


@dataclass(frozen=True, slots=True)
class SuggestedOrder:
    """One way to order the queue: its name (the CLI's ``--NAME``), what it means in words
    (shown beside it: a suggestion is always labelled), and the function."""

    name: str
    label: str
    order: SuggestFn | None
    """None: an order only the library can compute (it needs the search index and the
    user's labels: ``recommended``)."""


_PAGES = re.compile(r"(\d{1,4})\s*(?:pages|pp\b|page\b)", re.IGNORECASE)


def page_count(paper: Paper) -> int | None:
    """The number of pages the arXiv comment gives ("12 pages, 5 figures"), if any."""
    if not paper.comments:
        return None
    found = _PAGES.search(paper.comments)
    return int(found[1]) if found else None


def oldest_first(papers: Sequence[Paper]) -> list[int]:
    """Earliest publication first; papers without a date keep their queue order, after."""
    dated = sorted((p for p in papers if p.published), key=lambda p: (p.published or "", p.id))
    return [p.id for p in dated] + [p.id for p in papers if not p.published]


def shortest_first(papers: Sequence[Paper]) -> list[int]:
    """Fewest pages first (the arXiv comment's count); papers whose length is unknown come
    after, shortest abstract first (a weak hint, so never mixed with page counts)."""
    counted = [(page_count(p), p) for p in papers]
    known = sorted(((n, p.id) for n, p in counted if n is not None))
    unknown = sorted((len(p.abstract), p.id) for n, p in counted if n is None)
    return [pid for _n, pid in known] + [pid for _n, pid in unknown]


SUGGESTED_ORDERS: dict[str, SuggestedOrder] = {
    "oldest": SuggestedOrder("oldest", "oldest first (publication date)", oldest_first),
    "shortest": SuggestedOrder(
        "shortest",
        "shortest first (pages from the arXiv comment, else abstract length)",
        shortest_first,
    ),
    "recommended": SuggestedOrder(
        "recommended",
        "for you (ranked by your stars, as the 'for you' sort; date added until 3 are starred)",
        None,
    ),
}
"""Every suggested order by name."""


def register_order(order: SuggestedOrder) -> None:
    """Offer one more suggested order (in the CLI's ``queue suggest`` and the palette)."""
    SUGGESTED_ORDERS[order.name] = order
