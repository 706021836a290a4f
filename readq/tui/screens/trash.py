"""The Trash: the papers deleted with `d` (or ``readq delete``), to bring back.

A deleted paper is in no view, count, search or export; this screen is where it shows. It
lists the trash at the moment it opens, most recently deleted first, and answers with the ids
to restore: the main screen restores them through the library (one transaction, undoable).
Emptying the trash for good stays a CLI command with a confirmation flag
(``readq trash empty --yes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from readq.models import Paper
from readq.textclean import clean_line, strip_unsafe


class TrashScreen(ModalScreen[list[int] | None]):
    """The trash; Enter or `r` restores the paper under the cursor, Esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "restore", "Restore", show=True),
        Binding("escape,q,T", "close", "Close", show=True),
    ]

    DEFAULT_CSS = """
    TrashScreen { align: center middle; }
    TrashScreen > Vertical {
        width: 90%; height: 80%; border: round $warning; background: $panel; padding: 0 1;
    }
    TrashScreen OptionList { height: 1fr; }
    """

    def __init__(self, papers: Sequence[Paper]) -> None:
        super().__init__()
        self.papers = list(papers)

    def compose(self) -> ComposeResult:
        """A heading and one line per deleted paper (plain text: titles are untrusted)."""
        count = len(self.papers)
        if count:
            noun = "paper" if count == 1 else "papers"
            head = f"Trash: {count} {noun} (Enter or r: restore, Esc: close)"
        else:
            head = "The trash is empty (Esc: close)"
        with Vertical():
            yield Static(Text(head), id="trash-head")
            yield OptionList(
                *(
                    Option(
                        Text(f"#{p.id}  {clean_line(strip_unsafe(p.title, keep_newlines=False))}"),
                        id=str(p.id),
                    )
                    for p in self.papers
                ),
                id="trash-list",
            )

    def on_mount(self) -> None:
        """The list has the keys."""
        self.query_one("#trash-list", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a paper restores it."""
        event.stop()
        if event.option.id is not None:
            self.dismiss([int(event.option.id)])

    def action_restore(self) -> None:
        """Restore the paper under the cursor."""
        options = self.query_one("#trash-list", OptionList)
        index = options.highlighted
        if index is None:
            return
        option_id = options.get_option_at_index(index).id
        if option_id is not None:
            self.dismiss([int(option_id)])

    def action_close(self) -> None:
        """Back to the list, nothing restored."""
        self.dismiss(None)
