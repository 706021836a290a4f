"""The paper list: a virtual list (Line API) that renders only the rows on screen.

The list holds the visible order as a list of ids. Row data is fetched on demand for the rows
being drawn (one query for the window) and kept in a small LRU cache; rendered lines are cached
by what they show (id, width, the title's highlighted spans, cursor, selected). A million ids
cost a list, not widgets.

A new list (a keystroke in the filter) repaints only the screen lines whose row changed: a row
that keeps its paper, highlights and cursor state is left as painted. Repainting the whole
visible list per keystroke was most of a keystroke's time (the search itself is ~1 ms).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from typing import ClassVar, overload

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from readq.identity import surname
from readq.library.searcher import HighlightFn, Span
from readq.models import Paper, Status
from readq.textclean import strip_unsafe
from readq.tui.widgets.virtual import LineView, set_virtual_size

RowFetcher = Callable[[Sequence[int]], list[Paper]]
RowKey = tuple[int, int, int, tuple[Span, ...], int, bool, bool, int]
"""What a rendered row shows: paper id, width, generation (bumped when every row's data is
dropped), title highlight spans, data version, cursor, selected, lines per row."""

STATUS_GLYPH = {Status.NEW: "•", Status.TO_READ: "»", Status.READ: "✓"}
DATE_WIDTH = 10
VOTES_WIDTH = 6
SURNAME_WIDTH = 14
"""Cells for the first author's family name (longer ones end in an ellipsis)."""
TITLE_ROOM_FOR_SURNAME = 30
"""The surname is shown only while the title keeps at least this many cells."""
PREFETCH_MARGIN = 40
ROW_INDENT = 5
"""Cells before the title: selection mark, status, star, note mark, a space."""


def display_title(paper: Paper) -> str:
    """A paper's title made safe for one line of the terminal."""
    return " ".join(strip_unsafe(paper.title, keep_newlines=False).split())


def display_date(paper: Paper) -> str:
    """The publication date shown in a row (ISO date, else the listing's text)."""
    text = paper.published or paper.published_text or ""
    return strip_unsafe(text, keep_newlines=False)[:DATE_WIDTH]


def display_surname(paper: Paper) -> str:
    """The first author's family name made safe for one line ("" when no name is known)."""
    for name in paper.author_names[:1]:
        return " ".join(strip_unsafe(surname(name), keep_newlines=False).split())
    return ""


class PaperList(LineView, can_focus=True):
    """A virtual, keyboard- and mouse-driven list of papers.

    A row is ``row_height`` lines: two by default, so that a title wraps onto the second line
    instead of being cut (the filter's matches anywhere in it stay visible), with the authors
    after it; one line shows more papers (``w`` toggles). Line ``y`` of the virtual space is
    line ``y % row_height`` of row ``y // row_height``: the list stays virtual.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("g,home", "cursor_first", "First", show=False),
        Binding("G,end", "cursor_last", "Last", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paper-list--cursor",
        "paper-list--selected",
        "paper-list--match",
        "paper-list--new",
        "paper-list--read",
        "paper-list--star",
        "paper-list--meta",
        "paper-list--tag",
    }

    DEFAULT_CSS = """
    PaperList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: scroll;  /* always there: a list change never re-arranges the screen */
        scrollbar-background: $surface;
        scrollbar-background-hover: $surface;
        scrollbar-background-active: $surface;
    }
    PaperList > .paper-list--cursor { background: $boost; text-style: bold; }
    PaperList:focus > .paper-list--cursor { background: $accent 40%; text-style: bold; }
    PaperList > .paper-list--selected { background: $secondary 25%; }
    PaperList > .paper-list--match { color: $warning; text-style: bold underline; }
    PaperList > .paper-list--new { color: $accent; text-style: bold; }
    PaperList > .paper-list--read { color: $text-muted; }
    PaperList > .paper-list--star { color: $warning; }
    PaperList > .paper-list--meta { color: $text-muted; }
    PaperList > .paper-list--tag { color: $secondary; }
    """

    class CursorMoved(Message):
        """The paper under the cursor changed (None: the list is empty)."""

        def __init__(self, paper_id: int | None) -> None:
            super().__init__()
            self.paper_id = paper_id

    def __init__(
        self, fetch: RowFetcher, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._fetch = fetch
        self.ids: Sequence[int] = []
        self.cursor = 0
        self.selected: set[int] = set()
        self._highlight: HighlightFn | None = None
        self._generation = 0
        self._rows: LRUCache[int, Paper] = LRUCache(4096)
        self._spans: LRUCache[int, list[Span]] = LRUCache(4096)
        # Rendered rows keyed by what they show, not by position: removing papers from the
        # view, moving the cursor or a new list with the same rows redraws only what changed.
        self._lines: LRUCache[RowKey, list[Strip]] = LRUCache(2048)
        # What each screen line (y in the visible region) shows: its row's key and which of
        # the row's lines it is (None: blank). A new list repaints the lines that differ.
        self._painted: dict[int, tuple[RowKey, int] | None] = {}
        self.row_height = 2
        self._versions: dict[int, int] = {}
        self._row_styles: dict[str, Style] = {}
        self._last_posted: int | bool | None = False

    # ---------------------------------------------------------------- contents
    @property
    def current_id(self) -> int | None:
        """The id of the paper under the cursor."""
        if 0 <= self.cursor < len(self.ids):
            return self.ids[self.cursor]
        return None

    def set_ids(
        self,
        ids: Sequence[int],
        *,
        highlight: HighlightFn | None = None,
        keep_id: int | None = None,
        keep_index: int | None = None,
    ) -> None:
        """Show ``ids``; keep the cursor on ``keep_id`` if it is still listed.

        ``keep_index`` is where ``keep_id`` is, if the caller already knows (found in a worker).
        """
        self.ids = ids
        self._highlight = highlight
        self._spans.clear()  # the highlights are the new query's; rendered lines stay
        position: int | None = None
        if keep_id is not None:
            if keep_index is not None and 0 <= keep_index < len(ids):
                position = keep_index
            else:
                position = find_position(ids, keep_id, self.cursor, scan=False)
        if position is None:
            position = min(self.cursor, len(ids) - 1)
        self.cursor = max(0, position)
        scrolled_from = self.scroll_offset.y
        set_virtual_size(self, Size(self.size.width, len(ids) * self.row_height), repaint=False)
        self._scroll_cursor_into_view(center=keep_id is not None)
        if self.scroll_offset.y != scrolled_from:
            self.refresh()  # every line moved
        else:
            self._refresh_changed_lines()
        self._post_cursor()

    def invalidate(self, ids: Sequence[int] | None = None) -> None:
        """Forget cached rows (all, or these ids) after their data changed, and redraw."""
        if ids is None:
            self._rows.clear()
            self._generation += 1
            self._lines.clear()
        else:
            for paper_id in ids:
                self._rows.discard(paper_id)
                self._versions[paper_id] = self._versions.get(paper_id, 0) + 1
        self.refresh()

    def remove_ids(self, gone: set[int]) -> None:
        """Drop papers from the list (they left the view); the cursor stays in place.

        Costs a lookup per removed paper, not a copy of the list (which may hold a million ids
        or be a lazy search result).
        """
        if not gone:
            return
        positions = []
        for paper_id in gone:
            position = find_position(self.ids, paper_id, self.cursor)
            if position is not None:
                positions.append(position)
        self.selected -= gone
        if not positions:
            return
        removed_before = sum(1 for p in positions if p < self.cursor)
        self.ids = Punctured.remove(self.ids, positions)
        self.cursor = max(0, min(self.cursor - removed_before, len(self.ids) - 1))
        set_virtual_size(self, Size(self.size.width, len(self.ids) * self.row_height))
        self._scroll_cursor_into_view()
        self.refresh()
        self._post_cursor()

    # ------------------------------------------------------------------ cursor
    def move_to(self, index: int) -> None:
        """Put the cursor on row ``index`` (clamped) and scroll it into view."""
        if not self.ids:
            self.cursor = 0
            self._post_cursor()
            return
        index = max(0, min(index, len(self.ids) - 1))
        if index != self.cursor:
            old = self.cursor
            self.cursor = index
            self._refresh_row(old)
            self._refresh_row(index)
        self._scroll_cursor_into_view()
        self._post_cursor()

    def toggle_selected(self) -> None:
        """Select or unselect the paper under the cursor."""
        paper_id = self.current_id
        if paper_id is None:
            return
        if paper_id in self.selected:
            self.selected.discard(paper_id)
        else:
            self.selected.add(paper_id)
        self._refresh_row(self.cursor)

    def clear_selection(self) -> None:
        """Unselect everything."""
        if self.selected:
            self.selected.clear()
            self._lines.clear()
            self.refresh()

    def action_cursor_down(self) -> None:
        """Move down one row."""
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        """Move up one row."""
        self.move_to(self.cursor - 1)

    def action_cursor_first(self) -> None:
        """Jump to the first row."""
        self.move_to(0)

    def action_cursor_last(self) -> None:
        """Jump to the last row."""
        self.move_to(len(self.ids) - 1)

    def action_page_down(self) -> None:
        """Move down one page."""
        self.move_to(self.cursor + self._page_rows())

    def action_page_up(self) -> None:
        """Move up one page."""
        self.move_to(self.cursor - self._page_rows())

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (int(self.scroll_offset.y) + offset.y) // self.row_height
        if 0 <= index < len(self.ids):
            self.move_to(index)
        self.focus()

    def set_row_height(self, lines: int) -> None:
        """Rows of one line (more papers) or two (whole titles); the cursor stays in view."""
        lines = 2 if lines >= 2 else 1
        if lines == self.row_height:
            return
        self.row_height = lines
        self._lines.clear()
        set_virtual_size(self, Size(self.size.width, len(self.ids) * lines))
        self._scroll_cursor_into_view(center=True)
        self.refresh()

    def _page_rows(self) -> int:
        """Rows a page moves by (one row of the page stays in sight)."""
        return max(1, self.scrollable_content_region.height // self.row_height - 1)

    def _scroll_cursor_into_view(self, *, center: bool = False) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        rh = self.row_height
        first, last = self.cursor * rh, self.cursor * rh + rh - 1  # the cursor row's lines
        top = int(self.scroll_y)
        if center and not (top <= first and last < top + height):
            self.scroll_to(y=max(0, first - height // 2), animate=False, immediate=True)
        elif first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + height:
            self.scroll_to(y=last - height + 1, animate=False, immediate=True)

    def _post_cursor(self) -> None:
        current = self.current_id
        if current != self._last_posted:
            self._last_posted = current
            self.post_message(self.CursorMoved(current))

    def _refresh_changed_lines(self) -> None:
        """Mark for repainting the visible lines whose content differs from what they show
        (all of them if nothing was painted yet, e.g. before the first layout)."""
        height = self.scrollable_content_region.height
        if height <= 0 or not self._painted:
            self.refresh()
            return
        scroll_y = int(self.scroll_offset.y)
        rh = self.row_height
        self._ensure_rows(scroll_y // rh)
        width = self._line_width()
        for y in range(height):
            index, part = divmod(scroll_y + y, rh)
            wanted: tuple[RowKey, int] | None = None
            if index < len(self.ids) and width > 0:
                paper = self._rows.get(self.ids[index])
                if paper is None:  # not fetched: cannot tell, so repaint it
                    self.refresh_line(scroll_y + y)
                    continue
                wanted = (self._row_key(index, paper, width), part)
            if self._painted.get(y, False) != wanted:
                self.refresh_line(scroll_y + y)

    def _line_width(self) -> int:
        return self.scrollable_content_region.width or self.size.width

    def _row_key(self, index: int, paper: Paper, width: int) -> RowKey:
        """The cache key of row ``index`` (showing ``paper``) drawn ``width`` cells wide."""
        paper_id = paper.id
        return (
            paper_id,
            width,
            self._generation,
            tuple(self._title_spans(paper, display_title(paper))),
            self._versions.get(paper_id, 0),
            index == self.cursor,
            paper_id in self.selected,
            self.row_height,
        )

    def _refresh_row(self, index: int) -> None:
        for line in range(index * self.row_height, (index + 1) * self.row_height):
            self.refresh_line(line)

    def on_resize(self, event: events.Resize) -> None:
        """Keep the virtual size in step with the width."""
        self.virtual_size = Size(event.size.width, len(self.ids) * self.row_height)
        self._lines.clear()
        self._scroll_cursor_into_view()

    # --------------------------------------------------------------- rendering
    def _ensure_rows(self, start: int) -> None:
        """Fetch the rows of the window starting at ``start`` that are not cached."""
        height = (self.scrollable_content_region.height or self.size.height) // self.row_height
        window = self.ids[max(0, start - PREFETCH_MARGIN // 2) : start + height + PREFETCH_MARGIN]
        missing = [i for i in window if i not in self._rows]
        if missing:
            for paper in self._fetch(missing):
                self._rows[paper.id] = paper

    def render_line(self, y: int) -> Strip:
        """Draw row ``y`` of the visible region."""
        scroll_y = int(self.scroll_offset.y)
        rh = self.row_height
        index, part = divmod(scroll_y + y, rh)
        width = self._line_width()
        base = self.base_style
        if index >= len(self.ids) or width <= 0:
            self._painted[y] = None
            return Strip.blank(width, base)
        paper_id = self.ids[index]
        paper = self._rows.get(paper_id)
        if paper is None:
            self._ensure_rows(scroll_y // rh)
            paper = self._rows.get(paper_id)
        if paper is None:
            self._painted.pop(y, None)  # unknown: the next list repaints this line
            return Strip.blank(width, base)
        key = self._row_key(index, paper, width)
        self._painted[y] = (key, part)
        cached = self._lines.get(key)
        if cached is not None:
            return cached[part]
        is_cursor, is_selected = key[5], key[6]
        if rh == 1:
            strips = [self._render_row(paper, width, is_cursor, is_selected)]
        else:
            strips = self._render_two_lines(paper, width, is_cursor, is_selected)
        self._lines[key] = strips
        return strips[part]

    def _title_spans(self, paper: Paper, title: str) -> list[Span]:
        if self._highlight is None:
            return []
        spans = self._spans.get(paper.id)
        if spans is None:
            try:
                spans = self._highlight(paper.id, title)
            except Exception:
                spans = []
            self._spans[paper.id] = spans
        return spans

    def notify_style_update(self) -> None:
        """The theme or CSS changed: forget cached component styles and rendered lines."""
        if hasattr(self, "_row_styles"):  # also called while the widget is built
            self._row_styles.clear()
            self._lines.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        """A component style, cached (looking one up costs more than drawing the row)."""
        cached = self._row_styles.get(name)
        if cached is None:
            cached = self._row_styles[name] = self.get_component_rich_style(name)
        return cached

    def _row_prefix(self, paper: Paper, row_style: Style, is_selected: bool) -> Text:
        """Selection mark, status glyph, star and note mark, then a space."""
        style = self._style
        meta = style("paper-list--meta")
        line = Text(style=row_style, no_wrap=True, overflow="ellipsis", end="")
        line.append("+" if is_selected else " ", style("paper-list--star"))
        status_style = (
            style("paper-list--new")
            if paper.status is Status.NEW
            else style("paper-list--read")
            if paper.status is Status.READ
            else meta
        )
        line.append(STATUS_GLYPH[paper.status], status_style)
        line.append("★" if paper.starred else " ", style("paper-list--star"))
        line.append("✎" if paper.note.strip() else " ", meta)
        line.append(" ")
        return line

    def _row_style(self, is_cursor: bool, is_selected: bool) -> Style:
        row_style = Style()
        if is_selected:
            row_style += self._style("paper-list--selected")
        if is_cursor:
            row_style += self._style("paper-list--cursor")
        return row_style

    def _styled_title(self, paper: Paper) -> Text:
        """The title with the filter's matches marked."""
        title_text = display_title(paper)
        title = Text(title_text, no_wrap=True, end="")
        if paper.status is Status.READ:
            title.stylize(self._style("paper-list--read"))
        match_style = self._style("paper-list--match")
        for start, end in self._title_spans(paper, title_text):
            title.stylize(match_style, start, end)
        return title

    def _to_strip(self, line: Text, width: int, row_style: Style) -> Strip:
        line.truncate(width, overflow="ellipsis", pad=True)
        segments = [
            Segment(seg.text, row_style + seg.style if seg.style else row_style)
            for seg in line.render(self.app.console, end="")
        ]
        return Strip(segments, width).apply_style(self.base_style)

    def _render_two_lines(
        self, paper: Paper, width: int, is_cursor: bool, is_selected: bool
    ) -> list[Strip]:
        """A row of two lines: the title wrapped at a word over both (an ellipsis only past
        two lines), the date and votes on the right of the first, the authors after the
        title's end on the second."""
        row_style = self._row_style(is_cursor, is_selected)
        meta = self._style("paper-list--meta")
        first = self._row_prefix(paper, row_style, is_selected)
        right = Text(no_wrap=True, end="")
        right.append(" " + display_date(paper).ljust(DATE_WIDTH), meta)
        votes = "" if paper.upvotes is None else f"▲{paper.upvotes}"
        right.append(" " + votes.rjust(VOTES_WIDTH - 1), meta)
        room = width - first.cell_len - right.cell_len
        if room < 8:
            right = Text(end="")
            room = width - first.cell_len
        title = self._styled_title(paper)
        cut = wrap_point(title.plain, max(0, room))
        head, tail = title.divide([cut])[:2] if cut < len(title) else (title, Text(end=""))
        skipped = len(tail.plain) - len(tail.plain.lstrip())
        tail = tail[skipped:]
        tail = self._tail_showing_match(paper, tail, cut + skipped, width - ROW_INDENT, meta)
        head.truncate(max(0, room), overflow="ellipsis", pad=True)
        first.append_text(head)
        first.append_text(right)
        second = Text(" " * ROW_INDENT, style=row_style, no_wrap=True, overflow="ellipsis", end="")
        tags = display_tags(paper)
        if tags:  # the tags stay in sight: a long title's second line gives way
            room = width - ROW_INDENT - cell_len(tags) - 2
            if tail.cell_len > room:
                tail.truncate(max(1, room), overflow="ellipsis")
        second.append_text(tail)
        if tags:
            second.append("  " if tail.plain else "", meta)
            second.append(tags, self._style("paper-list--tag"))
        authors = display_authors(paper)
        if authors:
            second.append("  " if tail.plain or tags else "", meta)
            second.append(authors, meta)
        return [
            self._to_strip(first, width, row_style),
            self._to_strip(second, width, row_style),
        ]

    def _tail_showing_match(
        self, paper: Paper, tail: Text, offset: int, cells: int, meta: Style
    ) -> Text:
        """The title's second line. When the title is longer than two lines and the first
        filter match is past what fits, the line starts at the word before that match, after
        an ellipsis: a row always shows why it matched."""
        if cell_len(tail.plain) <= cells or self._highlight is None:
            return tail
        spans = self._title_spans(paper, display_title(paper))
        if not spans:
            return tail
        shown_end = offset + wrap_point(tail.plain, cells - 1)
        if any(start < shown_end for start, _ in spans):
            return tail  # a match is already in sight
        later = [start for start, _ in spans if start >= offset]
        if not later:
            return tail
        at = later[0] - offset
        word = tail.plain.rfind(" ", 0, at)  # keep the word before the match, for context
        start = tail.plain.rfind(" ", 0, word) + 1 if word > 0 else at
        out = Text("… ", style=meta, end="")
        out.append_text(tail[start:])
        return out

    def _render_row(self, paper: Paper, width: int, is_cursor: bool, is_selected: bool) -> Strip:
        style = self._style
        row_style = self._row_style(is_cursor, is_selected)
        meta = style("paper-list--meta")
        line = self._row_prefix(paper, row_style, is_selected)
        right = Text(no_wrap=True, end="")
        family = display_surname(paper)
        # Only rows with a known author give up title room; dates stay aligned either way
        # (the right-hand block always ends at the row's end).
        dates_and_votes = 1 + DATE_WIDTH + VOTES_WIDTH
        title_room = width - line.cell_len - dates_and_votes - (1 + SURNAME_WIDTH)
        if family and title_room >= TITLE_ROOM_FOR_SURNAME:
            author = Text(family, no_wrap=True, end="")
            author.truncate(SURNAME_WIDTH, overflow="ellipsis", pad=True)
            right.append(" ")
            right.append_text(author)
            right.stylize(meta)
        right.append(" " + display_date(paper).ljust(DATE_WIDTH), meta)
        votes = "" if paper.upvotes is None else f"▲{paper.upvotes}"
        right.append(" " + votes.rjust(VOTES_WIDTH - 1), meta)
        tags = display_tags(paper, min(TAGS_WIDTH, max(0, width // 5)))
        if tags:
            right = Text(" " + tags, style=style("paper-list--tag"), no_wrap=True, end="") + right
        title_width = width - line.cell_len - right.cell_len
        if title_width < 8:
            right = Text(end="")
            title_width = width - line.cell_len
        title_text = display_title(paper)
        title = Text(title_text, no_wrap=True, end="")
        if paper.status is Status.READ:
            title.stylize(style("paper-list--read"))
        match_style = style("paper-list--match")
        for start, end in self._title_spans(paper, title_text):
            title.stylize(match_style, start, end)
        title.truncate(max(0, title_width), overflow="ellipsis", pad=True)
        line.append_text(title)
        line.append_text(right)
        line.truncate(width, overflow="ellipsis", pad=True)
        segments = [
            Segment(seg.text, row_style + seg.style if seg.style else row_style)
            for seg in line.render(self.app.console, end="")
        ]
        return Strip(segments, width).apply_style(self.base_style)


def wrap_point(text: str, cells: int) -> int:
    """Where to break ``text`` so that its first part fills at most ``cells`` cells: after
    the last space that fits, else (one long word) at the last character that fits."""
    if cell_len(text) <= cells:
        return len(text)
    used = 0
    fits = 0
    for position, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            break
        fits = position + 1
    space = text.rfind(" ", 0, fits + 1)
    return space if space > 0 else fits


TAGS_WIDTH = 28
"""Cells a row gives its tags at most ("#a #b +2"): the title keeps the room."""


def display_tags(paper: Paper, cells: int = TAGS_WIDTH) -> str:
    """The paper's tags for its row, compactly: as many as fit in ``cells``, then "+N"
    for the others (untrusted text: cleaned, drawn as plain text)."""
    if not paper.tags:
        return ""
    names = ["#" + strip_unsafe(t, keep_newlines=False) for t in paper.tags]
    shown: list[str] = []
    for index, name in enumerate(names):
        rest = len(names) - index - 1
        if cell_len(" ".join([*shown, name]) + (f" +{rest}" if rest else "")) > cells:
            break
        shown.append(name)
    if not shown:  # the first tag alone is too long: cut it
        more = f" +{len(names) - 1}" if len(names) > 1 else ""
        return names[0][: max(1, cells - len(more) - 1)] + "…" + more
    left = len(names) - len(shown)
    return " ".join(shown) + (f" +{left}" if left else "")


def display_authors(paper: Paper) -> str:
    """The authors for a row's second line: all names, or the first ones and "et al."."""
    names = [" ".join(strip_unsafe(n, keep_newlines=False).split()) for n in paper.author_names]
    names = [n for n in names if n]
    if not names:
        return strip_unsafe(paper.org or "", keep_newlines=False)
    shown = ", ".join(names[:3])
    return shown + (" et al." if len(names) > 3 else "")


def find_position(ids: Sequence[int], paper_id: int, near: int, *, scan: bool = True) -> int | None:
    """Position of ``paper_id`` in ``ids``, looking near ``near`` first (cheap at 1M rows)."""
    lo = max(0, near - 200)
    window = list(ids[lo : near + 200])
    if paper_id in window:
        return lo + window.index(paper_id)
    if not scan:
        return None
    try:
        return ids.index(paper_id)
    except ValueError:
        return None


class Punctured(Sequence[int]):
    """A sequence of ids with some positions taken out, without copying the base sequence."""

    def __init__(self, base: Sequence[int], removed: list[int]) -> None:
        self.base = base
        self.removed = sorted(set(removed))

    @classmethod
    def remove(cls, ids: Sequence[int], positions: list[int]) -> Punctured:
        """``ids`` without the items at ``positions`` (positions in ``ids``)."""
        if isinstance(ids, Punctured):
            base_positions = [ids.base_index(p) for p in positions]
            return cls(ids.base, ids.removed + base_positions)
        return cls(ids, positions)

    def base_index(self, index: int) -> int:
        """The position in the base sequence of item ``index``."""
        j = index
        while True:
            k = index + bisect.bisect_right(self.removed, j)
            if k == j:
                return j
            j = k

    def __len__(self) -> int:
        return len(self.base) - len(self.removed)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("index out of range")
        return self.base[self.base_index(index)]

    def __iter__(self) -> Iterator[int]:
        removed = set(self.removed)
        for position, value in enumerate(self.base):
            if position not in removed:
                yield value

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """Position of ``value`` (``ValueError`` if absent)."""
        position = self.base.index(value)
        at = bisect.bisect_left(self.removed, position)
        if at < len(self.removed) and self.removed[at] == position:
            raise ValueError(f"{value!r} is not in the list")
        return position - at
