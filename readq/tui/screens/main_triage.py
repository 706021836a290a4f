"""The keys of the main screen that change papers or what is shown: the filter, views and
sort, the selection, marks and stars, undo and redo.

Writes go through the ``Library`` (one transaction each; the busy -> queued policy and the
undo history live there); this layer only shows their outcomes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress

from textual import on, work
from textual.actions import SkipAction
from textual.notifications import Notification, Notify
from textual.widgets import Input

from readq.library import StateOutcome, UndoOutcome
from readq.library.organise import Suggestion
from readq.library.outcomes import (
    ChangeOutcome,
    mark_description,
    short_title,
    star_description,
    write_failure,
)
from readq.library.undo import DismissChange, NoteChange, StateChange, TagChange, TrashChange
from readq.models import SavedView, SortKey, Status
from readq.search.selection import View, sort_label
from readq.store_values import PaperState, QueueError, UnknownPaperError, ViewError
from readq.tui.screens.main_list import ListScreen
from readq.tui.widgets.filter_bar import FilterInput

SORT_ORDER = [
    SortKey.ADDED,
    SortKey.PUBLISHED,
    SortKey.UPVOTES,
    SortKey.TITLE,
    SortKey.READ,
    SortKey.RECOMMENDED,
    SortKey.RELEVANCE,
    SortKey.QUEUE,
]
BULK_CONFIRM_OVER = 5
FEEDBACK_SECONDS = 2.5
"""How long a change's toast stays: long enough to read one line, short enough not to pile up
(each replaces the one before anyway)."""


class TriageScreen(ListScreen):
    """The list, plus the keys that filter it and change its papers."""

    _feedback_toast: Notification | None = None

    def feedback(self, text: str) -> None:
        """Say what a change did, in one brief toast that replaces the previous one: a burst
        of marks shows the last, not a wall of toasts. ``text`` comes from the library's
        outcomes (titles in it are untrusted): shown without markup."""
        app = self.app
        previous = self._feedback_toast
        if previous is not None:
            # Textual has no public call to withdraw one toast (clear_notifications drops the
            # errors too): the app's collection forgets it here.
            with suppress(KeyError):  # it already timed out
                app._unnotify(previous, refresh=False)
        toast = Notification(text, "", "information", FEEDBACK_SECONDS, markup=False)
        self._feedback_toast = toast
        # Handled now, not posted: a posted toast is added only when the app's queue reaches
        # it, after the next key of a burst (measured: two toasts stacked in tmux with
        # `t t t`), so that key could not withdraw it.
        app._on_notify(Notify(toast))

    # ------------------------------------------------------------------ filter
    def action_focus_filter(self) -> None:
        """Put the cursor in the filter, at once: keys already queued behind `/` (a fast typist,
        a paste) must reach the filter, not the list (``focus()`` is deferred)."""
        if self.filter_focused():
            raise SkipAction()  # a `/` typed in the filter is just a character
        self.set_focus(self.filter_bar.input)
        # The message line appears now, with the footer's change, not on the first typed key:
        # showing it re-arranges the screen (a layout pass that key would otherwise wait for).
        self._update_filter_message(focused=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter belongs to the filter only while it has the focus (and shows in the footer)."""
        if action == "filter_enter":
            try:
                return self.filter_focused()
            except Exception:  # not composed yet
                return False
        return True

    def action_filter_enter(self) -> None:
        """Enter in the filter: back to the list, keeping the filter."""
        if not self.filter_focused():
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
        if view is self.view and self.saved is None:
            return
        self.view = view
        self.saved = None
        # The To-read view opens in its own sort (its queue order unless the user chose
        # another there); the other views share one.
        self.sort = self.rq.settings.sort_for(view.value)
        self._clear_hidden_selection()
        self.paper_list.cursor = 0
        self.rq.settings.view = view.value
        self.rq.save_settings()
        self._render_tabs()
        self.request_list(first=True, keep_current=False)

    def action_saved_view(self, index: int) -> None:
        """Switch to the saved view on key ``6 + index``."""
        if index >= len(self.saved_views):
            self.notify(
                f"No saved view on key {6 + index}: type a filter (/), then V saves it as one.",
                timeout=3,
                markup=False,
            )
            return
        self.open_saved_view(self.saved_views[index][0])

    def open_saved_view(self, view: SavedView) -> None:
        """Show a saved view: its query over every paper, in the shared sort."""
        if self.saved is not None and self.saved.name == view.name:
            return
        self.saved = view
        self.view = View.ALL
        self.sort = self.rq.settings.sort_key
        self._clear_hidden_selection()
        self.paper_list.cursor = 0
        self._render_tabs()
        self.request_list(first=True, keep_current=False)

    def _sort_setting_is_to_read(self) -> bool:
        return self.view is View.TO_READ and self.saved is None

    def action_cycle_sort(self) -> None:
        """Next sort order."""
        index = SORT_ORDER.index(self.sort) if self.sort in SORT_ORDER else -1
        self.sort = SORT_ORDER[(index + 1) % len(SORT_ORDER)]
        if self._sort_setting_is_to_read():
            self.rq.settings.to_read_sort = self.sort.value
        else:
            self.rq.settings.sort = self.sort.value
        self.rq.save_settings()
        self._render_tabs()
        self.notify(f"Sorted by {sort_label(self.sort, self.reverse)}", timeout=1.5, markup=False)
        self.request_list()

    def action_reverse_sort(self) -> None:
        """Read the sort the other way round (remembered in the settings)."""
        self.reverse = not self.reverse
        self.rq.settings.reverse = self.reverse
        self.rq.save_settings()
        self._render_tabs()
        self.notify(f"Sorted by {sort_label(self.sort, self.reverse)}", timeout=1.5, markup=False)
        self.request_list()

    # ------------------------------------------------------------------- marks
    def _targets(self) -> list[int]:
        plist = self.paper_list
        if plist.selected:
            return list(plist.selected)
        current = plist.current_id
        return [] if current is None else [current]

    def _confirm_then(self, count: int, what: str, action: Callable[[], None]) -> None:
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
            lambda: self._apply_state(ids, mark_description(status), status=status),
        )

    def action_toggle_star(self) -> None:
        """Star (or unstar) the selection or the paper under the cursor."""
        ids = self._targets()
        if not ids:
            return
        star = self.rq.library.star_value(ids)
        what = "Star" if star else "Unstar"
        self._confirm_then(
            len(ids), what, lambda: self._apply_state(ids, star_description(star), starred=star)
        )

    def _apply_state(
        self,
        ids: list[int],
        description: str,
        *,
        status: Status | None = None,
        starred: bool | None = None,
        advance: bool = True,
    ) -> None:
        """Mark or star through the library (never blocking: a busy library queues the
        write), then show the outcome (``advance``: a mark moves the cursor on)."""
        library = self.rq.library
        if status is not None:
            outcome = library.mark(
                ids,
                status,
                description,
                queue_when_busy=True,
                on_queued_failure=self._queued_write_failed,
            )
        else:
            outcome = library.star(
                ids,
                bool(starred),
                description,
                queue_when_busy=True,
                on_queued_failure=self._queued_write_failed,
            )
        if outcome.error is not None:
            self._write_failed(description, outcome.error)
            return
        if outcome.first_in_queue:  # one notice per wait, not one per key
            self.notify(
                "The library is busy (another readq is writing): the change is shown now and "
                "saved as soon as it can be.",
                timeout=3,
                markup=False,
            )
        self.rq.searcher.note_states(list(outcome.after))
        self._adjust_counts(outcome.before, outcome.after)
        bulk = bool(self.paper_list.selected)
        self._after_change(
            outcome.ids, outcome.after, advance=advance and not bulk and status is not None
        )
        if self.sort is SortKey.RECOMMENDED:
            self.request_list()  # re-scored in the list's worker with the new label
        if bulk:
            self.paper_list.clear_selection()
        self.feedback(outcome.message())
        self._render_tabs()
        if self.saved is not None:
            self.request_list()  # the saved view's query decides who stays in it
        if self.saved_views:
            self.load_view_counts()

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
        in_filter = self.filter_focused()
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
    def _queued_write_failed(self, outcome: StateOutcome, exc: Exception) -> None:
        """A queued change could not be saved after all (the library already dropped it
        from the undo history): say so and show the truth again."""
        self._write_failed(outcome.description, exc)
        # The index was told the new state when the change was queued; its rows did not
        # change in SQLite, so a refresh would not notice: tell it the old state back.
        self.rq.searcher.note_states(list(outcome.before))
        self.rq.searcher.invalidate()
        self.load_stats()
        self.request_list()

    def action_undo(self) -> None:
        """Undo the last change."""
        self._after_undo(self.rq.library.undo(), "Undid", "Undo")

    def action_redo(self) -> None:
        """Redo the last undone change."""
        self._after_undo(self.rq.library.redo(), "Redid", "Redo")

    def _write_failed(self, what: str, exc: Exception) -> None:
        """A write the library refused (locked past the timeout, read-only, disk full): say so,
        change nothing on screen."""
        self.notify(write_failure(what, exc), severity="error", timeout=6, markup=False)

    def _after_undo(self, outcome: UndoOutcome, verb: str, what: str) -> None:
        if outcome.waiting:
            self.notify(
                "Still waiting for the library (another readq is writing); undo once it is done.",
                severity="warning",
                timeout=3,
                markup=False,
            )
            return
        if isinstance(outcome.error, UnknownPaperError):
            self.notify(outcome.message(), severity="warning", timeout=4, markup=False)
            return
        if outcome.error is not None:
            self._write_failed(what, outcome.error)
            return
        change = outcome.change
        if change is None:
            self.feedback(outcome.message())
            return
        ids = change.ids
        if isinstance(change, StateChange):
            self.rq.searcher.note_states(self.rq.library.states(ids))
        elif isinstance(change, NoteChange):
            note, _rev = self.rq.library.note(change.paper_id)
            self.rq.searcher.note_text(change.paper_id, note)
        elif isinstance(change, DismissChange):
            pass  # a label of "for you" only: the list below re-ranks
        elif isinstance(change, TrashChange):
            # Undoing a delete restores (and redoing it deletes again): after this reversal
            # the papers are in the trash exactly when the recorded change was a restore.
            self.rq.searcher.note_trashed(ids, trashed=not change.trashed)
        elif isinstance(change, TagChange):
            pass  # tags are read at query time: the list below asks again
        else:  # a rename or a queue move: the index re-reads the rows
            self.rq.searcher.invalidate()
        self.paper_list.invalidate(ids)
        self.feedback(outcome.message())
        self.load_stats()
        self.request_list(keep_id=ids[0])
        self._show_current()

    # ------------------------------------------------------- library management
    def action_delete(self) -> None:
        """Move the selection (or the paper under the cursor) to the trash; u brings it back."""
        ids = self._targets()
        if not ids:
            return
        self._confirm_then(len(ids), "Move to the trash", lambda: self._delete(ids))

    def _delete(self, ids: list[int]) -> None:
        try:
            done = self.rq.library.delete(ids)
        except Exception as exc:  # locked past the timeout, read-only, paper gone
            self._write_failed("Delete", exc)
            return
        self.rq.searcher.note_trashed(list(done.ids), trashed=True)
        self.paper_list.clear_selection()
        self._after_library_change(done, gone=set(done.ids))

    def restore_from_trash(self, ids: list[int]) -> None:
        """Bring papers back from the trash (the Trash screen's answer)."""
        try:
            done = self.rq.library.restore(ids)
        except Exception as exc:
            self._write_failed("Restore", exc)
            return
        self.rq.searcher.note_trashed(list(done.ids), trashed=False)
        self._after_library_change(done, gone=set())
        if done.ids:
            self.request_list(keep_id=done.ids[0])

    def _after_library_change(self, done: ChangeOutcome, *, gone: set[int]) -> None:
        """Drop the rows that left every view, redraw, recount, and say what was done."""
        plist = self.paper_list
        plist.invalidate(list(done.ids))
        if gone:
            plist.remove_ids(gone)
            self._shown = len(plist.ids)
        self._show_current()
        self.feedback(done.message())
        self.load_stats()
        self._render_tabs()

    def action_rename(self) -> None:
        """Ask for a new title for the paper under the cursor (derived titles need one)."""
        from readq.tui.screens.rename import RenameScreen

        paper = self.current_paper()
        if paper is None:
            return

        def chosen(title: str | None) -> None:
            if title is None:
                return
            try:
                done = self.rq.library.rename(paper.id, title)
            except ValueError as exc:
                self.notify(f"Not renamed: {exc}", severity="warning", timeout=3, markup=False)
                return
            except Exception as exc:
                self._write_failed("Rename", exc)
                return
            self.rq.searcher.invalidate()
            self._after_library_change(done, gone=set())
            self.request_list(keep_id=paper.id)

        self.app.push_screen(RenameScreen(paper.title), chosen)

    # -------------------------------------------------------------------- tags
    def action_tag_picker(self) -> None:
        """Tag the selection (or the paper under the cursor): the picker asks, the library
        writes every toggle in one transaction, one undo step."""
        from readq.library.tagpick import TagPick
        from readq.tui.screens.tag_picker import TagEdit, TagPickerScreen

        ids = self._targets()
        if not ids:
            return
        library = self.rq.library
        counts = {t.name: t.count for t in library.tag_counts()}
        pick = TagPick(counts, library.tags_of(ids), len(ids))

        def chosen(edit: TagEdit | None) -> None:
            if edit is None:
                return
            add, remove = edit
            try:
                done = library.tag(ids, add, remove)
            except Exception as exc:  # locked past the timeout, read-only, paper gone
                self._write_failed("Tag", exc)
                return
            if self.paper_list.selected:
                self.paper_list.clear_selection()
            self._after_library_change(done, gone=set())
            # Tags are read at query time: a tag: filter answers anew, nothing to re-index.
            self.request_list(keep_id=ids[0] if len(ids) == 1 else None)

        self.app.push_screen(TagPickerScreen(pick, len(ids)), chosen)

    def action_rules(self) -> None:
        """The rules screen (from the command palette): list, preview and add, remove."""
        from readq.tui.screens.rules import RulesScreen

        def closed(changed: bool | None) -> None:
            if changed:
                self.reload()  # a rule tagged papers: rows, counts and tag: filters

        self.app.push_screen(RulesScreen(), closed)

    def action_trash(self) -> None:
        """Show the trash: the deleted papers, to restore."""
        from readq.tui.screens.trash import TrashScreen

        def chosen(ids: list[int] | None) -> None:
            if ids:
                self.restore_from_trash(ids)

        self.app.push_screen(TrashScreen(self.rq.library.trash()), chosen)

    # ------------------------------------------------------------------ queue
    def action_queue_move(self, where: str) -> None:
        """Move the paper under the cursor in the to-read queue: ``up`` / ``down`` past the
        paper shown above / below it (the list must be in queue order), ``top`` / ``bottom``
        of the whole queue."""
        plist = self.paper_list
        paper_id = plist.current_id
        if paper_id is None:
            return
        anchor: int | None = None
        place = where
        if where in ("up", "down"):
            if self.sort is not SortKey.QUEUE:
                self.notify(
                    "[ and ] move papers in the queue's order: sort by queue first (S); "
                    "{ and } move to the top and bottom from any order.",
                    timeout=4,
                    markup=False,
                )
                return
            step = -1 if where == "up" else 1
            neighbour = plist.cursor + step
            if not 0 <= neighbour < len(plist.ids):
                return  # already first (or last) of what is shown
            anchor = plist.ids[neighbour]
            # Read bottom-up (R), the row above is the one after it in the queue.
            place = "before" if (where == "up") != self.reverse else "after"
        try:
            done = self.rq.library.queue_move(paper_id, place, anchor)
        except QueueError as exc:
            self.notify(f"Not moved: {exc}", severity="warning", timeout=3, markup=False)
            return
        except Exception as exc:  # locked past the timeout, read-only, paper gone
            self._write_failed("Queue move", exc)
            return
        if not done.ids:
            return
        self.rq.searcher.invalidate()
        plist.invalidate([paper_id])
        self.request_list(keep_id=paper_id)
        self.feedback(done.message())

    def suggest_queue(self, name: str) -> None:
        """Show a suggested order of the queue (clearly a suggestion), then apply it if the
        user says yes; u puts the previous order back in one step. The "for you" order ranks
        with the loaded index, in a worker."""
        from readq.queue_order import SUGGESTED_ORDERS

        order = SUGGESTED_ORDERS.get(name)
        if order is not None and order.order is None:
            engine = self.rq.searcher.engine
            if engine is None:
                self.notify(
                    "The search index is still loading: try again in a moment.",
                    timeout=3,
                    markup=False,
                )
                return
            self._rank_queue(name)
            return
        self.offer_suggestion(self.rq.library.suggest_queue(name))

    @work(thread=True, exclusive=True, group="suggest", exit_on_error=False)
    def _rank_queue(self, name: str) -> None:
        """Rank the queue off the UI thread with the loaded index, then ask."""
        try:
            suggestion = self.rq.library.suggest_queue(name, self.rq.searcher.engine)
        except Exception as exc:
            self.app.call_from_thread(self._write_failed, "Queue order", exc)
            return
        self.app.call_from_thread(self.offer_suggestion, suggestion)

    def offer_suggestion(self, suggestion: Suggestion) -> None:
        """Show a computed suggestion and apply it on a yes."""
        from readq.tui.screens.confirm import ConfirmScreen

        library = self.rq.library
        if not suggestion.ids:
            self.notify("The to-read queue is empty.", timeout=3, markup=False)
            return
        if not suggestion.changes:
            self.notify(f"The queue is already {suggestion.label}.", timeout=3, markup=False)
            return
        shown = library.papers_in_order(suggestion.ids[:5])
        lines = [f"{n}. {short_title(p.title)}" for n, p in enumerate(shown, start=1)]
        if len(suggestion.ids) > len(shown):
            lines.append("…")
        question = (
            f"Suggested order (not applied): {suggestion.label}\n"
            + "\n".join(lines)
            + f"\n\nPut the {len(suggestion.ids)} papers of the queue in this order? (u undoes)"
        )

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                done = library.apply_queue_order(suggestion)
            except Exception as exc:
                self._write_failed("Queue order", exc)
                return
            self.rq.searcher.invalidate()
            self.paper_list.invalidate()
            self.request_list()
            self.feedback(done.message())

        self.app.push_screen(ConfirmScreen(question), answered)

    # ------------------------------------------------------------------ views
    def _view_as_query(self) -> str:
        """The current view and filter as one query (what ``V`` saves), or "" when there is
        no filter (a built-in view alone is already a tab)."""
        if not self.filter_text.strip():
            return ""
        if self.saved is not None:
            return self.query_text()
        base = {
            View.INBOX: "is:new",
            View.TO_READ: "is:to-read",
            View.STARRED: "is:starred",
            View.READ: "is:read",
            View.ALL: "",
        }[self.view]
        return f"{base} {self.filter_text}".strip()

    def action_save_view(self) -> None:
        """Save the current view and filter as a saved view (asks for a name)."""
        from readq.tui.screens.save_view import SaveViewScreen

        query = self._view_as_query()
        if not query:
            self.notify(
                "Nothing to save: type a filter (/) first; V then saves the view and filter "
                "as a tab.",
                timeout=4,
                markup=False,
            )
            return
        count = len(self.saved_views)
        key = str(6 + count) if count < 4 else None

        def named(name: str | None) -> None:
            if name is None:
                return
            try:
                view = self.rq.library.add_view(name, query)
            except ValueError as exc:  # a taken or bad name, a query that does not parse
                self.notify(f"Not saved: {exc}", severity="warning", timeout=4, markup=False)
                return
            except Exception as exc:
                self._write_failed("Save view", exc)
                return
            self.saved_views = [*self.saved_views, (view, self._shown)]
            self.filter_bar.input.value = ""
            self.filter_text = ""
            self.saved = None
            self.open_saved_view(view)
            where = f"key {key}" if key else "the palette"
            self.feedback(f"Saved view {view.name!r} ({where})")
            self.load_view_counts()

        from readq.library.organise import suggest_view_name

        suggested = suggest_view_name(self.filter_text, [v.name for v, _n in self.saved_views])
        self.app.push_screen(SaveViewScreen(query, key, suggested), named)

    def remove_saved_view(self, view: SavedView) -> None:
        """Forget a saved view after a yes (its papers are untouched)."""
        from readq.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                gone = self.rq.library.remove_view(view.name)
            except ViewError as exc:
                self.notify(str(exc), severity="warning", timeout=3, markup=False)
                return
            except Exception as exc:
                self._write_failed("Remove view", exc)
                return
            self.saved_views = [(v, n) for v, n in self.saved_views if v.name != gone.name]
            if self.saved is not None and self.saved.name == gone.name:
                self.action_view(self.view.value)
            self._render_tabs()
            self.feedback(f"Removed view {gone.name!r} (its query was: {gone.query})")

        self.app.push_screen(
            ConfirmScreen(f"Remove the saved view {view.name!r} ({view.query})?"), answered
        )
