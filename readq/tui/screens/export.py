"""The export dialog: a format and a path for the papers of the current view and filter.

The dialog only asks; the main screen runs the export in a worker thread. A file (or, for
Obsidian, a directory) that already exists is never replaced without a yes from the user.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from readq.export_formats import ExportFormat, suggested_name
from readq.tui.widgets.path_input import PathInput, PathSuggester

FORMAT_LABELS: list[tuple[ExportFormat, str, str]] = [
    (ExportFormat.JSON, "j", "JSON: everything, notes and their history (j)"),
    (ExportFormat.BIBTEX, "b", "BibTeX (b)"),
    (ExportFormat.MARKDOWN, "m", "Markdown: one file (m)"),
    (ExportFormat.OBSIDIAN, "o", "Obsidian: a directory, a note per paper (o)"),
    (ExportFormat.CSV, "c", "CSV for spreadsheets (c)"),
]


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What the dialog asked for: a format and a path (``~`` expanded, maybe relative)."""

    format: ExportFormat
    path: str


class FormatSet(RadioSet):
    """The format choice: arrows and letters choose at once, Enter exports."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,right", "next_format", "Next format", show=False),
        Binding("up,left", "previous_format", "Previous format", show=False),
        Binding("enter", "screen.export", "Export", show=False),
        *(
            Binding(letter, f"choose('{fmt.value}')", fmt.value, show=False)
            for fmt, letter, _label in FORMAT_LABELS
        ),
    ]

    def action_next_format(self) -> None:
        """Choose the next format."""
        self.action_next_button()
        self.action_toggle_button()

    def action_previous_format(self) -> None:
        """Choose the previous format."""
        self.action_previous_button()
        self.action_toggle_button()

    def action_choose(self, name: str) -> None:
        """Choose the format called ``name``."""
        self.query_one(f"#fmt-{name}", RadioButton).value = True


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Ask for a format and a path; dismisses with an ``ExportRequest``, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=True),
    ]

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 90%; max-width: 90; height: auto; max-height: 90%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    ExportScreen .hint { color: $text-muted; }
    ExportScreen FormatSet { width: 100%; }
    ExportScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ExportScreen Button { margin-left: 2; }
    """

    def __init__(self, what: str, fmt: ExportFormat = ExportFormat.JSON) -> None:
        """``what`` says which papers (``"7 papers of Inbox, filter: lantern"``)."""
        super().__init__()
        self.what = what
        self.format = fmt
        self._suggested = suggested_name(fmt)

    def compose(self) -> ComposeResult:
        """Title, formats, path, buttons."""
        with Vertical():
            yield Static(Text(f"Export {self.what}", style="bold"))
            yield Static(Text("Format (arrows or the letter; Enter exports):"), classes="hint")
            with FormatSet(id="formats", compact=True):
                for fmt, _letter, label in FORMAT_LABELS:
                    yield RadioButton(label, value=fmt is self.format, id=f"fmt-{fmt.value}")
            yield Static(Text(f"Path (Tab completes; relative to {os.getcwd()}):"), classes="hint")
            yield PathInput(value=self._suggested, id="path", suggester=PathSuggester())
            with Horizontal():
                yield Button("Export", id="export", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @property
    def path_input(self) -> PathInput:
        """The path input."""
        return self.query_one("#path", PathInput)

    def on_mount(self) -> None:
        """Start in the format choice, the current format highlighted."""
        formats = self.query_one(FormatSet)
        formats.focus()
        for _ in range(formats.pressed_index):  # the highlight starts on the first button
            formats.action_next_button()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        """A new format: follow it with the suggested name unless the path was edited."""
        event.stop()
        button_id = event.pressed.id or ""
        fmt = ExportFormat(button_id.removeprefix("fmt-"))
        if fmt is self.format:
            return
        self.format = fmt
        current = self.path_input.value.strip()
        if not current or current == self._suggested:
            self._suggested = suggested_name(fmt)
            self.path_input.value = self._suggested
            self.path_input.cursor_position = len(self._suggested)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the path exports."""
        event.stop()
        self.action_export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The buttons."""
        event.stop()
        if event.button.id == "export":
            self.action_export()
        else:
            self.action_cancel()

    def action_export(self) -> None:
        """Check the path; ask before replacing what is there; then close with the request."""
        value = self.path_input.value.strip()
        if not value:
            self.notify("Type a path first.", severity="warning", markup=False)
            return
        request = ExportRequest(self.format, self.path_input.real_value)
        path = Path(request.path)
        question: str | None = None
        if self.format is ExportFormat.OBSIDIAN:
            if path.exists() and not path.is_dir():
                self.notify(f"Not a directory: {value}", severity="error", markup=False)
                return
            if path.is_dir():
                question = (
                    f"{value} exists. Write the notes into it? readq updates only the notes it "
                    "wrote there, keeps your edits outside its section, and never replaces "
                    "your own files."
                )
        else:
            if path.is_dir():
                self.notify(f"That is a directory: {value}", severity="error", markup=False)
                return
            parent = path.parent
            if not parent.is_dir():
                self.notify(f"No such directory: {parent}", severity="error", markup=False)
                return
            if path.exists():
                question = f"{value} exists. Overwrite it?"
        if question is None:
            self.dismiss(request)
            return
        from readq.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(request)
            else:
                self.path_input.focus()

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
