"""Messages posted from worker threads to the main screen."""

from __future__ import annotations

from textual.message import Message

from readq.library.searcher import ListResult
from readq.models import SavedView, Stats


class ListReady(Message):
    """A list query finished (the receiver drops it if a newer one was sent)."""

    def __init__(self, result: ListResult) -> None:
        super().__init__()
        self.result = result


class StatsReady(Message):
    """Fresh view counts."""

    def __init__(self, stats: Stats) -> None:
        super().__init__()
        self.stats = stats


class ViewsReady(Message):
    """The saved views with their live counts (-1: the query no longer parses)."""

    def __init__(self, views: list[tuple[SavedView, int]]) -> None:
        super().__init__()
        self.views = views


class IngestDone(Message):
    """An ingest from inside the app finished; ``summary`` is plain text for the user."""

    def __init__(self, summary: str, ok: bool) -> None:
        super().__init__()
        self.summary = summary
        self.ok = ok


class ExportDone(Message):
    """An export from inside the app finished; ``summary`` is one line of plain text.
    ``warning``: it did not fail, but did not write everything asked for either."""

    def __init__(self, summary: str, ok: bool, *, warning: bool = False) -> None:
        super().__init__()
        self.summary = summary
        self.ok = ok
        self.warning = warning
