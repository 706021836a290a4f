"""The ingest dialog: a path with completion, or listing text pasted into a text area."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

from readq.library import Library
from readq.tui.widgets.path_input import PathInput, PathSuggester
from readq.tui.widgets.text_input import OrderedTextArea


@dataclass(frozen=True, slots=True)
class IngestRequest:
    """What the dialog asked for: a file path, pasted text, or arXiv ids/links to fetch."""

    path: str | None = None
    text: str | None = None
    arxiv_refs: tuple[str, ...] = ()


def arxiv_refs_in(text: str) -> tuple[str, ...]:
    """The words of ``text`` when every one is an arXiv id or link (``2612.04011``,
    ``arxiv.org/abs/...``, ``huggingface.co/papers/...``), else ``()``: a listing or a path
    is never taken for ids."""
    from readq.identity import parse_arxiv_ref

    words = tuple(text.replace(",", " ").split())
    if words and all(parse_arxiv_ref(word) is not None for word in words):
        return words
    return ()


class IngestScreen(ModalScreen[IngestRequest | None]):
    """Ask for a listing file (Enter) or pasted text (ctrl+s)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=True),
        Binding("ctrl+s", "ingest_text", "Ingest pasted text", show=True),
    ]

    DEFAULT_CSS = """
    IngestScreen { align: center middle; }
    IngestScreen > Vertical {
        width: 90%; max-width: 110; height: auto; max-height: 90%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    IngestScreen .hint { color: $text-muted; }
    IngestScreen #paste { height: 10; }
    IngestScreen #candidates { height: auto; max-height: 4; display: none; }
    IngestScreen Horizontal { height: auto; align-horizontal: right; }
    IngestScreen Button { margin-left: 1; }
    """

    def compose(self) -> ComposeResult:
        """Path input, paste area, buttons."""
        with Vertical():
            yield Static(Text("Ingest a listing, or add papers by arXiv id", style="bold"))
            yield Static(
                Text("File path (Tab or → completes, Enter ingests), or arXiv ids / links:"),
                classes="hint",
            )
            yield PathInput(
                placeholder="~/Downloads/papers.txt", id="path", suggester=PathSuggester()
            )
            yield Static(Text(""), id="candidates", classes="hint")
            yield Static(Text("…or paste a listing here (ctrl+s ingests it):"), classes="hint")
            yield OrderedTextArea(id="paste", soft_wrap=True)
            with Horizontal():
                yield Button("Ingest file", id="ingest-file", variant="primary")
                yield Button("Ingest pasted text", id="ingest-text")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Start in the path input."""
        self.query_one("#path", PathInput).focus()

    def on_path_input_candidates(self, event: PathInput.Candidates) -> None:
        """Show the path's completions under it, the one in the input marked."""
        shown = self.query_one("#candidates", Static)
        if event.no_match:
            shown.update(Text("No file or directory starts with that.", style="italic"))
            shown.display = True
            return
        if not event.names:
            shown.display = False
            return
        line = Text(f"{len(event.names)} matches (Tab: next): ", style="italic")
        for index, name in enumerate(event.names):
            base = name.rstrip("/").rsplit("/", 1)[-1] + ("/" if name.endswith("/") else "")
            line.append(base, "reverse bold" if index == event.current else "")
            line.append("  ")
        shown.update(line)
        shown.display = True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the path input ingests the file."""
        event.stop()
        self._submit_path()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The buttons."""
        if event.button.id == "ingest-file":
            self._submit_path()
        elif event.button.id == "ingest-text":
            self.action_ingest_text()
        else:
            self.action_cancel()

    def _submit_path(self) -> None:
        value = self.query_one("#path", PathInput).value.strip()
        if not value:
            self.notify("Type a path first.", severity="warning", markup=False)
            return
        path = Path(self.query_one("#path", PathInput).real_value)
        refs = () if path.is_file() else arxiv_refs_in(value)
        if refs:
            self.dismiss(IngestRequest(arxiv_refs=refs))
            return
        if not path.is_file():
            self.notify(f"Not a file: {value}", severity="error", markup=False)
            return
        self.dismiss(IngestRequest(path=str(path)))

    def action_ingest_text(self) -> None:
        """Ingest what was pasted."""
        from readq.textclean import strip_unsafe

        area = self.query_one("#paste", TextArea)
        text = area.text
        if not text.strip():
            self.notify("Paste a listing first.", severity="warning", markup=False)
            return
        refs = arxiv_refs_in(text)
        if refs:
            self.dismiss(IngestRequest(arxiv_refs=refs))
            return
        problem = Library.text_problem(text)
        if problem is not None:
            # The dialog stays open with the text: a paste is not lost for a wrong guess.
            self.notify(
                f"Nothing to ingest: {strip_unsafe(problem, keep_newlines=False)}. The text is "
                "still here: paste a Hugging Face or arXiv listing, or Esc to cancel.",
                severity="error",
                timeout=8,
                markup=False,
            )
            area.focus()
            return
        self.dismiss(IngestRequest(text=text))

    def action_cancel(self) -> None:
        """Close without ingesting."""
        self.dismiss(None)
