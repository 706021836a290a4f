"""The "save as a view" dialog (``V``): a name for the current view and filter, then Enter
(a name made from the filter is offered, selected: ``V`` Enter saves in two keys).

It only asks; the main screen saves through the library and says what it did. The query is
shown as plain text (it may hold anything the user typed).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from readq.store_values import VIEW_NAME_MAX
from readq.textclean import clean_line, strip_unsafe


class SaveViewScreen(ModalScreen[str | None]):
    """Ask for a view's name; dismisses with it (Enter), or None (Escape, or empty)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=True),
    ]

    DEFAULT_CSS = """
    SaveViewScreen { align: center middle; }
    SaveViewScreen > Vertical {
        width: 80%; max-width: 80; height: auto; border: round $accent; background: $panel;
        padding: 1 2;
    }
    SaveViewScreen Input { margin-top: 1; }
    """

    def __init__(self, query: str, key: str | None, suggested: str = "") -> None:
        super().__init__()
        self.query_text = clean_line(strip_unsafe(query, keep_newlines=False))
        self.key = key
        self.suggested = clean_line(strip_unsafe(suggested, keep_newlines=False))
        """A name offered in the field, selected: Enter takes it, typing replaces it."""

    def compose(self) -> ComposeResult:
        """What is saved, and the name field."""
        where = f"the tab on key {self.key}" if self.key else "a tab (from the palette)"
        with Vertical():
            yield Static(Text(f"Save as a view, {where}:"))
            yield Static(Text(f"  {self.query_text}", style="bold"))
            yield Static(Text("Name (Enter: save, Esc: cancel)"))
            yield Input(
                self.suggested,
                placeholder="e.g. reading group",
                select_on_focus=True,
                id="view-name",
                max_length=VIEW_NAME_MAX,
            )

    def on_mount(self) -> None:
        """The cursor in the name field."""
        self.query_one("#view-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: the name (None when empty)."""
        event.stop()
        name = clean_line(event.value)
        self.dismiss(name or None)

    def action_cancel(self) -> None:
        """Escape: nothing is saved."""
        self.dismiss(None)
