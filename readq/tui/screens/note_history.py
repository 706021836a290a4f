"""A note's history: every kept revision with its time and kind, and restoring one.

Autosaves of one editing session coalesce into one revision per minute; a restore, an external
edit (``readq note --set/--edit``) and the other side of a conflict are revisions of their own.
Restoring makes a new ``restore`` revision: the history only grows.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from readq.models import NoteRevision
from readq.note_values import SaveStatus
from readq.textclean import strip_unsafe
from readq.tui.screens.base import ReadqModalScreen

KIND_LABEL = {
    "save": "saved",
    "restore": "restored",
    "conflict": "conflict",
    "external": "external",
    "import": "imported",
}


def local_time(stamp: str) -> str:
    """An ISO 8601 UTC time from the store as local ``YYYY-MM-DD HH:MM:SS``."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return stamp[:19]


def revision_label(revision: NoteRevision, current: bool) -> Text:
    """One line of the history list (literal text: the note is never parsed as markup)."""
    label = Text(no_wrap=True, overflow="ellipsis", end="")
    label.append(f"#{revision.id:<5} ", "dim")
    label.append(local_time(revision.created_at) + "  ")
    kind = KIND_LABEL.get(revision.kind, revision.kind)
    label.append(f"{kind:<9} ", "bold yellow" if revision.kind == "conflict" else "italic")
    first = " ".join(strip_unsafe(revision.text, keep_newlines=False).split())
    label.append(first[:80] if first else "(empty)", "" if first else "dim")
    if current:
        label.append("  ← current", "bold green")
    return label


def revision_diff(revision: NoteRevision, older: NoteRevision | None) -> Text:
    """What ``revision`` changed against the one before it (``older``), as a unified diff
    (added lines green, removed red); the whole text for the first revision. Revisions that
    differ only at their end looked alike when only their start was shown."""
    import difflib

    body = strip_unsafe(revision.text)
    out = Text(end="")
    if older is None:
        out.append("First revision:\n", "italic")
        out.append(body if body.strip() else "(empty)", "" if body.strip() else "dim")
        return out
    before = strip_unsafe(older.text).splitlines()
    after = body.splitlines()
    out.append(f"Changes since #{older.id} ({local_time(older.created_at)}):\n", "italic")
    changed = False
    for line in difflib.unified_diff(before, after, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        changed = True
        if line.startswith("@@"):
            out.append("⋯\n", "dim")
        elif line.startswith("+"):
            out.append(line + "\n", "green")
        elif line.startswith("-"):
            out.append(line + "\n", "red")
        else:
            out.append(line + "\n", "dim")
    if not changed:
        out.append("(same text)", "dim")
    return out


class NoteHistoryScreen(ReadqModalScreen[int | None]):
    """The revisions of one note, newest first; dismisses with the restored revision's id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", show=True),
        Binding("r", "restore", "Restore", show=True),
    ]

    DEFAULT_CSS = """
    NoteHistoryScreen { align: center middle; }
    NoteHistoryScreen > #history-box {
        width: 95%; height: 90%; border: round $accent; background: $panel;
    }
    NoteHistoryScreen #history-list { width: 1fr; height: 1fr; }
    NoteHistoryScreen #history-preview { width: 1fr; height: 1fr; padding: 0 1; }
    """

    def __init__(self, paper_id: int) -> None:
        super().__init__()
        self.paper_id = paper_id
        self.revisions: list[NoteRevision] = []
        self.current: int | None = None

    def compose(self) -> ComposeResult:
        """The list of revisions beside the selected one's text."""
        with Horizontal(id="history-box"):
            yield OptionList(id="history-list")
            with VerticalScroll(id="history-preview"):
                yield Static(Text(""), id="history-text")
        yield Footer()

    def on_mount(self) -> None:
        """Load the revisions."""
        box = self.query_one("#history-box")
        box.border_title = "Note history: Enter or r restores, Esc closes"
        self.reload()
        self.query_one(OptionList).focus()

    def reload(self) -> None:
        """Read the revisions again from the library."""
        library = self.rq.library
        self.revisions = library.note_history(self.paper_id)
        self.current = library.note(self.paper_id)[1]
        options = self.query_one(OptionList)
        options.clear_options()
        if not self.revisions:
            options.add_option(Option(Text("No revisions yet.", style="dim"), disabled=True))
            return
        options.add_options(
            Option(revision_label(r, r.id == self.current), id=str(r.id)) for r in self.revisions
        )
        options.highlighted = 0
        self._preview(0)

    def _preview(self, index: int | None) -> None:
        text = self.query_one("#history-text", Static)
        if index is None or not 0 <= index < len(self.revisions):
            text.update(Text(""))
            return
        revision = self.revisions[index]
        older = self.revisions[index + 1] if index + 1 < len(self.revisions) else None
        text.update(revision_diff(revision, older))

    @on(OptionList.OptionHighlighted, "#history-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview(event.option_index)

    @on(OptionList.OptionSelected, "#history-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_restore()

    def selected_revision(self) -> NoteRevision | None:
        """The highlighted revision, if any."""
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.revisions):
            return None
        return self.revisions[index]

    def action_restore(self) -> None:
        """Make the highlighted revision current (as a new revision) and go back."""
        revision = self.selected_revision()
        if revision is None:
            return
        if revision.id == self.current:
            self.notify("That is already the current text.", timeout=2, markup=False)
            return
        outcome = self.rq.notes.restore(self.paper_id, revision.id)
        if outcome.status is SaveStatus.FAILED:
            return
        self.notify(f"Restored revision {revision.id}.", timeout=3, markup=False)
        self.dismiss(revision.id)

    def action_close(self) -> None:
        """Back to the editor, nothing changed."""
        self.dismiss(None)
