"""The detail pane: everything about the paper under the cursor, and its note as Markdown.

All text from the library is untrusted: it is cleaned with ``strip_unsafe`` and shown through
``rich.text.Text`` objects and Rich's Markdown renderer (never parsed as console markup). Links
in the note are handled by the app, which opens only safe http(s) URLs.

The pane draws its own lines (Textual's Line API, like the paper list): showing another paper
renders its text into strips and repaints the pane, without re-arranging the screen. A layout
pass costs tens of milliseconds at 120x40 and used to follow every filter keystroke.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from readq.models import Paper, Status
from readq.textclean import strip_unsafe
from readq.tui.widgets.virtual import set_virtual_size

STATUS_LABEL = {Status.NEW: "new", Status.TO_READ: "to read", Status.READ: "read"}
NOTHING_SELECTED = "No paper selected."


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


class DetailPane(ScrollView, can_focus=True):
    """Shows one paper: its facts and abstract, then its note rendered as Markdown."""

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
            self.scroll_to(y=0, animate=False, immediate=True)
        self._layout_lines()
        self.refresh()

    def plain_text(self) -> str:
        """What the pane shows, as plain text (for tests and the clipboard)."""
        return "\n".join(strip.text.rstrip() for strip in self._render_all())

    def _renderable(self) -> RenderableType:
        paper = self.paper
        if paper is None:
            return Text(NOTHING_SELECTED, style="dim")
        parts: list[RenderableType] = [paper_header(paper)]
        note = note_renderable(self.note_text)
        if note is None:
            parts.append(Text("\n\nNote: none yet (n to open)", style="bold", end=""))
        else:
            parts.append(Text("\n\nNote", style="bold"))
            parts.append(note)
        return Group(*parts)

    def _content_width(self) -> int:
        width = self.scrollable_content_region.width
        if width <= 0:
            width = max(1, self.size.width - 3)  # before the first layout: padding + bar
        return width

    def _render_all(self, width: int | None = None) -> list[Strip]:
        if width is None:
            width = self._content_width()
        base = self.base_style
        key = (self._content_version, width, base)
        if key == self._lines_key:
            return self._lines
        console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False, markup=False)
        rendered = console.render_lines(self._renderable(), options, style=base, pad=True)
        self.links = []
        self._lines = [Strip(self._clickable(line), width) for line in rendered]
        self._lines_key = key
        return self._lines

    def _clickable(self, line: list[Segment]) -> list[Segment]:
        """Turn the note's link styles into click actions (no terminal hyperlink escapes)."""
        if not any(seg.style is not None and seg.style.link for seg in line):
            return line
        out: list[Segment] = []
        for text, style, control in line:
            if style is not None and style.link:
                href = style.link
                if href not in self.links:
                    self.links.append(href)
                action = Style.from_meta({"@click": f"open_note_link({self.links.index(href)})"})
                style = Style(
                    color=style.color,
                    bgcolor=style.bgcolor,
                    bold=style.bold,
                    italic=style.italic,
                    underline=True,
                )
                style = style + action
            out.append(Segment(text, style, control))
        return out

    def _layout_lines(self) -> None:
        lines = self._render_all()
        set_virtual_size(self, Size(self._content_width(), len(lines)))

    def action_open_note_link(self, index: int) -> None:
        """A click on a link in the note: the app opens it if it is a plain web link."""
        if 0 <= index < len(self.links):
            from readq.tui.app import ReadqApp

            app = self.app
            if isinstance(app, ReadqApp):
                app.open_in_browser(self.links[index])

    # --------------------------------------------------------------- rendering
    def on_resize(self, event: events.Resize) -> None:
        """Re-wrap the text for the new width."""
        self._layout_lines()
        self.refresh()

    def notify_style_update(self) -> None:
        """A theme change: render again with the new colours."""
        super().notify_style_update()
        self._lines_key = None
        self._base_style: Style | None = None
        self.refresh()

    @property
    def base_style(self) -> Style:
        """``rich_style``, cached until the styles change (it walks every ancestor)."""
        style = getattr(self, "_base_style", None)
        if style is None:
            style = self._base_style = self.rich_style
        return style

    def render_line(self, y: int) -> Strip:
        """Row ``y`` of the visible region."""
        width = self._content_width()
        lines = self._render_all(width)
        index = int(self.scroll_offset.y) + y
        if 0 <= index < len(lines):
            return lines[index].crop_extend(0, width, self.base_style)
        return Strip.blank(width, self.base_style)


__all__ = ["NOTHING_SELECTED", "DetailPane", "clean", "note_renderable", "paper_header"]
