"""Helpers for the TUI tests: fictional libraries and a started app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from readq.library import Library
from readq.models import ScrapedPaper, Source
from readq.paths import Paths
from readq.store import Store
from readq.tui.app import ReadqApp

if TYPE_CHECKING:
    from readq.tui.screens.main import MainScreen


def make_papers(titles: list[str]) -> list[ScrapedPaper]:
    """Fictional papers with these titles, in page order: the first one is at the top of the
    added order (numbered from the bottom, so the first title has the most upvotes)."""
    papers = []
    for index, title in enumerate(titles):
        i = len(titles) - 1 - index
        papers.append(
            ScrapedPaper(
                title=title,
                abstract=f"A made-up abstract about {title.lower()} number {i}.",
                published=f"2025-01-{1 + i % 28:02d}",
                upvotes=i * 3,
                authors=1 + i % 5,
                org="Fictional Lab",
                urls=(f"https://example.org/p/{i}",),
            )
        )
    return papers


TITLES = [
    "Sparse Lanterns for Token Routing",
    "Diffusion Gardens for Terrain",
    "A Field Guide to Tokenizer Drift",
    "Latent Origami: Folding Diffusion Trajectories",
    "The Patient Critic",
    "Whisper Networks for Speech",
    "Mixture of Librarians",
    "Graph Lullabies",
    "Teaching Robots to Fold Laundry",
    "Small Models, Long Memories",
]


def build_library(tmp_path: Path, titles: list[str] | None = None) -> tuple[Paths, Store]:
    """A library in ``tmp_path`` with fictional papers; returns the paths and an open store."""
    paths = Paths(db=tmp_path / "data" / "readq.db", config_dir=tmp_path / "config")
    paths.db.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(paths.db)
    papers = make_papers(TITLES if titles is None else titles)
    if papers:
        store.ingest(papers, Source("fixture", "fixture", "2025-01-01T00:00:00"), "hf")
    return paths, store


def make_app(paths: Paths, store: Store) -> ReadqApp:
    """An app on ``store`` that records URLs instead of opening a browser."""
    opened: list[str] = []
    app = ReadqApp(paths, library=Library(store), url_opener=opened.append, poll_seconds=0.2)
    return app


async def settle(pilot: object, app: ReadqApp) -> None:
    """Wait until list workers are done and messages processed."""
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def main_of(app: ReadqApp) -> MainScreen:
    """The app's main screen (the bottom of the screen stack)."""
    from readq.tui.screens.main import MainScreen

    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


def show_note(app: ReadqApp, store: Store, note: str) -> MainScreen:
    """Give the paper under the cursor ``note`` and show it in the detail pane."""
    screen = main_of(app)
    paper_id = screen.paper_list.current_id
    assert paper_id is not None
    store.save_note(paper_id, note)
    screen.detail.show_paper(store.get(paper_id))
    return screen
