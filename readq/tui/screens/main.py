"""The main screen: view tabs, the filter bar, the paper list and the detail pane.

All list contents come from worker threads (``ListRequest`` tagged with a sequence number; a
result that is not for the newest request is dropped). Writes (marks, stars, undo) go through
the app's store on the UI thread: each is one short transaction.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from readq.models import Paper, SortKey, Stats, Status
from readq.store import PaperState, Store, StoreError
from readq.textclean import strip_unsafe
from readq.tui.keys import MAIN_KEYS
from readq.tui.listing import ListRequest, ListResult, View, ordered_ids
from readq.tui.messages import ExportDone, IngestDone, ListReady, StatsReady
from readq.tui.undo import StateChange
from readq.tui.widgets.detail import DetailPane
from readq.tui.widgets.filter_bar import FilterBar, FilterInput
from readq.tui.widgets.paper_list import PaperList, find_position

if TYPE_CHECKING:
    from readq.export import ExportResult
    from readq.tui.app import ReadqApp

SORT_ORDER = [SortKey.ADDED, SortKey.PUBLISHED, SortKey.UPVOTES, SortKey.TITLE, SortKey.RELEVANCE]
FIRST_SCREEN_ROWS = 200
BULK_CONFIRM_OVER = 5
DETAIL_DEBOUNCE = 0.06
DETAIL_TYPING_DEBOUNCE = 0.15
"""While the filter has the focus, the detail pane shows the top match this long after the
last keystroke's list (seconds)."""
FILTER_HINT = 'Words (typos OK), org:NAME, year:>=2024, "a phrase", -word. Enter: keep, Esc: clear.'
FIRST_PAINT_WAIT = 2.0
"""At most this long, start-up workers wait for the first rows to be painted (seconds)."""

EMPTY_GREETING = """\
Your reading queue is empty.

Press  i  to ingest a listing: type the path of a saved Hugging Face papers page or
an arXiv listing (Tab completes), or paste the listing text into the dialog.

From a shell:   readq ingest ~/Downloads/papers.txt

Then triage with  r  (read),  t  (to read),  s  (star); press  ?  for every key.
"""


def export_summary(done: ExportResult) -> ExportDone:
    """The toast after an export: what was written where, or that nothing was, and the vault
    files left alone because the user edited readq's part of them."""
    if done.papers == 0 and not done.kept:
        return ExportDone(
            "Nothing exported: no papers to export, nothing written.", ok=False, warning=True
        )
    noun = "paper" if done.papers == 1 else "papers"
    target = os.path.abspath(done.target)
    text = f"Exported {done.papers} {noun} to {target}"
    if done.removed:
        text += f"; removed {len(done.removed)} old file(s) of renamed papers"
    if done.copies:
        text += (
            f". Left alone {len(done.copies)} copied file(s) with the same readq_id that hold "
            "your text: " + ", ".join(done.copies[:5]) + (", …" if len(done.copies) > 5 else "")
        )
    if not done.kept:
        return ExportDone(strip_unsafe(text, keep_newlines=False), ok=True)
    names = ", ".join(done.kept[:5]) + (", …" if len(done.kept) > 5 else "")
    text += (
        f". {len(done.kept)} file(s) not updated because you changed readq's part of them "
        f"(between the readq:begin and readq:end lines): {names}"
    )
    return ExportDone(strip_unsafe(text, keep_newlines=False), ok=False, warning=True)


class MainScreen(Screen[None]):
    """Triage: one key per paper."""

    AUTO_FOCUS = "PaperList"
    # `/`, Esc and Enter are priority bindings: they run in the app's key loop, before the
    # keys typed after them are handed to a widget, so a fast typist's (or a paste's) next
    # keys land where the focus moved to (see action_focus_filter).
    BINDINGS: ClassVar[list[BindingType]] = [
        *(k.binding() for k in MAIN_KEYS),
        Binding("enter", "filter_enter", "Keep filter", key_display="⏎", priority=True),
    ]

    def __init__(self, view: View, sort: SortKey) -> None:
        super().__init__()
        self.view = view
        self.sort = sort
        self.filter_text = ""
        self.counts: dict[View, int] = {v: 0 for v in View}
        self.total = -1
        self._seq = 0
        self._top_seq = -1
        self.applied_seq = 0
        self._last_detail = 0.0
        self._detail_timer: Timer | None = None
        self._shown = 0
        self._list_note: str | None = None
        self._list_partial = False
        self._loaded = False
        self._engine_started = False

    @property
    def rq(self) -> ReadqApp:
        """The app, typed."""
        from readq.tui.app import ReadqApp

        app = self.app
        assert isinstance(app, ReadqApp)
        return app

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        """Tabs, filter, list + detail, footer."""
        yield Static("", id="tabs")
        yield FilterBar(id="filter-bar")
        with Horizontal(id="body"):
            yield PaperList(self._fetch_rows, id="papers")
            yield DetailPane(id="detail")
            with Vertical(id="empty"):
                yield Static(Text(EMPTY_GREETING), id="greeting")
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
        self._render_tabs()
        self.request_list(first=True)
        self.load_stats()

    # ---------------------------------------------------------------- queries
    def _fetch_rows(self, ids: Sequence[int]) -> list[Paper]:
        return self.rq.store.get_many(ids, with_sources=False)

    def request_list(
        self, *, first: bool = False, keep_id: int | None = None, keep_current: bool = True
    ) -> None:
        """Ask for the list of the current view, sort and filter (in a worker).

        The cursor stays on ``keep_id`` (default: the paper under the cursor) if it is listed.
        """
        follows_cursor = keep_id is None and keep_current
        if follows_cursor:
            keep_id = self.paper_list.current_id
        self._seq += 1
        if keep_id is None and not keep_current:
            self._top_seq = self._seq  # a new filter: its best match first, cursor on top
        request = ListRequest(
            self._seq,
            self.view,
            self.sort,
            self.filter_text,
            keep_id=keep_id,
            near=self.paper_list.cursor,
            follows_cursor=follows_cursor,
        )
        self.run_list(request, first=first)

    @work(thread=True, exclusive=True, group="list", exit_on_error=False)
    def run_list(self, request: ListRequest, first: bool = False) -> None:
        """Compute a list in a thread on a reader connection; post it unless cancelled."""
        from readq.tui.searcher import Cancelled

        worker = get_current_worker()
        try:
            result = self._compute_list(request, first, lambda: worker.is_cancelled)
        except Cancelled:
            return
        except BaseException:
            # Nothing will be painted (e.g. a damaged file): start-up work waiting for the
            # first paint, the library check above all, must not wait any longer.
            self.rq.first_painted.set()
            raise
        if not worker.is_cancelled:
            self.post_message(ListReady(result))

    def _compute_list(
        self, request: ListRequest, first: bool, is_cancelled: Callable[[], bool]
    ) -> ListResult:
        """The body of ``run_list`` (in its thread); raises ``Cancelled`` when cancelled."""
        from readq.tui.searcher import Cancelled

        searcher = self.rq.searcher
        reader = self.rq.store.open_reader()
        try:
            if first and not request.text and searcher.engine is None:
                quick = ListResult(
                    request,
                    ordered_ids(reader, request.view, request.sort, FIRST_SCREEN_ROWS),
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
        if not self._engine_started:
            # The index loads as soon as the first screen is painted, not after the whole list:
            # a filter typed at once cancels that list, and its (slow, approximate) SQL answer
            # then delayed the load further (typo answered 1.56 s after spawn at 100k papers).
            self._engine_started = True
            self.call_after_refresh(self.load_engine)
        if not result.partial and not self._loaded:
            self._loaded = True
            gc.collect()
            gc.freeze()
        self._update_filter_message()
        self._render_tabs()
        if not result.ids:
            self._show_current()

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
        """Build the search index in the background; the SQL path serves until it is ready."""
        reader = self.rq.store.open_reader()
        try:
            loaded = self.rq.searcher.load_engine(reader)
        finally:
            reader.close()
        if loaded:
            self.app.call_from_thread(self._engine_loaded)

    def _engine_loaded(self) -> None:
        gc.collect()
        gc.freeze()
        if self.filter_text:
            self.request_list()

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def load_stats(self) -> None:
        """Count the papers of each view (in a thread, once the first rows are painted)."""
        self.rq.first_painted.wait(timeout=FIRST_PAINT_WAIT)
        stats = self.rq.searcher.counts()  # SQL counts scan the table: 1.3 s at 1M papers
        if stats is None:
            reader = self.rq.store.open_reader()
            try:
                stats = reader.stats()
            finally:
                reader.close()
        self.post_message(StatsReady(stats))

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
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        selected = len(self.paper_list.selected)
        if selected:
            # First, so that a narrow terminal cuts the tabs or the filter, never this: marks
            # apply to the selection, so it must always be in sight.
            line.append(f" {selected} selected ", "reverse bold")
            line.append("  ")
        for number, view in enumerate(View, start=1):
            count = self.counts[view]
            active = view is self.view
            shown = count if self.total >= 0 else "…"
            label = f"{'▸' if active else ' '}{number} {view.label} {shown} "
            line.append(label, "reverse bold" if active else "")
            line.append(" ")
        line.append(f"  sort: {self.sort.value}", "italic")
        if self.filter_text:
            line.append("  filter: ", "italic")
            line.append(" ".join(self.filter_text.split())[:40], "bold")
            line.append(f" ({self._shown})", "italic")
        self.query_one("#tabs", Static).update(line, layout=False)  # always one row

    def _update_filter_message(self, *, focused: bool | None = None) -> None:
        if focused is None:
            focused = self.filter_bar.input.has_focus
        if focused and not self.filter_text:
            self.filter_bar.show_message(FILTER_HINT)
        elif focused:
            noun = "paper" if self._shown == 1 else "papers"
            self.filter_bar.show_message(
                f"{self._shown}{'+' if self._list_partial else ''} {noun} match in "
                f"{self.view.label}"
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
        if self.filter_bar.input.has_focus:
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

    def current_paper(self) -> Paper | None:
        """The paper under the cursor, fresh from the store."""
        paper_id = self.paper_list.current_id
        return None if paper_id is None else self.rq.get_paper(paper_id)

    # ------------------------------------------------------------------ filter
    def action_focus_filter(self) -> None:
        """Put the cursor in the filter, at once: keys already queued behind `/` (a fast typist,
        a paste) must reach the filter, not the list (``focus()`` is deferred)."""
        if self.filter_bar.input.has_focus:
            raise SkipAction()  # a `/` typed in the filter is just a character
        self.set_focus(self.filter_bar.input)
        # The message line appears now, with the footer's change, not on the first typed key:
        # showing it re-arranges the screen (a layout pass that key would otherwise wait for).
        self._update_filter_message(focused=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter belongs to the filter only while it has the focus (and shows in the footer)."""
        if action == "filter_enter":
            try:
                return self.filter_bar.input.has_focus
            except Exception:  # not composed yet
                return False
        return True

    def action_filter_enter(self) -> None:
        """Enter in the filter: back to the list, keeping the filter."""
        if not self.filter_bar.input.has_focus:
            raise SkipAction()
        self.filter_bar.show_message("")
        self.set_focus(self.paper_list)

    def _clear_hidden_selection(self) -> None:
        """The filter or the view changed: what was selected may no longer be shown, and a
        mark must only apply to what the user can see. So the selection goes, and a toast
        says so (pressing a key on a paper never changes papers out of view)."""
        count = len(self.paper_list.selected)
        if not count:
            return
        self.paper_list.clear_selection()
        noun = "paper" if count == 1 else "papers"
        self.notify(f"Selection cleared ({count} {noun})", timeout=3, markup=False)
        self._render_tabs()

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

    @on(Input.Changed, "#filter-input")
    def _filter_changed(self, event: Input.Changed) -> None:
        text = event.value
        if text == self.filter_text:
            return
        self._clear_hidden_selection()
        self.filter_text = text
        if not text:
            self._update_filter_message()
        self.request_list(keep_current=False)

    @on(Input.Submitted, "#filter-input")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.filter_bar.show_message("")
        self.paper_list.focus()

    @on(FilterInput.Leave)
    def _filter_leave(self, event: FilterInput.Leave) -> None:
        if event.clear and self.filter_text:
            self._clear_hidden_selection()
            self.filter_text = ""
            self.request_list()
        self.filter_bar.show_message("")
        # Focus already moved to the list when the key was pressed (FilterInput._focus_list).
        # Moving it again here would steal it back if `/` was pressed since: keys typed fast
        # after Esc, `/` were lost.

    # ------------------------------------------------------------------- views
    def action_view(self, name: str) -> None:
        """Switch to a view (``inbox``, ``to-read``, ``starred``, ``read``, ``all``)."""
        view = View(name)
        if view is self.view:
            return
        self.view = view
        self._clear_hidden_selection()
        self.paper_list.cursor = 0
        self.rq.settings.view = view.value
        self.rq.save_settings()
        self._render_tabs()
        self.request_list(first=True, keep_current=False)

    def action_cycle_sort(self) -> None:
        """Next sort order."""
        index = SORT_ORDER.index(self.sort) if self.sort in SORT_ORDER else -1
        self.sort = SORT_ORDER[(index + 1) % len(SORT_ORDER)]
        self.rq.settings.sort = self.sort.value
        self.rq.save_settings()
        self._render_tabs()
        self.notify(f"Sorted by {self.sort.value}", timeout=1.5, markup=False)
        self.request_list()

    # ------------------------------------------------------------------- marks
    def _targets(self) -> list[int]:
        plist = self.paper_list
        if plist.selected:
            return list(plist.selected)
        current = plist.current_id
        return [] if current is None else [current]

    def _confirm_then(self, count: int, what: str, do: object) -> None:
        assert callable(do)
        action: Callable[[], None] = do
        if count <= BULK_CONFIRM_OVER:
            action()
            return
        from readq.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                action()

        self.app.push_screen(ConfirmScreen(f"{what} {count} papers?"), answered)

    def action_mark(self, status_name: str) -> None:
        """Mark the selection (or the paper under the cursor) and move on."""
        status = Status(status_name)
        ids = self._targets()
        if not ids:
            return
        label = {Status.READ: "Mark read", Status.TO_READ: "Mark to read", Status.NEW: "Mark new"}
        self._confirm_then(
            len(ids),
            label[status],
            lambda: self._apply_state(ids, f"{label[status]}", status=status),
        )

    def action_toggle_star(self) -> None:
        """Star (or unstar) the selection or the paper under the cursor."""
        ids = self._targets()
        if not ids:
            return
        states = self.rq.store.states(ids)
        star = not all(s.starred for s in states)
        what = "Star" if star else "Unstar"
        self._confirm_then(len(ids), what, lambda: self._apply_state(ids, what, starred=star))

    def _apply_state(
        self,
        ids: list[int],
        description: str,
        *,
        status: Status | None = None,
        starred: bool | None = None,
    ) -> None:
        from readq.dberrors import is_busy
        from readq.tui.writer import FAST_BUSY_TIMEOUT_MS

        store = self.rq.store

        def write(target: Store) -> list[PaperState]:
            if status is not None:
                return target.set_status(ids, status)
            return target.set_starred(ids, bool(starred))

        queued = False
        try:
            with store.busy_timeout(FAST_BUSY_TIMEOUT_MS):
                before = write(store)
        except (sqlite3.Error, StoreError) as exc:
            if not is_busy(exc):
                self._write_failed(description, exc)
                return
            # Another process holds the write lock (a long ingest): show the change now and
            # let the background writer save it when the lock is free. Never block the UI.
            before = store.states(ids)
            queued = True
        change = StateChange(description, tuple(before))
        self.rq.undo.record(change)
        if queued:
            first_in_queue = self.rq.writer.pending == 0
            self.rq.writer.submit(write, partial(self._queued_write_failed, change))
        if queued and first_in_queue:  # one notice per wait, not one per key
            self.notify(
                "The library is busy (another readq is writing): the change is shown now and "
                "saved as soon as it can be.",
                timeout=3,
                markup=False,
            )
        after = [
            PaperState(
                b.id,
                status if status is not None else b.status,
                b.starred if starred is None else starred,
            )
            for b in before
        ]
        self.rq.searcher.note_states(after)
        self._adjust_counts(before, after)
        bulk = bool(self.paper_list.selected)
        self._after_change(ids, after, advance=not bulk and status is not None)
        if bulk:
            self.paper_list.clear_selection()
            self.notify(f"{description}: {len(ids)} papers (u undoes)", timeout=2, markup=False)
        self._render_tabs()

    def _after_change(
        self, ids: Sequence[int], after: Sequence[PaperState], *, advance: bool
    ) -> None:
        """Redraw changed rows; drop those that left the view; move to the next paper."""
        plist = self.paper_list
        plist.invalidate(ids)
        gone = {s.id for s in after if not self.view.matches(s.status, s.starred)}
        current = plist.current_id
        if gone:
            plist.remove_ids(gone)
            self._shown = len(plist.ids)
        if advance and current is not None and current not in gone:
            plist.move_to(plist.cursor + 1)
        self._show_current()

    def action_toggle_select(self) -> None:
        """Select or unselect the paper under the cursor, then move down."""
        self.paper_list.toggle_selected()
        self.paper_list.move_to(self.paper_list.cursor + 1)
        self._render_tabs()

    def action_clear_selection(self) -> None:
        """Unselect everything."""
        self.paper_list.clear_selection()
        self._render_tabs()

    def action_escape(self) -> None:
        """Esc: in the filter, clear it and go back to the list; in the list, clear the
        selection if there is one, else the filter."""
        in_filter = self.filter_bar.input.has_focus
        if in_filter:
            self.set_focus(self.paper_list)
        if self.paper_list.selected and not in_filter:
            self.action_clear_selection()
        elif self.filter_text or self.filter_bar.input.value:
            self._clear_hidden_selection()
            self.filter_bar.input.value = ""
            self.filter_text = ""
            self.filter_bar.show_message("")
            self.request_list()
        elif not in_filter:
            raise SkipAction()

    # ------------------------------------------------------------- undo / redo
    def _queued_write_failed(self, change: StateChange, exc: Exception) -> None:
        """A queued change could not be saved after all: say so and show the truth again."""
        self._write_failed(change.description, exc)
        self.rq.undo.discard(change)
        # The index was told the new state when the change was queued; its rows did not
        # change in SQLite, so a refresh would not notice: tell it the old state back.
        self.rq.searcher.note_states(list(change.states))
        self.rq.searcher.invalidate()
        self.load_stats()
        self.request_list()

    def _writes_settled(self) -> bool:
        """Undo and redo run after queued writes; if those still wait, say so."""
        if self.rq.writer.wait_idle(0.3):
            return True
        self.notify(
            "Still waiting for the library (another readq is writing); undo once it is done.",
            severity="warning",
            timeout=3,
            markup=False,
        )
        return False

    def action_undo(self) -> None:
        """Undo the last change."""
        if not self._writes_settled():
            return
        try:
            change = self.rq.undo.undo(self.rq.store)
        except (sqlite3.Error, StoreError) as exc:
            self._write_failed("Undo", exc)
            return
        self._after_undo(change, "Undid", "undo")

    def action_redo(self) -> None:
        """Redo the last undone change."""
        if not self._writes_settled():
            return
        try:
            change = self.rq.undo.redo(self.rq.store)
        except (sqlite3.Error, StoreError) as exc:
            self._write_failed("Redo", exc)
            return
        self._after_undo(change, "Redid", "redo")

    def _write_failed(self, what: str, exc: Exception) -> None:
        """A write the library refused (locked past the timeout, read-only, disk full): say so,
        change nothing on screen."""
        from readq.dberrors import describe_sqlite_error

        reason = describe_sqlite_error(exc) if isinstance(exc, sqlite3.Error) else str(exc)
        self.notify(
            f"{what}: not saved, the library could not be written ({reason}). Try again.",
            severity="error",
            timeout=6,
            markup=False,
        )

    def _after_undo(self, change: object, verb: str, noun: str) -> None:
        from readq.tui.undo import NoteChange

        if change is None:
            self.notify(f"Nothing to {noun}.", timeout=1.5, markup=False)
            return
        assert isinstance(change, StateChange | NoteChange)
        ids = change.ids
        if isinstance(change, StateChange):
            self.rq.searcher.note_states(self.rq.store.states(ids))
        else:
            note, _rev = self.rq.store.note_state(change.paper_id)
            self.rq.searcher.note_text(change.paper_id, note)
        self.paper_list.invalidate(ids)
        self.notify(f"{verb}: {change.description}", timeout=1.5, markup=False)
        self.load_stats()
        self.request_list(keep_id=ids[0])
        self._show_current()

    # ------------------------------------------------------------ paper actions
    def action_open_url(self) -> None:
        """Open the paper's own page (arXiv's abstract page when the id is known)."""
        from readq.tui.urls import page_url

        paper = self.current_paper()
        if paper is None:
            return
        url = page_url(paper)
        if url is None:
            self.notify("This paper has no http(s) link.", severity="warning", markup=False)
            return
        self.rq.open_in_browser(url)

    def action_open_pdf(self) -> None:
        """Open the paper's PDF (arXiv's when the id is known)."""
        from readq.tui.urls import pdf_link

        paper = self.current_paper()
        if paper is None:
            return
        url = pdf_link(paper)
        if url is None:
            self.notify("No PDF known for this paper.", severity="warning", markup=False)
            return
        self.rq.open_in_browser(url)

    def action_open_arxiv(self) -> None:
        """Search arXiv for the paper's title."""
        from readq.tui.urls import arxiv_search_url
        from readq.tui.widgets.paper_list import display_title

        paper = self.current_paper()
        if paper is not None:
            self.rq.open_in_browser(arxiv_search_url(display_title(paper)))

    def action_copy(self) -> None:
        """Copy "Title — link to the paper's page" to the clipboard."""
        from readq.tui.urls import citation_line, page_url
        from readq.tui.widgets.paper_list import display_title

        paper = self.current_paper()
        if paper is None:
            return
        self.app.copy_to_clipboard(citation_line(display_title(paper), paper))
        linked = page_url(paper) is not None
        self.notify("Copied the title" + (" and link" if linked else ""), timeout=1.5, markup=False)

    def action_open_note(self) -> None:
        """Edit the note of the paper under the cursor, beside its abstract (autosaved)."""
        from readq.tui.screens.note_editor import NoteEditorScreen

        paper = self.current_paper()
        if paper is None:
            return
        self.app.push_screen(NoteEditorScreen(paper))

    def action_edit_note(self) -> None:
        """Edit the note of the paper under the cursor in $VISUAL / $EDITOR (app suspended)."""
        paper = self.current_paper()
        if paper is None:
            return
        if self.rq.notes.edit_external(paper.id, self.app.suspend) is not None:
            self.rq.notes.close(paper.id)
            self.reload()

    def action_help(self) -> None:
        """Show every key."""
        from readq.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    # ------------------------------------------------------------------ ingest
    def action_ingest(self) -> None:
        """Ask for a listing file or pasted text, then ingest it in a worker."""
        from readq.tui.screens.ingest import IngestRequest, IngestScreen

        def chosen(request: IngestRequest | None) -> None:
            if request is not None:
                self.notify("Ingesting…", timeout=1.5, markup=False)
                self.run_ingest(request)

        self.app.push_screen(IngestScreen(), chosen)

    @work(thread=True, group="ingest", exit_on_error=False)
    def run_ingest(self, request: object) -> None:
        """Ingest on a connection of its own (the store is single-threaded)."""
        from readq.ingest import ingest_paths, ingest_text
        from readq.store import Store
        from readq.tui.screens.ingest import IngestRequest

        assert isinstance(request, IngestRequest)
        try:
            with Store.open(self.rq.store.path, migrate=False) as writer:
                if request.path is not None:
                    reports = ingest_paths(writer, [request.path])
                else:
                    reports = [ingest_text(writer, request.text or "")]
        except Exception as exc:  # report, never crash the UI; the details go to the log
            from readq.errorlog import log_failure

            where = self.rq.paths.log_file
            logged = log_failure(where, f"TUI ingest of {request.path or '<pasted>'}", exc)
            reason = " ".join(str(exc).split()) or type(exc).__name__
            tail = f" (details in {where})" if logged else ""
            self.post_message(IngestDone(f"Ingest failed: {reason}{tail}", ok=False))
            return
        lines: list[str] = []
        ok = True
        for report in reports:
            if report.result is not None:
                r = report.result
                lines.append(f"{report.name}: {r.papers} papers, {r.new} new, {r.merged} merged")
            else:
                ok = False
                lines.append(report.error or f"{report.name}: failed")
            lines.extend(report.warnings[:3])
        self.post_message(IngestDone("\n".join(lines), ok))

    @on(IngestDone)
    def _ingest_done(self, message: IngestDone) -> None:
        self.notify(
            strip_unsafe(message.summary),
            severity="information" if message.ok else "error",
            markup=False,
        )
        self.reload()

    # ------------------------------------------------------------------ export
    def action_export(self) -> None:
        """Ask for a format and a path, then export the view and filter in a worker."""
        from readq.tui.screens.export import ExportRequest, ExportScreen

        if self._shown == 0:
            self.notify(
                f"Nothing to export: {self.view.label} shows no papers"
                + (" for this filter." if self.filter_text else "."),
                severity="warning",
                markup=False,
            )
            return
        noun = "paper" if self._shown == 1 else "papers"
        what = f"the {self._shown} {noun} of {self.view.label}"
        if self.filter_text:
            what += f", filter: {' '.join(self.filter_text.split())[:40]}"

        def chosen(request: ExportRequest | None) -> None:
            if request is None:
                return
            listing = ListRequest(0, self.view, self.sort, self.filter_text)
            self.notify("Exporting…", timeout=1.5, markup=False)
            self.run_export(request, listing)

        self.app.push_screen(ExportScreen(what), chosen)

    @work(thread=True, group="export", exit_on_error=False)
    def run_export(self, request: object, listing: ListRequest) -> None:
        """Export on a reader connection of its own (sqlite connections are per thread).

        The ids are those of ``listing`` (the view, sort and filter shown), computed afresh
        here and materialised off the UI thread. The shown list's own lazy sequence is not
        iterated here: the UI thread may be filling it at the same time.
        """
        from readq.export import export_papers
        from readq.tui.screens.export import ExportRequest
        from readq.tui.searcher import Cancelled

        assert isinstance(request, ExportRequest)
        worker = get_current_worker()
        try:
            reader = self.rq.store.open_reader()
            try:
                result = self.rq.searcher.search(reader, listing, lambda: worker.is_cancelled)
                if result.error is not None:
                    self.post_message(ExportDone(f"Export failed: {result.error}", ok=False))
                    return
                ids = list(result.ids)
                done = export_papers(reader, ids, request.format, request.path)
            finally:
                reader.close()
        except Cancelled:
            return
        except Exception as exc:  # report, never crash the UI
            reason = " ".join(str(exc).split()) or type(exc).__name__
            self.post_message(ExportDone(f"Export failed: {reason}", ok=False))
            return
        self.post_message(export_summary(done))

    @on(ExportDone)
    def _export_done(self, message: ExportDone) -> None:
        self.notify(
            message.summary,
            severity="information" if message.ok else "warning" if message.warning else "error",
            timeout=10 if message.warning else 5,
            markup=False,
        )

    # ----------------------------------------------------------------- refresh
    def reload(self) -> None:
        """The library changed (another process, or an ingest): refresh everything shown."""
        self.paper_list.invalidate()
        self.rq.searcher.invalidate()
        self.load_stats()
        self.request_list()
        self._show_current()
