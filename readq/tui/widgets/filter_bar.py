"""The filter bar: a search input and a one-line message (query errors, result counts)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from readq.tui.widgets.text_input import OrderedInput


class FilterInput(OrderedInput):
    """The search input; Enter keeps the filter, Escape clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_filter", "Clear filter", show=True),
        Binding("down", "leave", "To list", show=False),
        Binding("enter", "leave", "Keep filter", show=True),
    ]

    class Leave(Message):
        """Go back to the list (``clear``: drop the filter too)."""

        def __init__(self, clear: bool) -> None:
            super().__init__()
            self.clear = clear

    def _watch_value(self, value: str) -> None:
        # Input sets ``virtual_size`` (a layout reactive) from the text width on every change,
        # which re-arranges the whole screen per keystroke. This input is one fixed row: store
        # the size quietly first, so Input's own assignment is a no-op and only it repaints.
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        self.refresh()
        super()._watch_value(value)

    def action_clear_filter(self) -> None:
        """Empty the input and go back to the list."""
        self.value = ""
        self._focus_list()
        self.post_message(self.Leave(clear=True))

    def action_leave(self) -> None:
        """Back to the list, keeping the filter (focus moves at once: keys typed right after
        Enter already go to the list)."""
        self._focus_list()
        self.post_message(self.Leave(clear=False))

    def __init__(self, *, return_focus: str, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self.return_focus = return_focus
        """A selector for the widget the focus goes back to (the screen's list)."""

    def _focus_list(self) -> None:
        # At once, not through a message: keys typed right after Enter or Esc must already
        # reach the list. The screen named the widget (``return_focus``): no sibling import.
        for widget in self.screen.query(self.return_focus):
            self.screen.set_focus(widget)


class FilterBar(Vertical):
    """The filter input and its message line."""

    DEFAULT_CSS = """
    FilterBar { height: auto; }
    FilterBar > FilterInput, FilterBar > FilterInput:focus {
        border: none; height: 1; padding: 0 1;
    }
    FilterBar > FilterInput:focus { background: $boost; }
    FilterBar > #filter-message { height: 1; padding: 0 1; color: $text-muted; }
    FilterBar > #filter-message.-error { color: $error; }
    """

    def __init__(self, *, return_focus: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.return_focus = return_focus
        """A selector for the widget Enter, Down and Esc in the input move the focus to."""
        self._shown: tuple[str, bool] = ("", False)
        """The message line's text and error state as last shown (it starts hidden)."""

    def on_mount(self) -> None:
        """The message line only takes room when it has something to say."""
        self.query_one("#filter-message").display = False

    def compose(self) -> ComposeResult:
        """The input, then the message line."""
        yield FilterInput(
            return_focus=self.return_focus,
            placeholder="/ to filter: words, typos welcome",
            id="filter-input",
        )
        yield Static("", id="filter-message", markup=False)

    @property
    def input(self) -> FilterInput:
        """The filter input."""
        return self.query_one(FilterInput)

    def show_message(self, message: str, *, error: bool = False) -> None:
        """Show one line under the input (plain text, never markup)."""
        text = " ".join(message.split())
        if (text, error) == self._shown:
            return  # unchanged (most keystrokes): no repaint
        self._shown = (text, error)
        line = self.query_one("#filter-message", Static)
        line.update(Text(text, end=""), layout=False)  # always one row
        line.set_class(error, "-error")
        line.display = bool(text)
