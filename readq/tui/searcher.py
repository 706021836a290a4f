"""The bridge between the list and the search: turns a ``ListRequest`` into ids.

Runs on worker threads. Without filter text the ids come straight from SQLite (one indexed
query). With filter text the core engine answers when ``readq.search`` is available;
otherwise a plain word filter. Nothing here imports Textual.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from readq.store import Store
from readq.tui.listing import ListRequest, ListResult, fallback_search, ordered_ids

IsCancelled = Callable[[], bool]


class Searcher:
    """Answers list requests; thread-safe (one search at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stale = True

    def invalidate(self) -> None:
        """The library changed: refresh any in-memory index before the next search."""
        self._stale = True

    def search(self, reader: Store, request: ListRequest, is_cancelled: IsCancelled) -> ListResult:
        """The ids for ``request`` (an error result for a bad query)."""
        if not request.text.strip():
            return ListResult(request, ordered_ids(reader, request.view, request.sort))
        with self._lock:
            return fallback_search(reader, request)
