"""What a screen may ask of the app: one typed view of it, so that screens never import
``readq.tui.app`` (which imports them: that was a cycle hidden behind lazy imports).

``ReadqApp`` provides every member; a screen reaches it through ``ReadqScreen.rq``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from readq.library import Library
    from readq.library.searcher import Searcher
    from readq.library.settings import Settings
    from readq.models import Paper
    from readq.paths import Paths
    from readq.tui.drafts import NoteKeeper
    from readq.tui.widgets.paper_list import PaperList


class AppServices(Protocol):
    """The app's state and verbs that screens use."""

    paths: Paths
    library: Library
    settings: Settings
    searcher: Searcher
    notes: NoteKeeper
    first_painted: threading.Event

    def get_paper(self, paper_id: int) -> Paper | None:
        """A paper with its sources, or None if it is gone."""

    def save_settings(self) -> None:
        """Write the settings file (best effort)."""

    def open_in_browser(self, url: str) -> None:
        """Open a safe http(s) URL in the browser."""

    def main_list(self) -> PaperList | None:
        """The main screen's paper list (None before it is mounted)."""

    def reload_main(self) -> None:
        """The library changed: the main screen refreshes what it shows."""
