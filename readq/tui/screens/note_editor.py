"""The note editor: the paper's abstract beside its note, in a Markdown ``TextArea``.

Nothing waits for an explicit save: every change goes to the app's :class:`NoteKeeper`, which
autosaves ``AUTOSAVE_DELAY`` after the last keystroke and on leaving, switching paper, quitting
and SIGTERM/SIGHUP. Keys: ``Esc`` back to the list, ``ctrl+o`` the note in ``$VISUAL`` /
``$EDITOR``, ``ctrl+r`` its history, ``ctrl+down`` / ``ctrl+up`` the next / previous paper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static, TextArea

from readq.models import Paper
from readq.note_values import AUTOSAVE_DELAY
from readq.textclean import strip_unsafe
from readq.tui.screens.base import ReadqScreen
from readq.tui.widgets.detail import clean, paper_header
from readq.tui.widgets.text_input import OrderedTextArea

if TYPE_CHECKING:
    from readq.tui.drafts import NoteKeeper

MARKDOWN = "markdown"


def make_text_area(text: str) -> TextArea:
    """A soft-wrapping ``TextArea`` with Markdown highlighting when tree-sitter-markdown is
    installed, plain text otherwise (never an error). ``text`` is shown without escape sequences
    and control characters (``TextArea`` would write them to the terminal as they are)."""
    area = OrderedTextArea(
        strip_unsafe(text), soft_wrap=True, tab_behavior="focus", id="note-editor"
    )
    try:
        if MARKDOWN in area.available_languages:
            area.language = MARKDOWN
    except Exception:  # a missing or broken grammar: plain text is fine
        area.language = None
    return area


class NoteEditorScreen(ReadqScreen[None]):
    """Edit one paper's note beside its abstract."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", show=True),
        Binding("ctrl+o", "external", "$EDITOR", show=True),
        Binding("ctrl+r", "history", "History", show=True),
        Binding("ctrl+down", "step(1)", "Next paper", show=True),
        Binding("ctrl+up", "step(-1)", "Prev paper", show=True),
    ]

    DEFAULT_CSS = """
    NoteEditorScreen #note-body { height: 1fr; }
    NoteEditorScreen #note-paper { width: 2fr; height: 1fr; padding: 0 1; }
    NoteEditorScreen #note-side { width: 3fr; height: 1fr; }
    NoteEditorScreen #note-heading { height: 1; padding: 0 1; background: $panel; }
    NoteEditorScreen #note-editor { height: 1fr; }
    """

    def __init__(self, paper: Paper) -> None:
        super().__init__()
        self.paper = paper
        self.paper_id = paper.id

    @property
    def keeper(self) -> NoteKeeper:
        """The app's note drafts."""
        return self.rq.notes

    @property
    def editor(self) -> TextArea:
        """The note's text area."""
        return self.query_one("#note-editor", TextArea)

    def compose(self) -> ComposeResult:
        """The paper on the left, the note on the right, the keys below."""
        session = self.keeper.open(self.paper_id)
        with Horizontal(id="note-body"):
            with VerticalScroll(id="note-paper"):
                yield Static(paper_header(self.paper), id="note-paper-text")
            with Vertical(id="note-side"):
                yield Static(self._heading(), id="note-heading")
                yield make_text_area(session.text)
        yield Footer()

    def _heading(self) -> Text:
        title = clean(self.paper.title, one_line=True) or "(untitled)"
        heading = Text("Note: ", style="bold", end="")
        heading.append(title)
        heading.append(f"  (autosaved {AUTOSAVE_DELAY * 1000:.0f} ms after typing)", "dim")
        return heading

    def on_mount(self) -> None:
        """Put the cursor at the end of the note, ready to type."""
        area = self.editor
        area.focus()
        area.move_cursor(area.document.end)

    @on(TextArea.Changed, "#note-editor")
    def _changed(self, event: TextArea.Changed) -> None:
        self.keeper.edited(self.paper_id, self._draft(event.text_area.text))

    def _draft(self, shown: str) -> str:
        """The draft for the editor's text: the stored text itself while the editor still shows
        it as loaded (cleaned of control characters), so opening a note never rewrites it."""
        session = self.keeper.sessions.get(self.paper_id)
        if session is not None and shown == strip_unsafe(session.text):
            return session.text
        return shown

    def _sync(self) -> None:
        """Hand the widget's text to the keeper (a Changed message may still be queued)."""
        try:
            text = self.editor.text
        except Exception:  # the widget is already gone: the keeper has the last change
            return
        self.keeper.edited(self.paper_id, self._draft(text))

    def on_unmount(self) -> None:
        """However the screen goes (Esc, quit), the draft is written."""
        self._sync()
        self.keeper.close(self.paper_id)

    def _refresh_main(self) -> None:
        self.rq.reload_main()

    # ----------------------------------------------------------------- actions
    def action_close(self) -> None:
        """Write the note and go back to the list (which shows the note rendered)."""
        self._sync()
        self.keeper.close(self.paper_id)
        self.app.pop_screen()
        self._refresh_main()

    def action_external(self) -> None:
        """Suspend the app and edit the note in ``$VISUAL`` / ``$EDITOR``."""
        self._sync()
        new_text = self.keeper.edit_external(self.paper_id, self.app.suspend)
        if new_text is not None:
            self._load(new_text)

    def action_history(self) -> None:
        """Show the note's revisions; a restore reloads the editor."""
        from readq.tui.screens.note_history import NoteHistoryScreen

        self._sync()
        self.keeper.flush(self.paper_id)

        def restored(revision_id: int | None) -> None:
            if revision_id is not None:
                self._load(self.keeper.open(self.paper_id).text)

        self.app.push_screen(NoteHistoryScreen(self.paper_id), restored)

    def action_step(self, delta: int) -> None:
        """Write this note, then edit the next (``delta`` 1) or previous (-1) paper's."""
        papers = self.rq.main_list()
        if papers is None:
            return
        self._sync()
        before = papers.current_id
        if delta > 0:
            papers.action_cursor_down()
        else:
            papers.action_cursor_up()
        new_id = papers.current_id
        if new_id is None or new_id == before:
            self.notify("No more papers this way.", timeout=1.5, markup=False)
            return
        paper = self.rq.get_paper(new_id)
        if paper is None:
            return
        self.keeper.close(self.paper_id)
        self.paper = paper
        self.paper_id = paper.id
        session = self.keeper.open(paper.id)
        self.query_one("#note-paper-text", Static).update(paper_header(paper))
        self.query_one("#note-paper", VerticalScroll).scroll_home(animate=False)
        self.query_one("#note-heading", Static).update(self._heading())
        self._load(session.text)

    def _load(self, text: str) -> None:
        area = self.editor
        shown = strip_unsafe(text)
        if area.text != shown:
            area.load_text(shown)
            area.move_cursor(area.document.end)
