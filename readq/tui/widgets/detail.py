"""The detail pane: everything about the paper under the cursor, and its note as Markdown.

All text from the library is untrusted: it is cleaned with ``strip_unsafe`` and shown through
``rich.text.Text`` objects (never parsed as markup). Links in the note are handled by the app,
which opens only safe http(s) URLs.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from readq.models import Paper, Status
from readq.textclean import strip_unsafe

STATUS_LABEL = {Status.NEW: "new", Status.TO_READ: "to read", Status.READ: "read"}


def clean(text: str, *, one_line: bool = False) -> str:
    """Untrusted text made safe for the terminal."""
    cleaned = strip_unsafe(text, keep_newlines=not one_line)
    return " ".join(cleaned.split()) if one_line else cleaned


def paper_header(paper: Paper) -> Text:
    """Title, facts, sources, abstract and URLs of a paper, as literal text."""
    out = Text(end="")
    out.append(clean(paper.title, one_line=True) or "(untitled)", "bold")
    if paper.title_derived:
        out.append("  (title taken from the abstract)", "dim italic")
    out.append("\n\n")
    facts: list[str] = [f"#{paper.id}", STATUS_LABEL[paper.status]]
    if paper.starred:
        facts.append("★ starred")
    if paper.org:
        facts.append(clean(paper.org, one_line=True))
    if paper.authors is not None:
        facts.append(f"{paper.authors} author" + ("" if paper.authors == 1 else "s"))
    date = paper.published or paper.published_text
    if date:
        facts.append(clean(date, one_line=True))
    if paper.upvotes is not None:
        facts.append(f"▲ {paper.upvotes} upvotes")
    out.append(" · ".join(facts), "italic")
    sources = sorted({clean(s.name, one_line=True) for s in paper.sources})
    if sources:
        out.append("\nSources: ", "dim")
        out.append(", ".join(sources), "dim")
    out.append("\n\n")
    abstract = clean(paper.abstract).strip()
    out.append(abstract if abstract else "(no abstract)", "" if abstract else "dim")
    if paper.urls:
        out.append("\n\n")
        out.append("Links", "bold")
        for url in paper.urls:
            out.append("\n  ")
            out.append(clean(url, one_line=True), "underline")
    return out


class DetailPane(VerticalScroll):
    """Shows one paper: its facts and abstract, then its note rendered as Markdown."""

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; }
    DetailPane > #detail-text { width: 1fr; }
    DetailPane > #note-heading { margin-top: 1; text-style: bold; }
    DetailPane > #note { margin: 0; padding: 0; }
    DetailPane > #note-plain { display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paper: Paper | None = None
        self._note_text: str | None = None

    def compose(self) -> ComposeResult:
        """The text block, the note heading and the note."""
        yield Static(Text("No paper selected.", style="dim"), id="detail-text")
        yield Static(Text("Note", end=""), id="note-heading")
        yield Markdown("", id="note", open_links=False)
        yield Static("", id="note-plain", markup=False)

    def show_paper(self, paper: Paper | None) -> None:
        """Show ``paper`` (None: nothing selected)."""
        if paper is not None and paper == self.paper:
            return  # already shown as is: skip a layout pass (tens of ms on every key)
        self.paper = paper
        text = self.query_one("#detail-text", Static)
        heading = self.query_one("#note-heading", Static)
        if paper is None:
            text.update(Text("No paper selected.", style="dim"))
            heading.display = False
            self._set_note("")
            return
        if paper.id != getattr(self, "_shown_id", None):
            self.scroll_home(animate=False)
        self._shown_id = paper.id
        text.update(paper_header(paper))
        has_note = bool(paper.note.strip())
        if not heading.display:
            heading.display = True
        # One row either way: no layout pass needed (layouts cost ~60 ms a key at 120x40).
        heading.update(
            Text("Note" if has_note else "Note: none yet (n to open)", end=""), layout=False
        )
        self._set_note(paper.note)

    def _set_note(self, note: str) -> None:
        cleaned = strip_unsafe(note)
        if cleaned == self._note_text:
            return
        self._note_text = cleaned
        markdown = self.query_one("#note", Markdown)
        plain = self.query_one("#note-plain", Static)
        try:
            markdown.update(cleaned)
            markdown.display = bool(cleaned.strip())
            plain.display = False
        except Exception:  # a parser surprise must not take the app down
            markdown.display = False
            plain.update(Text(cleaned))
            plain.display = True
