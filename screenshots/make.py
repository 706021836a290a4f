"""Save SVG screenshots of the main views: ``python -m screenshots.make`` (``make screenshots``).

Builds a throwaway library of fictional papers (``screenshots.fictional``), opens the app
headless at a fixed size, and writes ``screenshots/*.svg``.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from readq.models import Source, Status
from readq.paths import Paths
from readq.store import Store

OUT = Path(__file__).resolve().parent
SIZE = (130, 38)

NOTE = """\
## Why it matters
Routing tokens to *quiet* experts cuts the compute per token without hurting
quality on the (fictional) benchmarks.

- [ ] compare with dense baselines
- [x] read the ablations

> Try it on the tokenizer drift setup next.
"""


def build_library(directory: Path) -> Paths:
    """A library of fictional papers with a few triaged, starred and noted."""
    from screenshots.fictional import curated_papers

    paths = Paths(db=directory / "readq.db", config_dir=directory / "config")
    with Store.open(paths.db) as store:
        store.ingest(curated_papers(), Source("fictional", "fictional", "2025-03-15"), "hf")
        ids = [p.id for p in store.list_papers()]
        store.set_status(ids[3:6], Status.READ)
        store.set_status(ids[6:9], Status.TO_READ)
        store.set_starred([ids[0], ids[4], ids[7], ids[10]], True)
        store.save_note(ids[0], NOTE)
        store.save_note(ids[10], "Skim section 3.")
        # Organise: tags (one nested), a saved view over a tag, the queue in its own order.
        store.change_tags(ids[0:12:3], ["reading-group"])
        store.change_tags(ids[1:9:2], ["project/routing"])
        store.add_view("routing", "tag:project -is:read")
    return paths


async def _settle(app: object) -> None:
    """Wait for the app's workers; one cancelled by a newer one (an exclusive list worker
    after several keys) is fine."""
    from textual.app import App
    from textual.worker import WorkerCancelled

    assert isinstance(app, App)
    for _ in range(3):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


async def shoot(paths: Paths, name: str, keys: list[str], size: tuple[int, int] = SIZE) -> Path:
    """Open the app at ``size``, press ``keys``, and save a screenshot as ``name``.svg."""
    from readq.tui.app import ReadqApp

    app = ReadqApp(paths, url_opener=lambda url: None)
    async with app.run_test(size=size) as pilot:
        await _settle(app)
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await _settle(app)
            await pilot.pause()
        await pilot.pause(0.3)
        app.clear_notifications()
        await pilot.pause()
        path = OUT / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(OUT))
    return path


async def main() -> None:
    """Write every screenshot."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["READQ_CONFIG_DIR"] = str(Path(tmp) / "config")
        paths = build_library(Path(tmp))
        shots = {
            "inbox": [],
            "filter": ["slash", *"diffusion"],
            "help": ["question_mark"],
            "note": ["3"],
            "note-screen": ["3", "n"],
            # A saved view on key 6, tags on the rows; then "for you" (S five times from
            # "added") with its reasons, and the related papers of the first one (m).
            "saved-view": ["6"],
            "for-you": ["1", "S", "S", "S", "S", "S", "g"],
            "related": ["1", "S", "S", "S", "S", "S", "g", "m"],
        }
        for name, keys in shots.items():
            print(await shoot(paths, name, keys))
        # The one-column layout of small terminals, and the roomy one of large ones.
        print(await shoot(paths, "inbox-80x24", ["1"], (80, 24)))
        print(await shoot(paths, "inbox-200x50", ["1"], (200, 50)))


if __name__ == "__main__":
    asyncio.run(main())
