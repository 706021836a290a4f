"""Related papers ("more like this", key `m`): the papers most like the current one, each with
what they share (``because``), and the triage keys r / t / N / s on them.

The list is computed before the screen opens (in a worker of the main screen); the marks go
through the main screen's callback, so they take the same path as on the main list (the
library's one transaction, the index told at once, undo).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from readq.library.discovery import Suggested
from readq.models import STATUS_GLYPHS, Paper
from readq.textclean import clean_line, strip_unsafe

Triage = Callable[[int, str], Paper | None]
"""``(paper id, action)`` -> the paper after it (action: ``read``, ``to-read``, ``new``,
``star``), or None if it could not be changed."""


def related_row(paper: Paper, because: Sequence[str]) -> Text:
    """One row: the status glyph, star and title as on the main list, then why (plain text:
    titles and words are untrusted)."""
    star = "★" if paper.starred else " "
    title = clean_line(strip_unsafe(paper.title, keep_newlines=False))
    row = Text(f"{STATUS_GLYPHS[paper.status]}{star} #{paper.id}  {title}")
    if because:
        why = clean_line(strip_unsafe(", ".join(because), keep_newlines=False))
        row.append(f"\n     because: {why}", style="dim")
    return row


class RelatedScreen(ModalScreen[None]):
    """Papers related to one; r / t / N mark, s stars the highlighted one; Esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "triage('read')", "Read", show=True),
        Binding("t", "triage('to-read')", "To read", show=True),
        Binding("N", "triage('new')", "New", show=True),
        Binding("s", "triage('star')", "Star", show=True),
        Binding("escape,q,m", "close", "Close", show=True),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
    ]

    DEFAULT_CSS = """
    RelatedScreen { align: center middle; }
    RelatedScreen > Vertical {
        width: 90%; height: 80%; border: round $accent; background: $panel; padding: 0 1;
    }
    RelatedScreen OptionList { height: 1fr; }
    """

    def __init__(self, origin: Paper, related: Sequence[Suggested], triage: Triage) -> None:
        super().__init__()
        self.origin = origin
        self.related = list(related)
        self.triage = triage

    def compose(self) -> ComposeResult:
        """A heading naming the paper, then one row per related paper."""
        title = clean_line(strip_unsafe(self.origin.title, keep_newlines=False))
        if self.related:
            head = f"Related to #{self.origin.id} {title}  (r t N s: triage, Esc: close)"
        else:
            head = f"No paper shares enough with #{self.origin.id} {title}  (Esc: close)"
        with Vertical():
            yield Static(Text(head), id="related-head")
            yield OptionList(
                *(
                    Option(related_row(s.paper, s.because), id=str(s.paper.id))
                    for s in self.related
                ),
                id="related-list",
            )

    def action_triage(self, action: str) -> None:
        """Mark or star the highlighted paper, redraw its row and move to the next."""
        options = self.query_one("#related-list", OptionList)
        index = options.highlighted
        if index is None or index >= len(self.related):
            return
        item = self.related[index]
        after = self.triage(item.paper.id, action)
        if after is None:
            return
        self.related[index] = Suggested(after, item.score, item.because)
        options.replace_option_prompt_at_index(index, related_row(after, item.because))
        if index + 1 < len(self.related):
            options.highlighted = index + 1

    def action_move(self, delta: int) -> None:
        """j / k as on the main list."""
        options = self.query_one("#related-list", OptionList)
        if not self.related:
            return
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self.related) - 1, current + delta))

    def action_close(self) -> None:
        """Back to the main list."""
        self.dismiss(None)


__all__ = ["RelatedScreen", "related_row"]
