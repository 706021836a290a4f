"""The key table: one place for the main screen's bindings, the help screen and the palette."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True, slots=True)
class Key:
    """One command: its keys, the action it runs, and how it is described."""

    keys: str
    action: str
    description: str
    help: str
    show: bool = False
    priority: bool = False

    @property
    def display(self) -> str:
        """The keys as shown on the help screen."""
        names = {
            "question_mark": "?",
            "slash": "/",
            "space": "space",
            "ctrl+r": "ctrl+r",
            "shift+down": "shift+↓",
            "shift+up": "shift+↑",
            "left_square_bracket": "[",
            "right_square_bracket": "]",
            "left_curly_bracket": "{",
            "right_curly_bracket": "}",
            "number_sign": "#",
            "minus": "-",
        }
        return " ".join(names.get(k, k) for k in self.keys.split(","))

    def binding(self) -> Binding:
        """The Textual binding for this key."""
        return Binding(
            self.keys, self.action, self.description, show=self.show, priority=self.priority
        )


MOVE_KEYS: list[tuple[str, str]] = [
    ("j ↓ / k ↑", "next / previous paper"),
    ("g home / G end", "first / last paper"),
    ("pgdn / pgup", "page down / up"),
    ("click, wheel", "select a row, scroll"),
]

MAIN_KEYS: list[Key] = [
    Key("1", "view('inbox')", "Inbox", "Inbox view: new papers"),
    Key("2", "view('to-read')", "To read", "To-read view"),
    Key("3", "view('starred')", "Starred", "Starred view"),
    Key("4", "view('read')", "Read", "Read view"),
    Key("5", "view('all')", "All", "All papers"),
    Key("6", "saved_view(0)", "View 6", "First saved view (readq view add NAME QUERY)"),
    Key("7", "saved_view(1)", "View 7", "Second saved view"),
    Key("8", "saved_view(2)", "View 8", "Third saved view"),
    Key("9", "saved_view(3)", "View 9", "Fourth saved view"),
    Key("V", "save_view", "Save view", "Save the current view and filter as a view (a tab)"),
    Key(
        "slash",
        "focus_filter",
        "Filter",
        "Filter (Enter: back to list, Esc: clear)",
        True,
        priority=True,
    ),
    Key("r", "mark('read')", "Read", "Mark read, go to next", True),
    Key("t", "mark('to-read')", "To read", "Mark to read, go to next", True),
    Key("N", "mark('new')", "New", "Back to new (inbox), go to next"),
    Key("s", "toggle_star", "Star", "Toggle star", True),
    Key("space", "toggle_select", "Select", "Select / unselect (marks apply to selection)"),
    Key("escape", "escape", "Clear", "Clear the selection, else the filter", priority=True),
    Key("d", "delete", "Delete", "Move to the trash (u brings it back)"),
    Key("E", "rename", "Rename", "Rename the paper: edit its title (give it one of your own)"),
    Key(
        "l,number_sign",
        "tag_picker",
        "Tags",
        "Tag the paper or the selection (type: find or create, space: toggle, Enter: apply)",
    ),
    Key("0,T", "trash", "Trash", "The trash: deleted papers, to restore (Enter)"),
    Key("left_square_bracket", "queue_move('up')", "Up", "To-read queue: move the paper up"),
    Key("right_square_bracket", "queue_move('down')", "Down", "To-read queue: move it down"),
    Key("left_curly_bracket", "queue_move('top')", "Top", "To-read queue: to the top (next up)"),
    Key("right_curly_bracket", "queue_move('bottom')", "Bottom", "To-read queue: to the bottom"),
    Key("u", "undo", "Undo", "Undo the last change (repeatable)", True),
    Key("ctrl+r", "redo", "Redo", "Redo"),
    Key("o", "open_url", "Open", "Open the paper's page (arXiv, else first link)"),
    Key("P", "open_pdf", "PDF", "Open the paper's PDF (arXiv's, else a PDF link)"),
    Key("O", "open_arxiv", "arXiv", "Search arXiv for the title"),
    Key("y", "copy", "Copy", 'Copy "Title — link to its page" to the clipboard'),
    Key(
        "S",
        "cycle_sort",
        "Sort",
        "Cycle sort: added, published, upvotes, title, read, for you, relevance, queue",
        True,
    ),
    Key("m", "related", "Related", "More like this: papers related to this one (r/t/s/N work)"),
    Key(
        "minus",
        "not_interested",
        "Not interested",
        'Not interested: sinks it in "for you" (again: undo)',
    ),
    Key("F", "show_sources", "Files", "Show the files the paper came from (paths)"),
    Key("R", "reverse_sort", "Reverse", "Reverse the sort (newest/oldest first, A-Z/Z-A)"),
    Key("i", "ingest", "Ingest", "Ingest a listing file or pasted text", True),
    Key("x", "export", "Export", "Export the papers of the view and filter (JSON, BibTeX, ...)"),
    Key("n", "open_note", "Note", "Open the paper's note", True),
    Key("e", "edit_note", "$EDITOR", "Edit the paper's note in $VISUAL / $EDITOR"),
    Key("J,shift+down", "detail_scroll(3)", "Scroll", "Scroll the detail pane down"),
    Key("K,shift+up", "detail_scroll(-3)", "Scroll up", "Scroll the detail pane up"),
    Key("ctrl+d", "detail_half_page(1)", "Half page", "Detail pane: half a page down"),
    Key("ctrl+u", "detail_half_page(-1)", "Half page up", "Detail pane: half a page up"),
    Key("ctrl+n", "detail_note", "To note", "Detail pane: jump to the note (again: to the top)"),
    Key("w", "toggle_rows", "Rows", "Two-line rows (whole titles, authors) / one-line rows"),
    Key("z", "detail_fold", "Fold", "Show a long note whole / fold it again"),
    Key("question_mark", "help", "Help", "This help", True),
    Key("q", "app.quit", "Quit", "Quit", True),
]

PALETTE_ONLY: list[tuple[str, str, str]] = [
    (
        "Tagging rules: list them with counts, add one (with a preview), remove one",
        "palette only",
        "rules",
    ),
]
"""Commands without a key (rarely used): (title, help line, main-screen action)."""
