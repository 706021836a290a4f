"""Cases 14 and 15: untrusted text in the library reaches the screen as literal text only.

Case 14 (Pilot): titles, abstracts, notes, source and file names holding Rich/Textual markup
show literally on every screen that displays them, and clicking them runs nothing.
Case 15 (pty): escape sequences, C1 controls, BEL and bidi overrides written straight into the
library (bypassing ingest cleaning) never reach the terminal.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

from relutil import write_listing
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input

from readq.models import ScrapedPaper, Source
from readq.paths import Paths
from readq.store import Store
from readq.tui.app import ReadqApp
from readq.tui.screens.confirm import ConfirmScreen
from readq.tui.screens.help import HelpScreen
from readq.tui.screens.ingest import IngestScreen
from readq.tui.screens.main import MainScreen
from readq.tui.screens.note_editor import NoteEditorScreen
from readq.tui.screens.note_history import NoteHistoryScreen

MARKUP = [
    "[bold]x[/bold]",
    "[/]",
    "[/",
    "[/usr/bin]",
    "[link=file:///etc/passwd]x[/link]",
    "[@click=app.quit]x[/]",
]


def screen_text(app: ReadqApp) -> str:
    """What the terminal shows now, as plain text (the screenshot, without styles)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text(styles=False)


async def _settle(pilot: Pilot[int], app: ReadqApp) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def _shows(pilot: Pilot[int], app: ReadqApp, needle: str, timeout: float = 3.0) -> bool:
    """Wait until ``needle`` is on the screen (toasts and dialogs mount a moment later)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in screen_text(app):
            return True
        await pilot.pause(0.05)
    return False


def _markup_library(tmp_path: Path) -> Paths:
    """One paper per markup string: in its title, abstract, org, note; a source named so."""
    paths = Paths(db=tmp_path / "data" / "readq.db", config_dir=tmp_path / "config")
    paths.db.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(paths.db) as store:
        for i, text in enumerate(MARKUP):
            store.ingest(
                [
                    ScrapedPaper(
                        f"T{i} {text} end",
                        f"Abstract {i} says {text} and goes on long enough to be an abstract.",
                        org=f"Org {text}",
                    )
                ],
                Source(f"src {text}.txt", f"/src{i}.txt", "2026-01-01"),
                "hf",
            )
        for paper in store.list_papers():
            i = int(paper.title[1])
            store.save_note(paper.id, f"Note {i}: {MARKUP[i]} done")
    return paths


async def test_case14_markup_in_data_shows_literally_and_runs_nothing(tmp_path: Path) -> None:
    paths = _markup_library(tmp_path)
    # A listing whose file name and papers hold markup, for the ingest dialog's report.
    listing = tmp_path / "[@click=app.quit]x[bold]y.txt"
    write_listing(listing, "[bold]z[/bold]", 3)
    app = ReadqApp(paths, url_opener=lambda _url: True, poll_seconds=0.3)
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await _settle(pilot, app)
        main = app.main_screen
        assert isinstance(main, MainScreen)
        shown = screen_text(app)
        for i, text in enumerate(MARKUP):  # every title, in the list
            assert f"T{i} {text} end" in shown, (text, shown)

        # Each paper: click its row (the detail pane shows it), then its title in the pane.
        for row in range(len(MARKUP)):
            await pilot.click("#papers", offset=(30, row))
            await _settle(pilot, app)
            paper = main.detail.paper
            assert paper is not None
            i = int(paper.title[1])
            text = MARKUP[i]
            shown = screen_text(app)
            for expected in (
                f"T{i} {text} end",
                f"Abstract {i} says {text} and goes",
                f"Org {text}",
                f"src {text}.txt",
                f"Note {i}: {text} done",
            ):
                assert expected in shown, (expected, shown)
            await pilot.click("#detail", offset=(3, 0))  # on the title
            await pilot.click("#detail", offset=(12, 6))  # around the abstract's markup
            await pilot.pause()
            assert app.is_running

        # y copies the title and says so.
        await pilot.press("g", "y")
        await pilot.pause()
        current = main.detail.paper
        assert current is not None
        assert app.clipboard == current.title
        assert await _shows(pilot, app, "Copied the title"), screen_text(app)

        # A filter holding markup: the tabs and the message line show it literally.
        await pilot.press("slash")
        main.filter_bar.input.value = "[/usr/bin]"
        await _settle(pilot, app)
        assert await _shows(pilot, app, "filter: [/usr/bin]"), screen_text(app)
        await pilot.press("escape")
        await _settle(pilot, app)

        # The note editor and the note's history.
        await pilot.press("n")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, NoteEditorScreen)
        i = int(editor.paper.title[1])
        shown = screen_text(app)
        assert f"T{i} {MARKUP[i]} end" in shown and f"Note {i}: {MARKUP[i]} done" in shown
        await pilot.press("end", *" more")
        await pilot.pause(0.5)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, NoteHistoryScreen)
        shown = screen_text(app)
        assert f"Note {i}: {MARKUP[i]} done more" in shown, shown
        await pilot.press("escape", "escape")
        await _settle(pilot, app)

        # Bulk marks: the confirm dialog, then the notification.
        await pilot.press("g", *["space"] * len(MARKUP), "r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert await _shows(pilot, app, f"Mark read {len(MARKUP)} papers?"), screen_text(app)
        await pilot.press("y")
        await _settle(pilot, app)
        assert await _shows(pilot, app, f"Mark read: {len(MARKUP)} papers"), screen_text(app)

        # The help screen.
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert await _shows(pilot, app, "readq keys"), screen_text(app)
        await pilot.press("escape")

        # The ingest dialog and its report (a file name holding markup).
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, IngestScreen)
        app.screen.query_one("#path", Input).value = str(listing)
        await pilot.press("enter")
        await _settle(pilot, app)
        await pilot.pause(0.3)
        await _settle(pilot, app)
        report = f"{listing.name}: 3 papers, 3 new"
        assert await _shows(pilot, app, report), screen_text(app)
        await pilot.press("5")
        await _settle(pilot, app)
        assert await _shows(pilot, app, "[bold]z[/bold]"), screen_text(app)
        assert app.is_running
        assert app.opened_urls == []
        assert app.return_code is None
    app.store.close()
