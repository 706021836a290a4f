"""The help screen: every key of the main screen."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from readq.tui.keys import MAIN_KEYS, MOVE_KEYS


def key_table() -> Table:
    """The key table as a Rich table (plain text cells, no markup)."""
    table = Table(box=None, show_header=False, padding=(0, 2), expand=False)
    table.add_column(style="bold")
    table.add_column()
    for keys, text in MOVE_KEYS:
        table.add_row(Text(keys), Text(text))
    for key in MAIN_KEYS:
        table.add_row(Text(key.display), Text(key.help))
    table.add_row(Text("ctrl+p"), Text("Command palette (all commands, Change theme)"))
    return table


NOTE_KEYS: list[tuple[str, str]] = [
    ("type", "the note autosaves 0.3 s after you stop typing"),
    ("escape", "back to the list (saved)"),
    ("ctrl+o", "edit in $VISUAL / $EDITOR"),
    ("ctrl+r", "history: every revision; Enter or r restores one"),
    ("ctrl+down / up", "next / previous paper's note"),
]

FILTER_SYNTAX: list[tuple[str, str]] = [
    ("words", "all must match title, org, abstract or note; typos ok"),
    ('"a phrase"', "appears as written"),
    ("-word", "excludes"),
    ("is:new is:to-read", "status (also is:read, is:starred)"),
    ("has:note", "papers with a note"),
    ("org:NAME", "organisation"),
    ("year:2024", "also year:>=2023, <, <=, >"),
    ("title:W note:W", "a word in that field only"),
]


def pair_table(rows: list[tuple[str, str]]) -> Table:
    """A two-column table of plain text (no markup)."""
    table = Table(box=None, show_header=False, padding=(0, 2), expand=False)
    table.add_column(style="bold")
    table.add_column()
    for left, right in rows:
        table.add_row(Text(left), Text(right))
    return table


class HelpScreen(ModalScreen[None]):
    """A modal listing all keys; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss_help", "Close", show=True),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; height: auto; max-height: 90%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; margin-bottom: 1; }
    HelpScreen .help-heading { margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        """Title and the key table."""
        with VerticalScroll():
            yield Static(Text("readq keys"), id="help-title")
            yield Static(key_table(), id="help-table")
            yield Static(Text("Filter syntax", style="bold"), classes="help-heading")
            yield Static(pair_table(FILTER_SYNTAX), id="help-filter")
            yield Static(Text("Note editor (n)", style="bold"), classes="help-heading")
            yield Static(pair_table(NOTE_KEYS), id="help-notes")

    def action_dismiss_help(self) -> None:
        """Close the help."""
        self.dismiss(None)
