"""The readq TUI application: ``ReadqApp`` and ``run_app`` (what ``readq`` with no command runs).

The app owns the library (its connection used on the UI thread only; workers ask it for
readers of their own) and the settings. It polls the library's data version each second so
that a ``readq ingest`` in another terminal shows up.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import RenderableType
from textual.app import App, SystemCommand
from textual.driver import Driver
from textual.screen import Screen
from textual.theme import Theme

from readq.library import Library
from readq.library.searcher import Searcher
from readq.library.settings import Settings, read_settings, save_settings
from readq.library.undo import UndoStack
from readq.library.urls import safe_url
from readq.library.writer import BackgroundWriter
from readq.models import Paper
from readq.paths import Paths
from readq.search.selection import Selection, View
from readq.store_values import StoreError
from readq.textclean import strip_unsafe
from readq.tui.keys import MAIN_KEYS, PALETTE_ONLY

if TYPE_CHECKING:
    from textual.timer import Timer

    from readq.sync import SyncResult
    from readq.tui.terminal import ExitGuard
    from readq.tui.widgets.detail import DetailPane
    from readq.tui.widgets.paper_list import PaperList

POLL_SECONDS = 1.0
SYNC_START_SECONDS = 1.0
"""After start, the first sync waits this long (the first paint comes first)."""
SYNC_DEBOUNCE_SECONDS = 5.0
"""A change is synced once no other change came for this long."""
SYNC_PERIOD_SECONDS = 180.0
"""With a sync folder set, the other devices' changes are fetched this often."""
LAST_WRITES_SECONDS = 1.0
"""When the exit guard ends a stuck process, how long queued marks still get to be written."""


class ReadqApp(App[int]):
    """A keyboard-driven reading queue."""

    CSS_PATH = "readq.tcss"
    TITLE = "readq"

    def __init__(
        self,
        paths: Paths,
        *,
        library: Library | None = None,
        url_opener: Callable[[str], object] | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        super().__init__()
        self.paths = paths
        self.library = (
            library if library is not None else Library.open(paths.db, backup_dir=paths.backup_dir)
        )
        """The application layer: every read and write, undo/redo, queued writes and jobs."""
        self.library.bind(self._deliver_from_thread)
        self.settings: Settings
        self.settings, self.settings_problem = read_settings(paths.config_file)
        """``settings_problem``: why the settings file could not be used (None if it could);
        then the defaults are used, the user is told once, and the file is never written."""
        self.searcher = Searcher()
        self.first_painted = threading.Event()
        """Set once the first list rows are on screen: start-up work that is not needed for
        them (the full list, the view counts, the library check) waits for it, so that it
        does not compete with the first paint for the GIL and the two cores."""
        self.url_opener: Callable[[str], object] = url_opener or _open_in_browser
        self.opened_urls: list[str] = []
        self.poll_seconds = poll_seconds
        self._data_version = self.library.data_version()
        from readq.tui.drafts import NoteKeeper

        # Made on first use of "for you" or `m`, not at start.
        self.searcher.discover_models = lambda engine: self.library.discover.model(engine)
        self.notes = NoteKeeper(
            self,
            self.library.drafts(paths.data_dir),
            on_saved=lambda _id: self.searcher.invalidate(),
        )
        self.exit_guard: ExitGuard | None = None
        """Bounds the exit after a hang-up or SIGTERM/SIGHUP (set by ``run_app`` only)."""
        self.terminal_gone = threading.Event()
        self._ui_loop: asyncio.AbstractEventLoop | None = None
        self.last_sync_line: str | None = None
        """The sync line's text (None: this library does not sync)."""

    @property
    def undo(self) -> UndoStack:
        """The session's undo history (kept by the library)."""
        return self.library.undo_stack

    @property
    def writer(self) -> BackgroundWriter:
        """The queue of writes waiting for another process's lock (kept by the library)."""
        return self.library.writer

    def _deliver_from_thread(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the UI thread (from a worker thread), if the app still runs."""
        if self.is_running:
            self.call_from_thread(callback)

    # ------------------------------------------------------------------ start
    def get_default_screen(self) -> Screen[None]:
        """The main screen, on the remembered view and sort."""
        from readq.tui.screens.main import MainScreen

        settings = self.settings
        view = View(settings.view)
        return MainScreen(
            Selection(view, sort=settings.sort_for(view.value), reverse=settings.reverse)
        )

    @property
    def main_screen(self) -> Screen[object]:
        """The main screen (the bottom of the stack)."""
        return self.screen_stack[0]

    def exit(
        self,
        result: int | None = None,
        return_code: int = 0,
        message: RenderableType | None = None,
    ) -> None:
        """Leave the app; an index load or build still running stops first (Textual waits
        for its worker thread: quitting during a first build at 100k took until it ended)."""
        self.searcher.close()
        super().exit(result, return_code, message)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, on Linux and macOS one that survives its terminal going away."""
        driver = super().get_driver_class()
        from textual.drivers.linux_driver import LinuxDriver

        if driver is LinuxDriver:
            from readq.tui.terminal import HangupSafeDriver

            return HangupSafeDriver
        return driver

    def on_mount(self) -> None:
        """Apply the saved theme, watch theme changes, start polling the library."""
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.settings_problem is not None:
            self._report_settings_problem(self.settings_problem)
        self.set_interval(self.poll_seconds, self.poll_library)
        self._start_sync()
        self._ui_loop = asyncio.get_running_loop()
        self.notes.install_signal_handlers(on_signal=self._arm_exit_guard)

    def on_unmount(self) -> None:
        """The app is ending: its signal handlers go (they need its event loop)."""
        self.notes.remove_signal_handlers()

    def _arm_exit_guard(self, signum: int) -> None:
        """SIGTERM/SIGHUP (in the signal handler): the process ends within the grace."""
        if self.exit_guard is not None:
            self.exit_guard.arm(128 + signum)

    def terminal_lost(self) -> None:
        """The terminal went away (EOF/EIO/POLLHUP; called from any thread, or a signal
        handler): save and exit as on SIGHUP, within the exit guard's grace."""
        if self.terminal_gone.is_set():
            return
        self.terminal_gone.set()
        self._arm_exit_guard(signal.SIGHUP)
        loop = self._ui_loop
        if loop is None:
            return
        with suppress(RuntimeError):  # the loop is closed: the exit is already under way
            loop.call_soon_threadsafe(self.notes.handle_signal, int(signal.SIGHUP))

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self.settings.theme:
            self.settings.theme = theme.name
            self.save_settings()

    def _report_settings_problem(self, problem: str) -> None:
        """One warning (toast and log) for a settings file that could not be used."""
        from readq.errorlog import log_failure
        from readq.textclean import strip_unsafe

        line = f"Settings ignored, defaults used: {problem}. The file is left as it is."
        log_failure(self.paths.log_file, line)
        self.notify(strip_unsafe(line), severity="warning", timeout=10, markup=False)

    def save_settings(self) -> None:
        """Write the settings file (best effort); never over a file that could not be read."""
        if self.settings_problem is None:
            save_settings(self.paths.config_file, self.settings)

    # ------------------------------------------------------------------ data
    def get_paper(self, paper_id: int) -> Paper | None:
        """A paper with its sources, or None if it is gone."""
        return self.library.paper(paper_id)

    def main_list(self) -> PaperList | None:
        """The main screen's paper list (None before it is mounted)."""
        from readq.tui.screens.main import MainScreen

        main = self.main_screen
        return main.paper_list if isinstance(main, MainScreen) else None

    def reload_main(self) -> None:
        """The library changed: the main screen refreshes what it shows."""
        from readq.tui.screens.main import MainScreen

        main = self.main_screen
        if isinstance(main, MainScreen):
            main.reload()

    def poll_library(self) -> None:
        """Reload what is shown when another connection changed the library."""
        try:
            version = self.library.data_version()
        except Exception:
            return
        if version != self._data_version:
            self._data_version = version
            self.reload_main()

    # ------------------------------------------------------------------ sync
    def _start_sync(self) -> None:
        """With a sync folder set: sync soon after start, after changes (debounced) and
        every few minutes, always in a worker thread (a key never waits for it)."""
        self._sync_changes = self.library.total_changes()
        self._sync_timer: Timer | None = None
        self._sync_running = self._sync_again = False
        try:
            folder = self.library.sync_folder()
        except Exception:  # an old library opened read-only: no sync tables, no sync
            return
        if folder is None:
            return
        self.sync_line(f"sync: {folder} (first sync starting)")
        self.set_timer(SYNC_START_SECONDS, self.request_sync)
        self.set_interval(SYNC_PERIOD_SECONDS, self.request_sync)
        self.set_interval(1.0, self._watch_local_changes)

    def _watch_local_changes(self) -> None:
        """This app wrote to the library: sync once the writes pause."""
        changes = self.library.total_changes()
        if changes == self._sync_changes:
            return
        self._sync_changes = changes
        if self._sync_timer is not None:
            self._sync_timer.stop()
        self._sync_timer = self.set_timer(SYNC_DEBOUNCE_SECONDS, self.request_sync)

    def request_sync(self) -> None:
        """Sync now in a worker; one at a time (a request during a sync runs once it ends)."""
        if self._sync_running:
            self._sync_again = True
            return
        self._sync_running, self._sync_again = True, False
        self.run_worker(self._sync_in_thread, thread=True, group="sync")

    def _sync_finished(self) -> None:
        self._sync_running = False
        if self._sync_again:
            self.request_sync()

    def _sync_in_thread(self) -> None:
        try:
            result = self.library.sync_job(self.paths.backup_dir)
        except Exception as exc:  # any failure is the status line's, never a crash
            message = str(exc) or type(exc).__name__
            self._deliver_from_thread(partial(self._sync_failed, message))
            return
        self._deliver_from_thread(partial(self._sync_done, result))

    def _sync_done(self, result: SyncResult) -> None:
        from datetime import datetime

        stamp = datetime.now().strftime("%H:%M")
        line = f"synced {stamp}: received {result.received}, sent {result.sent}"
        if result.problems:
            line += f"; {len(result.problems)} unreadable entries skipped: {result.problems[0]}"
        self.sync_line(line)
        self._sync_finished()
        for title in result.conflicts:
            self.notify(
                strip_unsafe(f"Note edited on two devices, both kept: {title}"),
                severity="warning",
                timeout=10,
                markup=False,
            )
        for title in result.revived:
            self.notify(
                strip_unsafe(f"Deleted on another device but edited later, kept: {title}"),
                timeout=8,
                markup=False,
            )

    def _sync_failed(self, message: str) -> None:
        self.sync_line(f"sync problem: {message}")
        self._sync_finished()

    def sync_line(self, text: str) -> None:
        """Show ``text`` (cleaned, never markup) on the main screen's sync line."""
        from rich.text import Text
        from textual.widgets import Static

        with suppress(Exception):  # the main screen is not mounted yet / any more
            line = self.main_screen.query_one("#sync-line", Static)
            line.update(Text(strip_unsafe(text, keep_newlines=False), no_wrap=True))
            line.add_class("-on")
        self.last_sync_line = text

    # --------------------------------------------------------------- browser
    def open_in_browser(self, url: str) -> None:
        """Open a safe http(s) URL in the browser, off the UI thread; refuse anything else."""
        ok = safe_url(url)
        if ok is None:
            self.notify("Refused to open a non-http(s) link.", severity="warning", markup=False)
            return
        self.opened_urls.append(ok)
        self.run_worker(partial(self.url_opener, ok), thread=True, group="browser")
        self.notify("Opening " + ok, timeout=2, markup=False)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Route Textual's own link opening through the safety check."""
        self.open_in_browser(url)

    def on_detail_pane_link_clicked(self, event: DetailPane.LinkClicked) -> None:
        """A link in the detail pane's note: open it only if it is a plain web link."""
        event.stop()
        self.open_in_browser(event.href)

    # ---------------------------------------------------------------- palette
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands (Change theme, Quit, ...) and every readq key."""
        yield from super().get_system_commands(screen)
        from readq.tui.screens.main import MainScreen

        main = self.main_screen
        if not isinstance(main, MainScreen) or screen is not main:
            return
        for key in MAIN_KEYS:
            if key.action == "app.quit":
                continue
            # One line per command: what it does, and under it the key (not the same words
            # again, which read as every command listed twice).
            yield SystemCommand(
                key.help, f"key: {key.display}", partial(self._run_main_action, key.action)
            )
        # Saved views (names cannot hold markup: the palette reads its entries as markup) and
        # the queue's suggested orders.
        assert isinstance(main, MainScreen)
        for index, (view, _count) in enumerate(main.saved_views):
            where = f"key: {6 + index}" if index < 4 else "from the palette"
            yield SystemCommand(
                f"Saved view: {view.name}", where, partial(main.open_saved_view, view)
            )
            yield SystemCommand(
                f"Remove saved view: {view.name}",
                "asks first; the papers stay",
                partial(main.remove_saved_view, view),
            )
        from readq.queue_order import SUGGESTED_ORDERS

        for order in SUGGESTED_ORDERS.values():
            yield SystemCommand(
                f"Queue: suggested order, {order.label}",
                "a suggestion: shows it, applies it only if you say yes (u undoes)",
                partial(main.suggest_queue, order.name),
            )
        for title, text, action in PALETTE_ONLY:
            yield SystemCommand(title, text, partial(self._run_main_action, action))

    async def _run_main_action(self, action: str) -> None:
        await self.run_action(action, self.main_screen)


def _open_in_browser(url: str) -> object:
    """``webbrowser.open``, imported on first use (it costs ~17 ms at every start otherwise)."""
    import webbrowser

    return webbrowser.open(url)


def run_app(paths: Paths) -> int:
    """Run the TUI on the library at ``paths``; returns the exit code.

    A damaged library is refused at open (moved aside, see ``readq.recovery``); the full
    ``quick_check`` runs in a thread while the app starts. An unexpected exception ends the app
    with its traceback printed after the terminal is restored, and appended to the log file.
    When the terminal goes away (or on SIGTERM/SIGHUP) the process ends within a bounded time
    (``readq.tui.terminal``), its drafts and queued marks saved first.
    """
    try:
        library = Library.open_checked(paths)
    except (StoreError, OSError) as exc:
        print(f"readq: {exc}", file=sys.stderr)
        return 1
    app: ReadqApp | None = None
    try:
        app = ReadqApp(paths, library=library)
        _guard_exit(app, paths)
        # The integrity check reads the whole file (seconds at 1M papers): it starts once the
        # saved index has loaded (at most 5 s after start), not against it.
        library.start_check(partial(_stop_damaged, app), after=app.searcher.settled)
        try:
            app.run()
        except Exception as exc:  # log and report in one line, never a raw traceback
            _log_crash(paths.log_file, exc)
            _tell(f"readq: unexpected error ({exc}); details in {paths.log_file}")
            return 1
        error = app._exception
        if error is not None:  # Textual printed the traceback; keep it in the log too
            _log_crash(paths.log_file, error)
            _tell(
                f"readq: unexpected error ({type(error).__name__}: {error}); your notes were "
                f"saved; the traceback is also in {paths.log_file}"
            )
            return app.return_code or 1
        return app.return_code or 0
    finally:
        damaged = library.check_result()
        if app is not None:
            app.searcher.close()  # stops an index build still running (a child process)
            if damaged is None:
                app.notes.flush_all()  # whatever ended the app, no draft is left unwritten
                queued = app.writer.pending
                if queued and not app.writer.close(timeout=30.0):
                    _tell(
                        f"readq: {app.writer.pending} queued marks could not be saved: the "
                        "library stayed locked by another process"
                    )
            else:
                _keep_drafts(app)  # never write to a damaged file: recovery files
        library.close_connection()
        if damaged is not None:
            _tell(f"readq: {Library.report_damage(paths, damaged)}")


def _guard_exit(app: ReadqApp, paths: Paths) -> None:
    """Give ``app`` its exit guard, and watch the terminal for a hang-up (a real run only)."""
    if sys.platform == "win32":
        return
    from readq.tui.terminal import ExitGuard, HangupWatch

    app.exit_guard = ExitGuard(partial(_last_resort, app, paths))
    try:
        fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else -1
    except (OSError, ValueError):
        fd = -1
    if fd >= 0:
        HangupWatch(fd, app.terminal_lost).start()


def _last_resort(app: ReadqApp, paths: Paths) -> None:
    """On the exit guard's thread, when the orderly exit did not end the process in time
    (the UI thread may be blocked: neither it nor its connection is used here). Every unsaved
    draft goes to its recovery file (offered again at the next start), queued marks get
    ``LAST_WRITES_SECONDS`` more, and child processes are killed."""
    for session in list(app.notes.sessions.values()):
        if session.unsaved:
            session.keep_copy()
    if app.writer.pending and not app.writer.wait_idle(LAST_WRITES_SECONDS):
        _log_line(
            paths.log_file,
            f"readq: exiting after the terminal went away (or a signal): {app.writer.pending} "
            "queued marks could not be saved, the library stayed locked by another process",
        )
    processes = sys.modules.get("multiprocessing")
    if processes is not None:
        for child in processes.active_children():  # the parser of an ingest
            with suppress(Exception):
                child.kill()


def _tell(message: str) -> None:
    """One line on stderr; nothing if the terminal is gone (EIO must not become a traceback)."""
    with suppress(OSError, ValueError):
        print(message, file=sys.stderr)


def _stop_damaged(app: ReadqApp, detail: str) -> None:
    """Called from the check thread: end the app so that the library is moved aside."""
    import time

    deadline = time.monotonic() + 30.0
    while not app.is_running and time.monotonic() < deadline:
        time.sleep(0.05)  # the check can finish before the app has started
    if app.is_running:
        app.call_from_thread(partial(app.exit, None, 1))  # result None, return code 1


def _keep_drafts(app: ReadqApp) -> None:
    """Write unsaved drafts to their recovery files (the library is damaged)."""
    for session in app.notes.sessions.values():
        if session.unsaved:
            session.keep_copy()  # a failed write is skipped: the others are still tried


def _log_line(log_file: Path, line: str) -> None:
    with suppress(OSError), log_file.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _log_crash(log_file: Path, exc: BaseException) -> None:
    import traceback

    try:
        with log_file.open("a", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass


__all__ = ["ReadqApp", "run_app"]
