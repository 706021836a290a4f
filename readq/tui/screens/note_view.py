"""A read-only view of a paper's note, rendered as Markdown.

The full editor (issue 5) replaces this screen; the main screen opens notes through one
method, ``action_open_note``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown, Static

from readq.models import Paper
from readq.textclean import strip_unsafe


class NoteViewScreen(ModalScreen[None]):
    """The note of one paper, read-only."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,n", "close", "Close", show=True),
    ]

    DEFAULT_CSS = """
    NoteViewScreen { align: center middle; }
    NoteViewScreen > VerticalScroll {
        width: 90%; height: 90%; border: round $accent; background: $panel; padding: 0 1;
    }
    NoteViewScreen #note-title { text-style: bold; margin-bottom: 1; }
    """

    def __init__(self, paper: Paper) -> None:
        super().__init__()
        self.paper = paper

    def compose(self) -> ComposeResult:
        """Title, then the note (or a hint when there is none)."""
        title = " ".join(strip_unsafe(self.paper.title, keep_newlines=False).split())
        note = strip_unsafe(self.paper.note)
        with VerticalScroll():
            yield Static(Text("Note: " + title), id="note-title")
            if note.strip():
                yield Markdown(note, id="note-markdown", open_links=False)
            else:
                yield Static(
                    Text("No note yet. (The note editor arrives with issue 5.)", style="dim"),
                    id="note-empty",
                )
        yield Footer()

    def action_close(self) -> None:
        """Back to the list."""
        self.dismiss(None)
