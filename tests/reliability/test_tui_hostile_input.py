"""Issue 12 cases met through the TUI: hostile settings files, big listings, file names.

Each test drives a real ``ReadqApp`` with Pilot (fast, no pty) and checks the library and
what the app said, not only that nothing raised.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from support.tui_helpers import build_library, make_app, settle

from readq.ingest import parallel
from readq.tui.app import ReadqApp


def _messages(app: ReadqApp) -> list[str]:
    return [n.message for n in app._notifications]


HOSTILE_CONFIGS: dict[str, Callable[[Path], object]] = {
    "nested-100k": lambda p: p.write_text("[" * 100_000 + "]" * 100_000),
    "nested-30k-small": lambda p: p.write_text("[" * 30_000 + "]" * 30_000),
    "fifo": lambda p: os.mkfifo(p),
    "huge": lambda p: p.write_bytes(b" " * (8 << 20) + b"{}"),
    "binary": lambda p: p.write_bytes(bytes(range(256)) * 4),
    "directory": lambda p: p.mkdir(),
    "not-an-object": lambda p: p.write_text("[1, 2, 3]"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_CONFIGS))
async def test_a_hostile_config_file_never_stops_the_tui_starting(
    tmp_path: Path, case: str
) -> None:
    """Issue 12 item 14: readq starts on the defaults, says why once (toast and log), and
    leaves the file as it was even when a setting changes."""
    paths, store = build_library(tmp_path)
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    config = paths.config_file
    HOSTILE_CONFIGS[case](config)
    before = config.lstat()
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        assert app.settings.view == "inbox" and app.settings.sort == "added"
        warnings = [m for m in _messages(app) if "Settings ignored" in m]
        assert len(warnings) == 1, _messages(app)
        assert "config.json" in warnings[0]
        await pilot.press("S")  # a setting changes: the unreadable file is not replaced
        await settle(pilot, app)
        assert main_rows(app) > 0
    after = config.lstat()
    assert (after.st_ino, after.st_mode, after.st_size) == (
        before.st_ino,
        before.st_mode,
        before.st_size,
    )
    log = paths.log_file.read_text(encoding="utf-8")
    assert "Settings ignored" in log and "config.json" in log
    store.close()


def main_rows(app: ReadqApp) -> int:
    from support.tui_helpers import main_of

    return len(main_of(app).paper_list.ids)


def _big_listing(path: Path, *, papers: int, min_bytes: int) -> int:
    """An arXiv-style listing of fictional papers, padded to at least ``min_bytes``."""
    padding = max(0, min_bytes // papers)
    filler = ("lorem ipsum dolor " * (padding // 18 + 1))[:padding]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(papers):
            handle.write(
                f"Abstract:We study made-up problem number {i} with the fictional method "
                f"Quokka-{i} and report a gain of {i % 97} points. {filler}\n"
            )
    return path.stat().st_size


async def test_tui_ingest_of_a_listing_over_8_mib_works(tmp_path: Path) -> None:
    """Issue 12 item 19: a listing of PARALLEL_MIN_BYTES or more, ingested from the TUI's
    dialog, is parsed in the child process and stored (it failed with "bad value(s) in
    fds_to_keep": Textual's stderr capture has no file descriptor)."""
    listing = tmp_path / "big listing.txt"
    size = _big_listing(listing, papers=300, min_bytes=parallel.PARALLEL_MIN_BYTES + 4096)
    assert size >= parallel.PARALLEL_MIN_BYTES
    paths, store = build_library(tmp_path, [])
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#path").value = str(listing)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, app)
        report: list[str] = []  # toasts expire: collect them while waiting
        for _ in range(600):
            report += [
                m
                for m in _messages(app)
                if ("big listing.txt" in m or "failed" in m) and m not in report
            ]
            if report:
                break
            await pilot.pause(0.1)
        assert report and "300 papers, 300 new" in report[-1], report
    assert store.stats().total == 300
    store.close()


async def test_a_failed_tui_ingest_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 item 19: an ingest that fails unexpectedly is one toast naming the log, and
    its traceback is in readq.log (before, nothing was logged)."""
    import readq.ingest as ingest_module

    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(ingest_module, "ingest_paths", broken)
    listing = tmp_path / "small.txt"
    _big_listing(listing, papers=3, min_bytes=0)
    paths, store = build_library(tmp_path, [])
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#path").value = str(listing)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, app)
        failed = [m for m in _messages(app) if m.startswith("Ingest failed")]
        assert failed and "parser exploded" in failed[0] and "readq.log" in failed[0]
    log = paths.log_file.read_text(encoding="utf-8")
    assert "TUI ingest of" in log and "RuntimeError: parser exploded" in log
    assert "Traceback" in log
    store.close()


HOSTILE_NAME = "evil\x1b]0;PWNED\x07\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202e\x9b31m.txt"
"""A file name carrying OSC 0 (title), OSC 52 (clipboard), CSI 2J (clear), bidi, 8-bit CSI."""
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\u202e")


def _line_text(widget: object) -> str:
    """What an ``Input`` puts on the terminal for its line (value and suggestion)."""
    strip = widget.render_line(0)  # type: ignore[attr-defined]
    return "".join(segment.text for segment in strip)


async def test_path_completion_never_shows_a_file_name_raw(tmp_path: Path) -> None:
    """Issue 12 item 10: the ingest dialog's suggestion for a file named with OSC 0 / OSC 52
    / CSI 2J shows stand-ins (␛, ␇, ...), and choosing it still ingests the real file."""
    from relutil import arxiv_listing

    from readq.tui.widgets.path_input import PathInput

    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / HOSTILE_NAME).write_text(arxiv_listing("hostile", 3), encoding="utf-8")
    paths, store = build_library(tmp_path, [])
    app = make_app(paths, store)
    async with app.run_test(size=(150, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("i")
        await pilot.pause()
        path_input = app.screen.query_one("#path", PathInput)
        path_input.value = f"{folder}/"
        await pilot.press("e")  # typed: the suggestion is computed for ".../e"
        await settle(pilot, app)
        suggestion = path_input._suggestion
        assert suggestion.startswith(f"{folder}/evil")
        shown = _line_text(path_input)
        assert "evil␛]0;PWNED␇" in shown
        for bad in FORBIDDEN:
            assert bad not in suggestion and bad not in shown
        await pilot.press("tab")
        assert path_input.value == suggestion
        assert path_input.real_value == str(folder / HOSTILE_NAME)
        await pilot.press("enter")
        await settle(pilot, app)
        for _ in range(50):
            if store.stats().total:
                break
            await pilot.pause(0.1)
        assert store.stats().total == 3
        # A paste holding escapes is shown with stand-ins too.
        await pilot.press("i")
        await pilot.pause()
        path_input = app.screen.query_one("#path", PathInput)
        path_input.insert_text_at_cursor("x\x1b[2Jy")
        assert path_input.value == "x␛[2Jy"
    store.close()


async def test_export_dialog_completion_is_clean_and_writes_into_the_real_directory(
    tmp_path: Path,
) -> None:
    """Issue 12 item 10, export dialog: same completion, and the export lands in the
    directory with the real (hostile) name."""
    from readq.tui.widgets.path_input import PathInput

    target_dir = tmp_path / ("out\x1b]0;T\x07")
    target_dir.mkdir()
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(150, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("x", "c")
        await pilot.pause()
        path_input = app.screen.query_one("#path", PathInput)
        path_input.focus()
        await pilot.pause()
        path_input.value = f"{tmp_path}/"
        path_input.cursor_position = len(path_input.value)
        await pilot.press("o")
        await settle(pilot, app)
        assert path_input._suggestion == f"{tmp_path}/out␛]0;T␇/"
        for bad in FORBIDDEN:
            assert bad not in _line_text(path_input)
        await pilot.press("tab", *"list.csv", "enter")
        await settle(pilot, app)
        for _ in range(50):
            if (target_dir / "list.csv").exists():
                break
            await pilot.pause(0.1)
        assert (target_dir / "list.csv").read_text(encoding="utf-8-sig").count("\n") > 5
    store.close()
