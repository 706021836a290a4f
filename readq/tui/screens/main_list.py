"""The list half of the main screen: view tabs, the paper list, the detail pane, counts.

All list contents come from worker threads (``ListRequest`` tagged with a sequence number; a
result that is not for the newest request is dropped). ``TriageScreen`` adds the keys that
change papers on top of it, ``MainScreen`` the jobs and the links.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from readq.library.searcher import ListRequest, ListResult, list_ids
from readq.models import Paper, SavedView, SortKey, Stats, Status
from readq.search.selection import Selection, View, sort_header
from readq.store_values import PaperState
from readq.tui.messages import ListReady, StatsReady, ViewsReady
from readq.tui.screens.base import ReadqScreen
from readq.tui.widgets.detail import DetailPane
from readq.tui.widgets.filter_bar import FilterBar
from readq.tui.widgets.paper_list import PaperList, find_position

FIRST_SCREEN_ROWS = 200
DETAIL_DEBOUNCE = 0.06
DETAIL_TYPING_DEBOUNCE = 0.15
"""While the filter has the focus, the detail pane shows the top match this long after the
last keystroke's list (seconds)."""
FILTER_HINT = 'Words (typos OK), org:NAME, year:>=2024, "a phrase", -word. Enter: keep, Esc: clear.'
NARROW_BELOW = 100
"""Terminals narrower than this get the one-column layout (the detail under the list): at 80
columns two columns left the titles 23 cells and the detail pane a word per line."""
WIDE_FROM = 180
"""Terminals at least this wide give the detail pane and the titles more room."""
FIRST_PAINT_WAIT = 2.0
"""At most this long, start-up workers wait for the first rows to be painted (seconds)."""

EMPTY_GREETING = """\
Your reading queue is empty.

Press  i  to ingest a listing: type the path of a saved Hugging Face papers page or \
an arXiv listing (Tab completes), or paste the listing text into the dialog.

From a shell:   readq ingest ~/Downloads/papers.txt

Then triage with  r  (read),  t  (to read),  s  (star); press  ?  for every key.
"""


class ListScreen(ReadqScreen[None]):
    """The list of one view, sort and filter, its counts and the paper under the cursor."""

    def __init__(self, selection: Selection) -> None:
        super().__init__()
        self.selection = selection
        """What the list shows: the view, the filter's text, the sort and its direction (one
        value, handed as it is to the searcher and the export)."""
        self.saved: SavedView | None = None
        """The saved view shown (its query applies on top of ``view``, which is All), if any."""
        self.saved_views: list[tuple[SavedView, int]] = []
        """The saved views (tabs after the five built-in ones) with their live counts."""
        self.counts: dict[View, int] = {v: 0 for v in View}
        self.total = -1
        self._seq = 0
        self._top_seq = -1
        self.applied_seq = 0
        self._last_detail = 0.0
        self._detail_timer: Timer | None = None
        self._shown = 0
        self._list_note: str | None = None
        self._discover_note: str | None = None
        self._list_partial = False
        self._loaded = False
        self._engine_started = False
        self._tabs_shown: Text | None = None

    @property
    def view(self) -> View:
        """The view shown (keys ``1``-``5``)."""
        return self.selection.view

    @view.setter
    def view(self, view: View) -> None:
        self.selection = replace(self.selection, view=view)

    @property
    def sort(self) -> SortKey:
        """The sort (``S``)."""
        return self.selection.sort

    @sort.setter
    def sort(self, sort: SortKey) -> None:
        self.selection = replace(self.selection, sort=sort)

    @property
    def reverse(self) -> bool:
        """The sort read bottom-up (``R``)."""
        return self.selection.reverse

    @reverse.setter
    def reverse(self, reverse: bool) -> None:
        self.selection = replace(self.selection, reverse=reverse)

    @property
    def filter_text(self) -> str:
        """The filter as typed."""
        return self.selection.text

    @filter_text.setter
    def filter_text(self, text: str) -> None:
        self.selection = replace(self.selection, query=text)

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        """Tabs, filter, list + detail, footer."""
        yield Static("", id="tabs")
        yield FilterBar(return_focus="#papers", id="filter-bar")
        with Horizontal(id="body"):
            yield PaperList(self._fetch_rows, id="papers")
            yield DetailPane(id="detail")
            with Vertical(id="empty"):
                yield Static(Text(EMPTY_GREETING), id="greeting")
        yield Static("", id="sync-line")  # shown only when the library syncs (the app fills it)
        yield Footer()

    @property
    def paper_list(self) -> PaperList:
        """The list widget."""
        return self.query_one(PaperList)

    @property
    def detail(self) -> DetailPane:
        """The detail pane."""
        return self.query_one(DetailPane)

    @property
    def filter_bar(self) -> FilterBar:
        """The filter bar."""
        return self.query_one(FilterBar)

    def on_mount(self) -> None:
        """Start loading the list and the counts."""
        self.query_one("#empty").display = False
        self._apply_layout(self.app.size.width)
        self._render_tabs()
        if self.rq.searcher.engine is None:
            # load_engine() runs once the first rows are painted: until it has read the saved
            # index, the whole list and the counts wait for it instead of scanning in SQL.
            self.rq.searcher.expect_engine()
        self.request_list(first=True)
        self.load_stats()

    def on_resize(self, event: events.Resize) -> None:
        """The terminal changed size: pick the layout for the new width."""
        self._apply_layout(event.size.width)

    @property
    def layout_name(self) -> str:
        """``narrow`` (one column), ``normal`` or ``wide``: the layout for the width."""
        if self.has_class("-narrow"):
            return "narrow"
        return "wide" if self.has_class("-wide") else "normal"

    def _apply_layout(self, width: int) -> None:
        """One column below ``NARROW_BELOW`` columns, a roomier split from ``WIDE_FROM``
        (the classes select rules in readq.tcss); the header is redrawn for the width."""
        narrow = width < NARROW_BELOW
        wide = width >= WIDE_FROM
        if narrow == self.has_class("-narrow") and wide == self.has_class("-wide"):
            return
        self.set_class(narrow, "-narrow")
        self.set_class(wide, "-wide")
        footer = self.query_one(Footer)
        footer.compact = narrow
        footer.show_command_palette = not narrow  # ctrl+p still opens it; ? lists it
        footer.refresh(recompose=True)  # the palette key is composed, not styled, away
        self._render_tabs()

    # ---------------------------------------------------------------- queries
    def _fetch_rows(self, ids: Sequence[int]) -> list[Paper]:
        return self.rq.library.list_rows(ids)

    def request_list(
        self, *, first: bool = False, keep_id: int | None = None, keep_current: bool = True
    ) -> None:
        """Ask for the list of the current view, sort and filter (in a worker).

        The cursor stays on ``keep_id`` (default: the paper under the cursor) if it is listed.
        """
        follows_cursor = keep_id is None and keep_current
        if follows_cursor and self._top_seq > self.applied_seq:
            # A new filter (or view) has not been painted yet: the paper under the cursor
            # belongs to the list before it. Following it would land the cursor wherever that
            # paper ranks in the new answer (the index loading right after a filter was typed
            # showed row 664 of 3,837 instead of the best match), so this list starts on top.
            follows_cursor = keep_current = False
        if follows_cursor:
            keep_id = self.paper_list.current_id
        self._seq += 1
        if keep_id is None and not keep_current:
            self._top_seq = self._seq  # a new filter: its best match first, cursor on top
        request = ListRequest(
            self._seq,
            replace(self.selection, query=self.query_text()),
            keep_id=keep_id,
            near=self.paper_list.cursor,
            follows_cursor=follows_cursor,
        )
        if not first:
            # A list asked for before the first screen was painted (a filter typed at once)
            # cancels that screen, and waits for the saved index: it must start loading now,
            # or nothing would start it until that wait gave up (5 s).
            self._start_engine()
        self.run_list(request, first=first)

    def _start_engine(self) -> None:
        """Start loading the search index, once per screen, after the next refresh."""
        if not self._engine_started:
            self._engine_started = True
            self.call_after_refresh(self.load_engine)

    def query_text(self) -> str:
        """The query the list shows: the saved view's (grouped, so its OR stays inside) and
        the filter typed on top of it."""
        if self.saved is None:
            return self.filter_text
        return f"({self.saved.query}) {self.filter_text}".strip()

    @property
    def view_label(self) -> str:
        """The name of what is shown: a built-in view's label or the saved view's name."""
        return self.view.label if self.saved is None else self.saved.name

    @work(thread=True, exclusive=True, group="list", exit_on_error=False)
    def run_list(self, request: ListRequest, first: bool = False) -> None:
        """Compute a list in a thread on a reader connection; post it unless cancelled."""
        from readq.library.searcher import Cancelled

        worker = get_current_worker()
        try:
            result = self._compute_list(request, first, lambda: worker.is_cancelled)
        except Cancelled:
            return
        except BaseException:
            # Nothing will be painted (e.g. a damaged file): start-up work waiting for the
            # first paint or the index, the library check above all, must not wait any longer.
            self.rq.first_painted.set()
            self.rq.searcher.stop_waiting()
            raise
        if not worker.is_cancelled:
            self.post_message(ListReady(result))

    def _compute_list(
        self, request: ListRequest, first: bool, is_cancelled: Callable[[], bool]
    ) -> ListResult:
        """The body of ``run_list`` (in its thread); raises ``Cancelled`` when cancelled."""
        from readq.library.searcher import Cancelled

        searcher = self.rq.searcher
        reader = self.rq.library.reader()
        try:
            if first and not request.selection.text and searcher.engine is None:
                quick = ListResult(
                    request,
                    list_ids(reader, request.selection, FIRST_SCREEN_ROWS),
                    partial=True,
                )
                if is_cancelled():
                    raise Cancelled()
                self.post_message(ListReady(quick))
                # Fetching every id holds the GIL in long stretches: paint the first rows first.
                self.rq.first_painted.wait(timeout=FIRST_PAINT_WAIT)
            # While the index loads, a query's first screen paints before the full answer.
            page = searcher.first_page(reader, request, FIRST_SCREEN_ROWS, is_cancelled)
            if page is not None and not page.partial:
                result = page  # the first screen held every match
            else:
                if page is not None:
                    self.post_message(ListReady(page))
                result = searcher.search(reader, request, is_cancelled)
        finally:
            reader.close()
        if request.keep_id is not None and result.error is None:
            result.keep_index = find_position(result.ids, request.keep_id, request.near)
        return result

    @on(ListReady)
    def _list_ready(self, message: ListReady) -> None:
        result = message.result
        if result.request.seq != self._seq:
            return  # a newer request is on its way
        self.applied_seq = result.request.seq
        if not self.rq.first_painted.is_set():
            self.call_after_refresh(self.rq.first_painted.set)
        if result.error is not None:
            self.filter_bar.show_message(result.error, error=True)
            return
        if result.request.seq == self._top_seq:
            self.paper_list.cursor = 0
        keep_id, keep_index = result.request.keep_id, result.keep_index
        moved_to = self.paper_list.current_id
        if result.request.follows_cursor and moved_to is not None and moved_to != keep_id:
            # The user moved while this list was computed (a reload from another process
            # lands a moment later): stay on the paper they moved to if it is found cheaply,
            # else on the one asked for (the cursor never lands on an unrelated paper).
            moved_index = self._moved_position(result, moved_to)
            if moved_index is not None:
                keep_id, keep_index = moved_to, moved_index
        self.paper_list.set_ids(
            result.ids, highlight=result.highlight, keep_id=keep_id, keep_index=keep_index
        )
        self._shown = len(result.ids)
        if self.paper_list.selected and not result.partial:
            self._unselect_unlisted(result.ids)
        self._list_note = result.note
        self._list_partial = result.partial
        current = self.paper_list.current_id
        if current is not None and self.sort is SortKey.RECOMMENDED:
            self._explain(current)  # the ranking may be new: so may the reasons
        elif current is not None:
            self.detail.show_because(current, ())  # another sort: no "for you" reasons
        if self.sort is SortKey.RECOMMENDED and result.note != self._discover_note:
            # "for you" is date order until enough stars: say it once, and how many.
            self._discover_note = result.note
            if result.note:
                self.notify(result.note, timeout=5, markup=False)
        # The index loads as soon as the first screen is painted, not after the whole list:
        # a filter typed at once cancels that list, and its (slow, approximate) SQL answer
        # then delayed the load further (typo answered 1.56 s after spawn at 100k papers).
        self._start_engine()
        if not result.partial and not self._loaded:
            self._loaded = True
            gc.collect()
            gc.freeze()
        self._update_filter_message()
        self._render_tabs()
        if not result.ids:
            self._show_current()

    def _unselect_unlisted(self, ids: Sequence[int]) -> None:
        """A reload (another readq changed the library) took selected papers out of the
        view: they are unselected, with a toast, so that no mark reaches a hidden paper."""
        plist = self.paper_list
        gone = {i for i in plist.selected if find_position(ids, i, plist.cursor) is None}
        if not gone:
            return
        plist.selected -= gone
        noun = "paper" if len(gone) == 1 else "papers"
        self.notify(
            f"{len(gone)} selected {noun} left this view and were unselected "
            f"({len(plist.selected)} still selected)",
            timeout=4,
            markup=False,
        )
        self._render_tabs()

    def _moved_position(self, result: ListResult, paper_id: int) -> int | None:
        """Where ``paper_id``, which the user moved to while ``result`` was computed, is in
        it: near the cursor, else as far from the requested paper as the user moved (papers
        added above shift both alike), or None."""
        ids = result.ids
        found = find_position(ids, paper_id, self.paper_list.cursor, scan=False)
        if found is None and result.keep_index is not None:
            moved_by = self.paper_list.cursor - result.request.near
            found = find_position(ids, paper_id, result.keep_index + moved_by, scan=False)
        return found

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def load_engine(self) -> None:
        """Load the search index in the background (the saved one, else built): while the
        saved index loads, lists wait for it; while it is built, the SQL path serves."""
        reader = self.rq.library.reader()
        try:
            loaded = self.rq.searcher.load_engine(reader)
        finally:
            reader.close()
        if loaded:
            self.app.call_from_thread(self._engine_loaded)

    def _engine_loaded(self) -> None:
        gc.collect()
        gc.freeze()
        if self.filter_text or self.sort is SortKey.RECOMMENDED:  # SQL gave date order
            self.request_list()

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def load_stats(self) -> None:
        """Count the papers of each view (in a thread, once the first rows are painted)."""
        self.rq.first_painted.wait(timeout=FIRST_PAINT_WAIT)
        self.rq.searcher.wait_engine()  # a saved index about to load counts in microseconds
        stats = self.rq.searcher.counts()  # SQL counts scan the table: 1.3 s at 1M papers
        if stats is None:
            reader = self.rq.library.reader()
            try:
                stats = reader.stats()
            finally:
                reader.close()
        self.post_message(StatsReady(stats))
        self.load_view_counts()

    @work(thread=True, exclusive=True, group="views", exit_on_error=False)
    def load_view_counts(self) -> None:
        """Count the papers of each saved view (the index answers once loaded, else SQL)."""
        reader = self.rq.library.reader()
        try:
            counted = self.rq.searcher.view_counts(reader)
        finally:
            reader.close()
        self.post_message(ViewsReady(counted))

    @on(ViewsReady)
    def _views_ready(self, message: ViewsReady) -> None:
        self.saved_views = message.views
        if self.saved is not None:
            # The shown view was renamed away or removed (here or by another readq): All.
            names = {v.name.casefold(): v for v, _n in self.saved_views}
            current = names.get(self.saved.name.casefold())
            if current is None:
                self.saved = None
                self.request_list(keep_current=False)
            elif current.query != self.saved.query:
                self.saved = current
                self.request_list()
        self._render_tabs()

    @on(StatsReady)
    def _stats_ready(self, message: StatsReady) -> None:
        self._set_counts(message.stats)

    def _set_counts(self, stats: Stats) -> None:
        self.total = stats.total
        self.counts = {
            View.INBOX: stats.by_status[Status.NEW],
            View.TO_READ: stats.by_status[Status.TO_READ],
            View.STARRED: stats.starred,
            View.READ: stats.by_status[Status.READ],
            View.ALL: stats.total,
        }
        empty = stats.total == 0
        self.query_one("#empty").display = empty
        self.paper_list.display = not empty
        self.detail.display = not empty
        self._render_tabs()

    def _adjust_counts(self, before: Sequence[PaperState], after: Sequence[PaperState]) -> None:
        for state, sign in [(s, -1) for s in before] + [(s, 1) for s in after]:
            for view in (View.INBOX, View.TO_READ, View.STARRED, View.READ):
                if view.matches(state.status, state.starred):
                    self.counts[view] += sign
        self._render_tabs()

    # ------------------------------------------------------------------ header
    def _render_tabs(self) -> None:
        width = self.app.size.width
        line = self._tabs_line(compact=False)
        if line.cell_len > width:
            line = self._tabs_line(compact=True)  # the other views by number and count only
        if line == self._tabs_shown:
            return  # unchanged: repainting the header costs a keystroke time for nothing
        self._tabs_shown = line
        self.query_one("#tabs", Static).update(line, layout=False)  # always one row

    def _tabs_line(self, *, compact: bool) -> Text:
        """The header: selection, views with counts, sort and filter. Each part is added
        whole or not at all, so a narrow terminal never shows a label without its value."""
        width = self.app.size.width
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        selected = len(self.paper_list.selected)
        if selected:
            # First, so that a narrow terminal cuts the tabs or the filter, never this: marks
            # apply to the selection, so it must always be in sight.
            line.append(f" {selected} selected ", "reverse bold")
            line.append("  ")
        for number, view in enumerate(View, start=1):
            count = self.counts[view]
            active = view is self.view and self.saved is None
            shown = count if self.total >= 0 else "…"
            if compact and not active:
                label = f" {number}:{shown} "
            else:
                label = f"{'▸' if active else ' '}{number} {view.label} {shown} "
            line.append(label, "reverse bold" if active else "")
            line.append(" ")
        for index, (saved, saved_count) in enumerate(self.saved_views):
            # Saved views after the built-in ones: keys 6-9, the rest from the palette.
            key = str(6 + index) if index < 4 else "·"
            active = self.saved is not None and saved.name == self.saved.name
            counted = str(saved_count) if saved_count >= 0 else "?"
            if compact and not active:
                label = f" {key}:{counted} "
            else:
                label = f"{'▸' if active else ' '}{key} {saved.name} {counted} "
            line.append(label, "reverse bold" if active else "")
            line.append(" ")
        sort = f"  sort: {sort_header(self.sort, self.reverse)}"
        if line.cell_len + len(sort) <= width or not compact:
            line.append(sort, "italic")
        if self.filter_text:
            line.append("  filter: ", "italic")
            line.append(" ".join(self.filter_text.split())[:40], "bold")
            line.append(f" ({self._shown})", "italic")
        return line

    def filter_focused(self) -> bool:
        """Whether the filter has the focus, as of now: the screen's ``focused`` changes at
        once, the widget's ``has_focus`` only when its Focus event is handled, which a
        priority key binding running right after ``/`` (a fast typist's Enter) would not see.
        """
        return self.focused is self.filter_bar.input

    def _update_filter_message(self, *, focused: bool | None = None) -> None:
        if focused is None:
            focused = self.filter_focused()
        if focused and not self.filter_text:
            self.filter_bar.show_message(FILTER_HINT)
        elif focused:
            noun = "paper" if self._shown == 1 else "papers"
            self.filter_bar.show_message(
                f"{self._shown}{'+' if self._list_partial else ''} {noun} match in "
                f"{self.view_label}"
                + (f", {self._list_note}" if self._list_note else "")
                + ". Enter: back to the list, Esc: clear."
            )
        else:
            self.filter_bar.show_message("")

    # ------------------------------------------------------------------ detail
    @on(PaperList.CursorMoved)
    def _cursor_moved(self, message: PaperList.CursorMoved) -> None:
        # Held-down j: the list repaints at once, the detail pane (a re-layout) follows
        # when the keys pause, so moving never waits for it.
        now = time.monotonic()
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if self.filter_focused():
            # Typing a filter: the new list paints alone; the detail pane follows once the
            # typing pauses (re-rendering it with every key doubled the work of a keystroke).
            self._detail_timer = self.set_timer(DETAIL_TYPING_DEBOUNCE, self._show_current)
        elif now - self._last_detail >= DETAIL_DEBOUNCE:
            self._show_current()
        else:
            self._detail_timer = self.set_timer(DETAIL_DEBOUNCE, self._show_current)

    def _show_current(self) -> None:
        self._last_detail = time.monotonic()
        self._detail_timer = None
        paper_id = self.paper_list.current_id
        paper: Paper | None = None
        if paper_id is not None:
            paper = self.rq.get_paper(paper_id)
        self.detail.show_paper(paper)
        if paper is not None and self.sort is SortKey.RECOMMENDED:
            self._explain(paper.id)
        elif paper is not None:
            self.detail.show_because(paper.id, ())

    @work(thread=True, exclusive=True, group="explain")
    def _explain(self, paper_id: int) -> None:
        """Why the paper is where it is in "for you", for the detail pane (off the UI thread:
        it reads the paper's text and the postings of its words)."""
        engine = self.rq.searcher.engine
        if engine is None:
            return
        try:
            because = self.rq.searcher.discover(engine).explain([paper_id]).get(paper_id, ())
        except Exception:  # an explanation is optional: the list and the pane still work
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.detail.show_because, paper_id, because)

    def action_toggle_rows(self) -> None:
        """Two-line rows (whole titles and the authors) or one-line rows (more papers)."""
        plist = self.paper_list
        plist.set_row_height(1 if plist.row_height == 2 else 2)
        shown = "two lines: whole titles" if plist.row_height == 2 else "one line"
        self.notify(f"Rows: {shown} (w toggles)", timeout=1.5, markup=False)

    def action_detail_scroll(self, lines: int) -> None:
        """Scroll the detail pane while the list keeps the focus (and the cursor)."""
        self.detail.scroll_lines(lines)

    def action_detail_half_page(self, direction: int) -> None:
        """Scroll the detail pane by half its height (ctrl+d / ctrl+u, as in less and vim)."""
        self.detail.scroll_half_page(direction)

    def action_detail_note(self) -> None:
        """Bring the note to the top of the detail pane (pressed again: back to the top)."""
        self.detail.jump_to_note()

    def action_detail_fold(self) -> None:
        """Unfold a long note in the detail pane, or fold it again."""
        if not self.detail.toggle_note_fold():
            self.notify("The note is shown whole.", timeout=1.5, markup=False)

    def current_paper(self) -> Paper | None:
        """The paper under the cursor, fresh from the store."""
        paper_id = self.paper_list.current_id
        return None if paper_id is None else self.rq.get_paper(paper_id)

    # ----------------------------------------------------------------- refresh
    def reload(self) -> None:
        """The library changed (another process, or an ingest): refresh everything shown.

        The app polls the library on a timer that can fire while this screen is still being
        composed or already torn down at exit: with no list there is nothing to refresh."""
        if not self.query(PaperList):
            return
        self.paper_list.invalidate()
        self.rq.searcher.invalidate()
        self.load_stats()
        self.request_list()
        self._show_current()
