"""The detail pane: everything about the paper under the cursor, and its note as Markdown.

All text from the library is untrusted: it is cleaned with ``strip_unsafe`` and shown through
``rich.text.Text`` objects and Rich's Markdown renderer (never parsed as console markup). Links
in the note are handled by the app, which opens only safe http(s) URLs.

The pane draws its own lines (Textual's Line API, like the paper list): showing another paper
renders its text into strips and repaints the pane, without re-arranging the screen. A layout
pass costs tens of milliseconds at 120x40 and used to follow every filter keystroke.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from readq.models import Paper, Status
from readq.sources import describe_all
from readq.textclean import strip_unsafe
from readq.tui.widgets.virtual import LineView, set_virtual_size

STATUS_LABEL = {Status.NEW: "new", Status.TO_READ: "to read", Status.READ: "read"}
NOTHING_SELECTED = "No paper selected."
NOTE_FOLD_LINES = 16
"""A note longer than this many rendered lines is folded to its start (z unfolds it), so that
the abstract below it stays in reach."""


def clean(text: str, *, one_line: bool = False) -> str:
    """Untrusted text made safe for the terminal."""
    cleaned = strip_unsafe(text, keep_newlines=not one_line)
    return " ".join(cleaned.split()) if one_line else cleaned


def author_line(names: tuple[str, ...], budget: int | None = None) -> str:
    """Every author, in order, joined with commas; cut with "et al." only past ``budget`` cells.

    ``budget`` is what a screenful of the pane holds: a paper with hundreds of authors still
    leaves its abstract in reach, while any ordinary author list is shown whole.
    """
    cleaned = [name for name in (clean(n, one_line=True) for n in names) if name]
    text = ", ".join(cleaned)
    if budget is None or cell_len(text) <= budget:
        return text
    shown: list[str] = []
    used = 0
    for name in cleaned:
        used += cell_len(name) + 2
        if used > budget - 24:  # room for ", et al. (1234 more)"
            break
        shown.append(name)
    hidden = len(cleaned) - len(shown)
    return ", ".join(shown) + f", et al. ({hidden} more)"


def identity_facts(paper: Paper) -> list[tuple[str, str]]:
    """(label, value) lines naming the paper: arXiv id with version, categories, DOI, ..."""
    rows: list[tuple[str, str]] = []
    ids: list[str] = []
    if paper.arxiv_id:
        version = f"v{paper.arxiv_version}" if paper.arxiv_version else ""
        ids.append("arXiv:" + clean(paper.arxiv_id, one_line=True) + version)
    categories = " ".join(clean(c, one_line=True) for c in paper.categories)
    if categories.strip():
        ids.append(categories)
    if paper.doi:
        ids.append("DOI " + clean(paper.doi, one_line=True))
    if ids:
        rows.append(("", " · ".join(ids)))
    if paper.journal_ref and paper.journal_ref.strip():
        rows.append(("Journal ref: ", clean(paper.journal_ref, one_line=True)))
    if paper.comments and paper.comments.strip():
        rows.append(("Comments: ", clean(paper.comments, one_line=True)))
    return rows


def paper_header(paper: Paper, *, author_budget: int | None = None) -> Text:
    """The title (wrapped), authors and metadata lines of a paper, as literal text.

    What a reader looks for first comes first: the title whole, who wrote it, then one line of
    facts (id, state, org, date, votes) and the identity lines. The note and the abstract
    follow in the pane (``paper_abstract``). ``author_budget``: the cells the author list may
    fill before "et al." (None: no limit).
    """
    out = Text(end="")
    out.append(clean(paper.title, one_line=True) or "(untitled)", "bold")
    if paper.title_derived:
        out.append("  (title taken from the abstract)", "dim italic")
    authors = author_line(paper.author_names, author_budget)
    if authors:
        out.append("\n")
        out.append(authors)
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
    if paper.tags:
        out.append("\nTags: ", "dim")
        out.append(" ".join("#" + clean(tag, one_line=True) for tag in paper.tags))
    for label, value in identity_facts(paper):
        out.append("\n")
        if label:
            out.append(label, "dim")
        out.append(value)
    # Where and when, in words (a file name means nothing a week later); F shows the files.
    sources = [clean(d, one_line=True) for d in describe_all(paper.sources)]
    if sources:
        out.append("\nFrom: ", "dim")
        out.append("; ".join(sources), "dim")
        out.append("  (F: files)", "dim italic")
    return out


def paper_abstract(paper: Paper) -> Text:
    """The abstract under its heading, then the paper's links, as literal text."""
    out = Text(end="")
    out.append("Abstract", "bold")
    out.append("\n")
    abstract = clean(paper.abstract).strip()
    out.append(abstract if abstract else "(no abstract)", "" if abstract else "dim")
    if paper.abstract_partial and abstract:
        out.append("  (preview: the page showed only the start)", "dim italic")
    if paper.urls:
        out.append("\n\n")
        out.append("Links", "bold")
        for url in paper.urls:
            out.append("\n  ")
            out.append(clean(url, one_line=True), "underline")
    return out


def note_renderable(note: str) -> RenderableType | None:
    """The note (already cleaned) as Markdown, or None when it is empty.

    Rich's Markdown renderer treats the text as Markdown only: ``[red]`` or ``[@click=…]`` stay
    literal. A parser surprise falls back to the plain text.
    """
    if not note.strip():
        return None
    try:
        from rich.markdown import Markdown  # imported on the first note shown (~40 ms)

        return Markdown(note, hyperlinks=True, code_theme="ansi_dark")
    except Exception:
        return Text(note)


class DetailPane(LineView, can_focus=True):
    """Shows one paper for reading: title, authors and facts, its note (Markdown, folded when
    long), then the abstract and links."""

    DEFAULT_CSS = """
    DetailPane {
        padding: 0 1;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        scrollbar-background: $background;
        scrollbar-background-hover: $background;
        scrollbar-background-active: $background;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paper: Paper | None = None
        self.note_text: str = ""
        """The note as shown (cleaned); empty when there is none."""
        self.links: list[str] = []
        """The note's link targets, in order (a click on link ``i`` opens ``links[i]``)."""
        self._lines: list[Strip] = []
        self._lines_key: tuple[object, ...] | None = None
        self._content_version = 0
        self.note_line: int | None = None
        """The line where the note's section starts (None: nothing shown)."""
        self.note_folded = 0
        """How many of the note's lines are hidden by the fold (0: shown whole)."""
        self.note_expanded = False
        """The user unfolded a long note (kept while the same paper is shown)."""
        self.because: tuple[str, ...] = ()
        """Why the paper is where it is in "for you" (shown under its facts)."""

    # ---------------------------------------------------------------- contents
    def show_paper(self, paper: Paper | None) -> None:
        """Show ``paper`` (None: nothing selected)."""
        if paper is not None and paper == self.paper:
            return  # already shown as is
        previous = self.paper
        self.paper = paper
        self.note_text = strip_unsafe(paper.note) if paper is not None else ""
        self._content_version += 1
        if paper is None or previous is None or paper.id != previous.id:
            self.note_expanded = False
            self.because = ()
            self.scroll_to(y=0, animate=False, immediate=True)
        self._layout_lines()
        self.refresh()

    def show_because(self, paper_id: int, because: tuple[str, ...]) -> None:
        """Say what weighs most for the shown paper in the recommended order (nothing if
        another paper is shown by now)."""
        if self.paper is None or self.paper.id != paper_id or because == self.because:
            return
        self.because = because
        self._content_version += 1
        self._layout_lines()
        self.refresh()

    def plain_text(self) -> str:
        """What the pane shows, as plain text (for tests and the clipboard)."""
        return "\n".join(strip.text.rstrip() for strip in self._render_all())

    def _author_budget(self) -> int | None:
        """The cells a screenful of the pane holds (None before the first layout)."""
        region = self.scrollable_content_region
        if region.width <= 0 or region.height <= 0:
            return None
        # Word wrapping leaves the end of most lines empty: count a name-sized gap per line.
        return max(region.width - 12, 20) * max(region.height - 2, 1)

    def _content_width(self) -> int:
        """The text width (0 before the first layout: nothing is rendered until a resize)."""
        return max(0, self.scrollable_content_region.width)

    def _render_all(self, width: int | None = None) -> list[Strip]:
        if width is None:
            width = self._content_width()
        if width <= 0:
            return []
        base = self.base_style
        key = (
            self._content_version,
            width,
            self.scrollable_content_region.height,
            base,
            self.note_expanded,
        )
        if key == self._lines_key:
            return self._lines
        console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False, markup=False)

        def lines_of(renderable: RenderableType) -> list[list[Segment]]:
            return console.render_lines(renderable, options, style=base, pad=True)

        self.links = []
        paper = self.paper
        rendered: list[list[Segment]] = []
        self.note_line = None
        self.note_folded = 0
        if paper is None:
            rendered = lines_of(Text(NOTHING_SELECTED, style="dim"))
        else:
            rendered += lines_of(paper_header(paper, author_budget=self._author_budget()))
            if self.because:
                why = clean(", ".join(self.because), one_line=True)
                rendered += lines_of(Text(f"For you because: {why}", style="italic"))
            rendered += lines_of(Text(""))
            self.note_line = len(rendered)
            note = note_renderable(self.note_text)
            if note is None:
                rendered += lines_of(Text("Note: none yet (n to write one)", style="bold"))
            else:
                note_lines = lines_of(note)
                hidden = len(note_lines) - NOTE_FOLD_LINES
                title = Text("Note", style="bold")
                if hidden > 0 and not self.note_expanded:
                    self.note_folded = hidden
                    note_lines = note_lines[: NOTE_FOLD_LINES - 1]
                    note_lines += lines_of(
                        Text(f"… {hidden + 1} more lines (z: show the whole note)", style="dim")
                    )
                elif hidden > 0:
                    title.append("  (z: fold)", "dim")
                rendered += lines_of(title)
                rendered += note_lines
            rendered += lines_of(Text(""))
            rendered += lines_of(paper_abstract(paper))
        self._lines = [self._safe_strip(line, width, base) for line in rendered]
        self._lines_key = key
        return self._lines

    # ---------------------------------------------------------------- scrolling
    def scroll_lines(self, lines: int) -> None:
        """Scroll the text by ``lines`` (negative: up), as the list keeps its cursor."""
        self.scroll_to(y=max(0, self.scroll_y + lines), animate=False, immediate=True)

    def scroll_half_page(self, direction: int) -> None:
        """Scroll by half the pane's height (``direction`` 1: down, -1: up), like less's d/u."""
        half = max(1, self.scrollable_content_region.height // 2)
        self.scroll_lines(direction * half)

    def jump_to_note(self) -> None:
        """Bring the note's heading to the top of the pane (again: back to the top)."""
        self._render_all()
        target = self.note_line or 0
        if int(self.scroll_y) == min(target, int(self.max_scroll_y)):
            target = 0
        self.scroll_to(y=target, animate=False, immediate=True)

    def toggle_note_fold(self) -> bool:
        """Show a long note whole, or folded to its first lines; False if it is short."""
        if not self.note_folded and not self.note_expanded:
            return False
        self.note_expanded = not self.note_expanded
        self._layout_lines()
        self.refresh()
        return True

    def _safe_strip(self, line: list[Segment], width: int, base: Style) -> Strip:
        """One rendered line, made safe: text the Markdown parser produced is cleaned again
        (it decodes entities such as ``&#x202E;`` into bidi controls), and the note's link
        styles become click actions (never terminal hyperlink escapes)."""
        out: list[Segment] = []
        shortened = False
        for text, style, control in line:
            clean = strip_unsafe(text, keep_newlines=False)
            shortened = shortened or clean != text
            if style is not None and style.link:
                href = style.link
                if href not in self.links:
                    self.links.append(href)
                action = Style.from_meta({"@click": f"open_note_link({self.links.index(href)})"})
                style = (
                    Style(
                        color=style.color,
                        bgcolor=style.bgcolor,
                        bold=style.bold,
                        dim=style.dim,
                        italic=style.italic,
                        strike=style.strike,
                        reverse=style.reverse,
                        underline=True,
                    )
                    + action
                )
            out.append(Segment(clean, style, control))
        if shortened:
            return Strip(out).adjust_cell_length(width, base)
        return Strip(out, width)

    def _layout_lines(self) -> None:
        width = self._content_width()
        if width > 0:  # else on_resize does it once the pane has a size
            set_virtual_size(self, Size(width, len(self._render_all(width))))

    class LinkClicked(Message):
        """A link in the note was clicked; the app opens it if it is a plain web link."""

        def __init__(self, href: str) -> None:
            super().__init__()
            self.href = href

    def action_open_note_link(self, index: int) -> None:
        """A click on a link in the note: ask the app to open it (a message: widgets never
        import the app)."""
        if 0 <= index < len(self.links):
            self.post_message(self.LinkClicked(self.links[index]))

    # --------------------------------------------------------------- rendering
    def on_resize(self, event: events.Resize) -> None:
        """Re-wrap the text for the new width."""
        self._layout_lines()
        self.refresh()

    def notify_style_update(self) -> None:
        """A theme change: render again with the new colours."""
        super().notify_style_update()
        self._lines_key = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """Row ``y`` of the visible region."""
        width = self._content_width()
        lines = self._render_all(width)
        index = int(self.scroll_offset.y) + y
        if 0 <= index < len(lines):
            return lines[index].crop_extend(0, width, self.base_style)
        return Strip.blank(width, self.base_style)


__all__ = [
    "NOTHING_SELECTED",
    "DetailPane",
    "author_line",
    "clean",
    "identity_facts",
    "note_renderable",
    "paper_abstract",
    "paper_header",
]
