"""Search: the query language, the in-memory index and ranking. Never imports Textual.

API (names are stable)::

    from readq.search import SearchEngine, QueryError, SearchCancelled, parse_query

    engine = SearchEngine.load(store)          # index every paper (own read-only connection)
    engine.refresh()                           # pick up papers added/changed by anyone: bool
    engine.update_state(pid, status=Status.READ, starred=True, note="...")  # after own writes
    result = engine.search("difusion is:new", sort=SortKey.RELEVANCE, view=Status.NEW,
                           is_cancelled=worker.is_cancelled)   # QueryError, SearchCancelled
    len(result); result[0]; result[0:40]       # ordered paper ids, produced lazily
    result.highlights(pid, title, abstract)    # Highlights(title_spans, snippet, snippet_spans)
    result.counts()                            # Stats of the matches across all views
    engine.counts()                            # Stats for the view tabs
    selection = Selection(View.INBOX, "lora", SortKey.ADDED).with_state(starred=True)
    select_ids(store, selection, limit=20)     # one-shot, for the CLI: index or SQL
    sql.selection_ids(store, selection)        # exact SQL evaluation (words as substrings)
    search(store, "lora", SortKey.ADDED, limit=20) -> list[int]   # all papers, a query

A :class:`Selection` (``readq.search.selection``) is the one value front ends pass: a
:class:`View` of the main screen, a query, a sort and its direction. The engine's ``view`` is
that view's ``filter``: ``None`` (all), a ``Status`` (inbox = NEW, to read, read) or
``"starred"``. The names below are loaded on first use: importing ``readq.search`` (or its
light modules: ``query``, ``selection``, ``sql``) does not load the engine (start-up cost).

Matching. Every free word must match somewhere (AND) in the title, organisation, abstract or
note; word order does not matter. ``a OR b`` and ``( groups )`` combine clauses (AND binds
tighter than OR; ``-( ... )`` excludes a group). A word matches a stored word exactly, as a
prefix (``diff`` → diffusion; prefixes under 4 characters only look at titles, organisations
and notes, not abstracts), or with typos (from 4 characters: 1 edit, from 8: 2 edits, a swap
of two letters counts as one: ``difusion``, ``trasnformer``; the first letter must be right or
swapped with the second). Words under 4 characters also match their plurals in abstracts
(``llm`` finds LLMs, ``sae`` SAEs). Case never matters (``lora`` finds LoRA). ``"a phrase"``
must appear as written, case-insensitively (runs of spaces count as one). ``-x`` excludes
whatever ``x`` would match (words by exact word or prefix or typo, phrases, filters). Filters:
``is:new|to-read|read|starred``, ``has:note``, ``has:tag``, ``tag:NAME`` (the tag and those
below it: ``tag:project`` finds ``project/avatars``), ``org:NAME``, ``title:WORD``,
``note:WORD``, ``year:2024`` /
``year:>=2023`` (also ``<``, ``<=``, ``>``). A malformed query (unknown filter, ``org:``
without a value, a lone ``-``, ``()``, an unterminated quote or parenthesis, a dangling ``OR``)
raises ``QueryError`` with a one-line message. An empty query lists everything in the sort
order.

Ranking and order. Each query word scores 6 for an exact title word, 5 for a title prefix,
4 for a title typo, 3 / 2 / 1 for the same in the abstract, organisation or note (a phrase:
6 in the title, 3 elsewhere); a paper's rank is the sum. So a title match beats one only in
the abstract, an exact word beats a prefix, and a prefix beats a typo.
Better matches come first whatever the sort: papers are grouped by rank, and the chosen
sort (``ADDED``, ``PUBLISHED``, ``UPVOTES``, ``TITLE``) orders papers of equal rank.
``SortKey.RELEVANCE`` breaks ties newest first (added order). A query with no words or phrases
to rank (only filters, or empty) lists its papers in the sort order, as ``Store.list_papers``.

Threads and cost. The engine is safe to use from a worker thread; its methods hold one lock.
Pass ``is_cancelled`` to stop a search early (it raises ``SearchCancelled``). The index keeps
postings as ``array('I')`` or bit sets (ints), not the abstracts; ``len(result)`` and the first
page are cheap even when a million papers match.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from readq.search.engine import Highlights, SearchEngine, SearchResult
    from readq.search.index import SearchCancelled
    from readq.search.query import Field, Query, QueryError, parse_query
    from readq.search.select import search, select_ids
    from readq.search.selection import Selection, View

_HOMES = {
    "Field": "query",
    "Highlights": "engine",
    "Query": "query",
    "QueryError": "query",
    "SearchCancelled": "index",
    "SearchEngine": "engine",
    "SearchResult": "engine",
    "Selection": "selection",
    "View": "selection",
    "parse_query": "query",
    "search": "select",
    "select_ids": "select",
}


def __getattr__(name: str) -> Any:
    """Load a public name's module when the name is first used (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'readq.search' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"readq.search.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Field",
    "Highlights",
    "Query",
    "QueryError",
    "SearchCancelled",
    "SearchEngine",
    "SearchResult",
    "Selection",
    "View",
    "parse_query",
    "search",
    "select_ids",
]
