"""The tag picker (`l` or `#`): tag the paper under the cursor or the selection.

Type to find a tag (fuzzy: ``av`` finds ``project/avatars``) or to name a new one; space or
tab toggles the highlighted tag (tags have no spaces, so space is free), up/down move, Enter
applies every toggle at once (one undo step), Esc cancels. Each line shows whether all, some
or none of the papers carry the tag, and how many papers of the library do. It only asks:
the main screen writes through the library. Tag names are untrusted text (an imported
backup): they are drawn as plain ``Text``, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from readq.library.tagpick import Choice, Mark, TagPick, summary
from readq.tags import TagNameError
from readq.textclean import strip_unsafe

TagEdit = tuple[list[str], list[str]]
"""(tags to add, tags to remove) for every paper picked."""

_MARKS = {Mark.ALL: "[x]", Mark.SOME: "[-]", Mark.NONE: "[ ]"}


class TagInput(Input):
    """The name field: space toggles the highlighted tag instead of typing (a tag name has
    no spaces; the Input would otherwise take the key before any binding sees it)."""

    class ToggleRequested(Message):
        """Space was pressed in the field."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "space":
            event.stop()
            event.prevent_default()
            self.post_message(self.ToggleRequested())
            return
        await super()._on_key(event)


class TagPickerScreen(ModalScreen[TagEdit | None]):
    """Pick tags for papers; dismisses with the edit (Enter) or None (Esc, or no change)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=True),
        Binding("tab", "toggle_tag", "Toggle", show=True, priority=True),
        Binding("down", "move(1)", "Down", show=False, priority=True),
        Binding("up", "move(-1)", "Up", show=False, priority=True),
    ]

    DEFAULT_CSS = """
    TagPickerScreen { align: center middle; }
    TagPickerScreen > Vertical {
        width: 70%; max-width: 90; height: 70%; border: round $accent; background: $panel;
        padding: 0 1;
    }
    TagPickerScreen OptionList { height: 1fr; }
    TagPickerScreen #tag-summary { color: $text-muted; }
    """

    def __init__(self, pick: TagPick, papers: int) -> None:
        super().__init__()
        self.pick = pick
        self.papers = papers
        self.shown: list[Choice] = []
        self._keep: str | None = None
        """The tag to keep highlighted when the field is cleared after a toggle."""

    def compose(self) -> ComposeResult:
        """The heading, the name field, the tags, and what Enter will do."""
        noun = "the paper" if self.papers == 1 else f"{self.papers} papers"
        head = (
            f"Tags of {noun}: type to find or create, space/tab toggles, Enter applies, Esc cancels"
        )
        with Vertical():
            yield Static(Text(head), id="tag-head")
            yield TagInput(placeholder="tag name (project/avatars)", id="tag-input")
            yield OptionList(id="tag-list")
            yield Static(Text(""), id="tag-summary")

    def on_mount(self) -> None:
        """Typing goes to the name field; the list shows every tag."""
        self.query_one("#tag-input", Input).focus()
        self._redraw()

    @property
    def typed(self) -> str:
        """What is in the name field."""
        return self.query_one("#tag-input", Input).value

    def _redraw(self, keep: str | None = None) -> None:
        options = self.query_one("#tag-list", OptionList)
        self.shown = self.pick.choices(self.typed)
        options.clear_options()
        options.add_options([Option(self._line(c)) for c in self.shown])
        if self.shown:
            names = [c.name.casefold() for c in self.shown]
            at = names.index(keep.casefold()) if keep and keep.casefold() in names else 0
            options.highlighted = at
        text = summary(self.pick, [c.name for c in self.shown])
        self.query_one("#tag-summary", Static).update(Text(strip_unsafe(text)))

    def _line(self, choice: Choice) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        style = "bold" if choice.changed else ""
        line.append(_MARKS[choice.mark] + " ", style)
        line.append("#" + strip_unsafe(choice.name, keep_newlines=False), style)
        if choice.new and choice.count == 0:
            line.append("  (new tag)", "italic")
        else:
            line.append(f"  {choice.count}", "dim")
        return line

    def on_tag_input_toggle_requested(self, event: TagInput.ToggleRequested) -> None:
        """Space in the name field: toggle."""
        event.stop()
        self.action_toggle_tag()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Each keystroke narrows the list (best match highlighted)."""
        event.stop()
        keep, self._keep = self._keep, None
        self._redraw(keep=keep)

    def _highlighted(self) -> Choice | None:
        index = self.query_one("#tag-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self.shown):
            return None
        return self.shown[index]

    def action_toggle_tag(self) -> None:
        """Toggle the highlighted tag (creating it if new), then clear the field."""
        choice = self._highlighted()
        if choice is None:
            if self.typed.strip():
                self._bad_name()
            return
        try:
            name = self.pick.toggle(choice.name)
        except TagNameError as exc:
            self.notify(str(exc), severity="warning", timeout=3, markup=False)
            return
        field = self.query_one("#tag-input", Input)
        if field.value:
            self._keep = name
            field.value = ""  # its Input.Changed redraws the whole list
        self._redraw(keep=name)

    def _bad_name(self) -> None:
        try:
            self.pick.toggle(self.typed)
        except TagNameError as exc:
            self.notify(str(exc), severity="warning", timeout=3, markup=False)

    def action_move(self, step: int) -> None:
        """Up/down move in the list while typing."""
        options = self.query_one("#tag-list", OptionList)
        if not self.shown:
            return
        index = options.highlighted or 0
        options.highlighted = max(0, min(len(self.shown) - 1, index + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: a name being typed is toggled first (``l proj Enter`` tags at once), then
        every toggle is applied."""
        event.stop()
        if self.typed.strip():
            if self._highlighted() is None:
                self._bad_name()
                return
            self.action_toggle_tag()
        self._apply()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter with the list focused (after a click) applies too."""
        event.stop()
        self._apply()

    def _apply(self) -> None:
        add, remove = self.pick.changes()
        self.dismiss((add, remove) if add or remove else None)

    def action_cancel(self) -> None:
        """Escape: nothing changes."""
        self.dismiss(None)
