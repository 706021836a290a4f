"""The rename dialog: a paper's title of the user's choosing (derived titles need one).

It only asks; the main screen writes through the library (one transaction, undoable) and
says what it did. The old title is untrusted text: it is shown and edited as plain text.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from readq.textclean import clean_line, strip_unsafe


class RenameScreen(ModalScreen[str | None]):
    """Ask for a new title; dismisses with it (Enter), or None (Escape, or unchanged)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=True),
    ]

    DEFAULT_CSS = """
    RenameScreen { align: center middle; }
    RenameScreen > Vertical {
        width: 80%; max-width: 100; height: auto; border: round $accent; background: $panel;
        padding: 1 2;
    }
    RenameScreen Input { margin-top: 1; }
    """

    def __init__(self, title: str) -> None:
        super().__init__()
        self.old_title = clean_line(strip_unsafe(title, keep_newlines=False))

    def compose(self) -> ComposeResult:
        """The question and the title field, filled with the current title."""
        with Vertical():
            yield Static(Text("Rename the paper (Enter: save, Esc: cancel)"))
            yield Input(self.old_title, id="rename-input", select_on_focus=False)

    def on_mount(self) -> None:
        """The cursor at the end of the title."""
        self.query_one("#rename-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: the new title (None when it did not change)."""
        event.stop()
        title = clean_line(event.value)
        self.dismiss(title if title != self.old_title else None)

    def action_cancel(self) -> None:
        """Escape: nothing changes."""
        self.dismiss(None)
