"""The ingest dialog: a path with completion, or listing text pasted into a text area."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Static, TextArea

from readq.tui.widgets.text_input import OrderedInput, OrderedTextArea


class PathSuggester(Suggester):
    """Completes file system paths (the first match, directories with a trailing slash)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        """The completion of ``value``, if one entry of its directory starts with it."""
        return complete_path(value)


# What a terminal must never receive from a file name: C0 and C1 controls (ESC starts the
# OSC 0 / OSC 52 / CSI 2J sequences), DEL, bidi overrides, and lone surrogates (the bytes of a
# name that is not UTF-8, which cannot even be encoded for the terminal).
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_STAND_INS = re.compile("[\u2400-\u2421\ufffd]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures: ESC shows as ␛
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def display_name(text: str) -> str:
    """``text`` (a path or file name) as it may be shown: every control, bidi or undecodable
    character replaced by one visible stand-in (so positions in the text do not move).
    :func:`real_path` finds the real name back."""
    return _UNSHOWABLE.sub(_stand_in, text)


def real_path(value: str) -> str:
    """The path the user means by ``value``, which may hold :func:`display_name` stand-ins:
    each component that does not exist as typed is looked up in its directory by its shown
    form (when exactly one entry shows that way). ``~`` is expanded."""
    expanded = os.path.expanduser(value)
    if not _STAND_INS.search(expanded) or os.path.lexists(expanded):
        return expanded
    anchor = os.sep if expanded.startswith(os.sep) else ""
    current = anchor
    for part in [p for p in expanded.split(os.sep) if p]:
        candidate = os.path.join(current, part) if current else part
        if not os.path.lexists(candidate) and _STAND_INS.search(part):
            try:
                with os.scandir(current or ".") as entries:
                    matches = [e.name for e in entries if display_name(e.name) == part]
            except OSError:
                matches = []
            if len(matches) == 1:
                candidate = os.path.join(current, matches[0]) if current else matches[0]
        current = candidate
    if expanded.endswith(os.sep) and not current.endswith(os.sep):
        current += os.sep
    return current


def complete_path(value: str) -> str | None:
    """Complete ``value`` to the first directory entry it is a prefix of, as it is shown
    (:func:`display_name`): a name holding escape sequences never reaches the terminal."""
    if not value:
        return None
    expanded = os.path.expanduser(value)
    directory, prefix = os.path.split(expanded)
    try:
        with os.scandir(real_path(directory) if directory else ".") as entries:
            names = sorted(
                (display_name(e.name) + ("/" if e.is_dir() else ""))
                for e in entries
                if display_name(e.name).startswith(prefix)
            )
    except OSError:
        return None
    if prefix and not prefix.startswith("."):
        names = [n for n in names if not n.startswith(".")]
    if not names:
        return None
    completed = value[: len(value) - len(prefix)] + names[0]
    return completed if completed != value else None


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


class PathInput(OrderedInput):
    """An input whose Tab accepts the path completion.

    Its text is always showable: a completion or a paste holding control characters is shown
    with stand-ins (:func:`display_name`), and :attr:`real_value` is the path it names.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "accept_completion", "Complete", show=False),
    ]

    def validate_value(self, value: str) -> str:
        """Textual's reactive validator: whatever is put in, only showable text is kept."""
        return display_name(value)

    @property
    def real_value(self) -> str:
        """The path the (trimmed) text names, ``~`` expanded and stand-ins resolved."""
        return real_path(self.value.strip())

    def action_accept_completion(self) -> None:
        """Take the suggested completion (or move on when there is none)."""
        if self._suggestion and self._suggestion != self.value:
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()


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
            yield Static(Text("…or paste a listing here (ctrl+s ingests it):"), classes="hint")
            yield OrderedTextArea(id="paste", soft_wrap=True)
            with Horizontal():
                yield Button("Ingest file", id="ingest-file", variant="primary")
                yield Button("Ingest pasted text", id="ingest-text")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Start in the path input."""
        self.query_one("#path", PathInput).focus()

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
        from readq.ingest import text_problem
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
        problem = text_problem(text)
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
