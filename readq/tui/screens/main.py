"""The main screen: triage (``TriageScreen``) plus the links, the note editors and the
ingest and export jobs, which run in workers through the ``Library``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.worker import get_current_worker

from readq.library import Level, export_report, ingest_report
from readq.library.outcomes import change_message, mark_description, star_description
from readq.library.searcher import ListRequest
from readq.library.urls import arxiv_search_url, citation_line, page_url, pdf_link
from readq.models import Paper, SortKey, Status
from readq.textclean import strip_unsafe
from readq.tui.keys import MAIN_KEYS
from readq.tui.messages import ExportDone, IngestDone
from readq.tui.screens.main_triage import TriageScreen
from readq.tui.widgets.paper_list import display_title

if TYPE_CHECKING:
    from readq.library.discovery import RelatedOutcome

RELATED_LIMIT = 20
"""Papers shown by `m` (more like this)."""


class MainScreen(TriageScreen):
    """Triage: one key per paper."""

    AUTO_FOCUS = "PaperList"
    # `/`, Esc and Enter are priority bindings: they run in the app's key loop, before the
    # keys typed after them are handed to a widget, so a fast typist's (or a paste's) next
    # keys land where the focus moved to (see action_focus_filter).
    BINDINGS: ClassVar[list[BindingType]] = [
        *(k.binding() for k in MAIN_KEYS),
        Binding("enter", "filter_enter", "Keep filter", key_display="⏎", priority=True),
    ]

    # ------------------------------------------------------------ paper actions
    def action_open_url(self) -> None:
        """Open the paper's own page (arXiv's abstract page when the id is known)."""
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
        paper = self.current_paper()
        if paper is not None:
            self.rq.open_in_browser(arxiv_search_url(display_title(paper)))

    def action_copy(self) -> None:
        """Copy "Title — link to the paper's page" to the clipboard."""
        paper = self.current_paper()
        if paper is None:
            return
        self.app.copy_to_clipboard(citation_line(display_title(paper), paper))
        linked = page_url(paper) is not None
        self.notify("Copied the title" + (" and link" if linked else ""), timeout=1.5, markup=False)

    # ---------------------------------------------------------------- discover
    def action_related(self) -> None:
        """Papers related to the one under the cursor, in a list of their own (computed in a
        worker: the first use reads the authors and categories of the whole library)."""
        paper = self.current_paper()
        if paper is None:
            return
        engine = self.rq.searcher.engine
        if engine is None:
            self.notify("The search index is still loading: try again in a moment.", markup=False)
            return
        self.notify("Finding related papers…", timeout=1.5, markup=False)
        self._find_related(paper.id)

    @work(thread=True, exclusive=True, group="related")
    def _find_related(self, paper_id: int) -> None:
        engine = self.rq.searcher.engine
        if engine is None:  # closed since the key was pressed: the app is ending
            return
        try:
            outcome = self.rq.library.related(paper_id, RELATED_LIMIT, engine=engine)
        except Exception as exc:  # the paper went away, the library is unreadable
            self.app.call_from_thread(
                self.notify,
                f"Related papers: {strip_unsafe(str(exc))}",
                severity="error",
                markup=False,
            )
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_related, outcome)

    def _show_related(self, outcome: RelatedOutcome) -> None:
        from readq.tui.screens.related import RelatedScreen

        self.app.push_screen(RelatedScreen(outcome.paper, outcome.related, self._triage_related))

    def _triage_related(self, paper_id: int, action: str) -> Paper | None:
        """r / t / N / s in the related list: the main list's own marks, cursor left alone."""
        if action == "star":
            star = self.rq.library.star_value([paper_id])
            self._apply_state([paper_id], star_description(star), starred=star, advance=False)
        else:
            status = Status(action)
            self._apply_state([paper_id], mark_description(status), status=status, advance=False)
        return self.rq.library.paper(paper_id)

    def action_not_interested(self) -> None:
        """Not interested in the selection or the paper under the cursor (a negative label
        for "for you"; pressed on papers all already marked: take it back), then move on.
        Never blocks: a library busy in another process gets the write queued."""
        ids = self._targets()
        if not ids:
            return
        library = self.rq.library
        undo = len(library.dismissed(ids)) == len(ids)
        try:
            done = library.dismiss(
                ids,
                not undo,
                queue_when_busy=True,
                # Delivered on this thread by the library's writer.
                on_queued_failure=lambda exc: self._write_failed("Not interested", exc),
            )
        except Exception as exc:  # read-only, disk full: said, nothing changed
            self._write_failed("Not interested", exc)
            return
        if self.paper_list.selected:
            self.paper_list.clear_selection()
            self._render_tabs()
        else:
            self.paper_list.move_to(self.paper_list.cursor + 1)
        self.feedback(done.message())
        if self.sort is SortKey.RECOMMENDED:
            self.request_list()

    def action_show_sources(self) -> None:
        """Say which files the paper came from (the pane says when and from what kind of
        page): each source in words, then its path."""
        from readq.sources import PASTED_PATH, describe

        paper = self.current_paper()
        if paper is None:
            return
        if not paper.sources:
            self.notify("No source recorded for this paper.", timeout=3, markup=False)
            return
        lines = []
        for source in paper.sources:
            where = "(pasted text, no file)" if source.path == PASTED_PATH else source.path
            lines.append(f"{describe(source)}:\n  {where}")
        text = strip_unsafe("\n".join(lines))
        self.notify(text, title="Files", timeout=10, markup=False)

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
        before, _revision = self.rq.library.note(paper.id)
        after = self.rq.notes.edit_external(paper.id, self.app.suspend)
        if after is None:
            return  # the editor failed: the notes layer said why
        self.rq.notes.close(paper.id)
        what = self.rq.library.subject([paper.id])
        if after == before:
            self.feedback(change_message("Note unchanged", what, undo_key=None))
        else:
            self.feedback(change_message("Saved the note", what))
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
                doing = "Fetching from arXiv…" if request.arxiv_refs else "Ingesting…"
                self.notify(doing, timeout=1.5, markup=False)
                self.run_ingest(request)

        self.app.push_screen(IngestScreen(), chosen)

    @work(thread=True, group="ingest", exit_on_error=False)
    def run_ingest(self, request: object) -> None:
        """Ingest on a connection of its own (the store is single-threaded)."""
        from readq.tui.screens.ingest import IngestRequest

        assert isinstance(request, IngestRequest)
        if request.arxiv_refs:
            added = self.rq.library.add_job(request.arxiv_refs)
            self.post_message(IngestDone(added.text, added.ok))
            return
        try:
            reports = self.rq.library.ingest_job(request.path, request.text)
        except Exception as exc:  # report, never crash the UI; the details go to the log
            from readq.errorlog import log_failure

            where = self.rq.paths.log_file
            logged = log_failure(where, f"TUI ingest of {request.path or '<pasted>'}", exc)
            reason = " ".join(str(exc).split()) or type(exc).__name__
            tail = f" (details in {where})" if logged else ""
            self.post_message(IngestDone(f"Ingest failed: {reason}{tail}", ok=False))
            return
        report = ingest_report(reports)
        self.post_message(IngestDone(report.text, report.ok))

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
                f"Nothing to export: {self.view_label} shows no papers"
                + (" for this filter." if self.filter_text else "."),
                severity="warning",
                markup=False,
            )
            return
        noun = "paper" if self._shown == 1 else "papers"
        what = f"the {self._shown} {noun} of {self.view_label}"
        if self.filter_text:
            what += f", filter: {' '.join(self.filter_text.split())[:40]}"

        def chosen(request: ExportRequest | None) -> None:
            if request is None:
                return
            listing = ListRequest(0, replace(self.selection, query=self.query_text()))
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
        from readq.library.searcher import Cancelled, SelectionError
        from readq.tui.screens.export import ExportRequest

        assert isinstance(request, ExportRequest)
        worker = get_current_worker()

        searcher = self.rq.searcher
        try:
            done = self.rq.library.export_job(
                lambda reader: searcher.selected_ids(reader, listing, lambda: worker.is_cancelled),
                request.format,
                request.path,
            )
        except Cancelled:
            return
        except SelectionError as exc:
            self.post_message(ExportDone(f"Export failed: {exc}", ok=False))
            return
        except Exception as exc:  # report, never crash the UI
            reason = " ".join(str(exc).split()) or type(exc).__name__
            self.post_message(ExportDone(f"Export failed: {reason}", ok=False))
            return
        report = export_report(done)
        self.post_message(
            ExportDone(
                strip_unsafe(report.text, keep_newlines=False),
                ok=report.ok,
                warning=report.level is Level.WARNING,
            )
        )

    @on(ExportDone)
    def _export_done(self, message: ExportDone) -> None:
        self.notify(
            message.summary,
            severity="information" if message.ok else "warning" if message.warning else "error",
            timeout=10 if message.warning else 5,
            markup=False,
        )
