"""The detail pane laid out for reading (title, facts, note, abstract), the keys that scroll it
and jump to the note, and the layout chosen by the terminal's width (at start and on resize)."""

from __future__ import annotations

from pathlib import Path

from support.tui_helpers import build_library, main_of, make_app, settle, show_note

LONG_NOTE = "The *quiet* experts route **few** tokens.\n\n" + "\n\n".join(
    f"point {n}" for n in range(30)
)


async def test_the_pane_shows_title_facts_note_then_abstract(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        detail = show_note(app, store, "A *short* note").detail
        await pilot.pause()
        lines = detail.plain_text().splitlines()
        title = lines.index("Sparse Lanterns for Token Routing")
        facts = next(i for i, line in enumerate(lines) if line.startswith("#"))
        note = lines.index("Note")
        abstract = lines.index("Abstract")
        assert title < facts < note < abstract
        assert lines[note + 1] == "A short note"
        assert "A made-up abstract" in lines[abstract + 1]


async def test_emphasis_keeps_the_spaces_around_it(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        detail = show_note(app, store, "The *quiet* experts and **bold** `code` _words_ end").detail
        await pilot.pause()
        assert "The quiet experts and bold code words end" in detail.plain_text()


async def test_a_long_note_folds_and_z_unfolds_it(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        detail = show_note(app, store, LONG_NOTE).detail
        await pilot.pause()
        text = detail.plain_text()
        assert "point 29" not in text and "more lines (z: show the whole note)" in text
        assert "Abstract" in text
        await pilot.press("z")
        assert "point 29" in detail.plain_text()
        await pilot.press("z")
        assert "point 29" not in detail.plain_text()


async def test_keys_scroll_the_detail_while_the_list_keeps_the_cursor(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot, app)
        screen = show_note(app, store, LONG_NOTE)
        detail, plist = screen.detail, screen.paper_list
        await pilot.press("z")
        await pilot.pause()
        assert detail.max_scroll_y > 10
        cursor = plist.cursor
        await pilot.press("J")
        assert detail.scroll_y == 3
        await pilot.press("shift+down")
        assert detail.scroll_y == 6
        await pilot.press("K")
        assert detail.scroll_y == 3
        await pilot.press("shift+up")
        assert detail.scroll_y == 0
        half = detail.scrollable_content_region.height // 2
        await pilot.press("ctrl+d")
        assert detail.scroll_y == half
        await pilot.press("ctrl+u")
        assert detail.scroll_y == 0
        assert plist.cursor == cursor and plist.has_focus


async def test_ctrl_n_jumps_to_the_note_and_back(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    # Many authors push the note below the fold of a 24-row terminal.
    app = make_app(paths, store)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot, app)
        detail = show_note(app, store, LONG_NOTE).detail
        await pilot.press("z")
        await pilot.pause()
        assert detail.note_line is not None and detail.note_line > 0
        await pilot.press("ctrl+n")
        assert detail.scroll_y == detail.note_line
        top = detail.render_line(0).text.strip()
        assert top == "Note  (z: fold)"
        await pilot.press("ctrl+n")
        assert detail.scroll_y == 0


async def test_layout_follows_the_width_at_start_and_on_resize(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        plist, detail = screen.paper_list, screen.detail
        assert screen.layout_name == "narrow"
        # One column: the list over the detail, both the full width.
        assert plist.region.width == 80 and detail.region.width == 80
        assert detail.region.y >= plist.region.bottom
        await pilot.resize_terminal(120, 40)
        await settle(pilot, app)
        assert screen.layout_name == "normal"
        assert detail.region.x >= plist.region.right and detail.region.y == plist.region.y
        await pilot.resize_terminal(200, 50)
        await settle(pilot, app)
        assert screen.layout_name == "wide"
        assert detail.region.width > 80 and plist.region.width >= 100
        await pilot.resize_terminal(80, 24)
        await settle(pilot, app)
        assert screen.layout_name == "narrow" and plist.region.width == 80


async def test_the_narrow_header_never_shows_a_label_without_its_value(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(60, 24)) as pilot:
        await settle(pilot, app)
        header = str(main_of(app).query_one("#tabs").render()).rstrip()
        assert "Inbox 10" in header
        assert not header.endswith("sort:") and "…" not in header
        if "sort:" in header:
            assert "sort: added" in header


LONG_TITLES = [
    "Sparse Lanterns for Token Routing in Very Large Mixture of Experts Language Models "
    "Trained on Curated Web Text with Diffusion Priors and Gentle Curricula",
    "Whisper Networks for Speech: Long-Form Transcription Across Forty Languages Without "
    "Any Parallel Data or Alignment Supervision at All",
    "A Field Guide to Tokenizer Drift",
]


def _row(plist: object, row: int) -> list[str]:
    from readq.tui.widgets.paper_list import PaperList

    assert isinstance(plist, PaperList)
    rh = plist.row_height
    return [plist.render_line(y).text.rstrip() for y in range(row * rh, (row + 1) * rh)]


async def test_two_line_rows_show_a_title_whole_at_120_columns(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path, LONG_TITLES)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        plist = main_of(app).paper_list
        assert plist.row_height == 2
        short = _row(plist, 2)  # fits on one line: the authors (here the org) under it
        assert short[0].lstrip().startswith("•   A Field Guide to Tokenizer Drift")
        assert short[1].strip() == "Fictional Lab"
        first, second = _row(plist, 1)
        words = " ".join((first.split("2025")[0] + " " + second).split())
        assert "Whisper Networks for Speech: Long-Form Transcription Across" in words
        assert "…" not in first  # the first line breaks at a word, never with a cut
        # w: one-line rows (more papers on screen), w again: two lines.
        await pilot.press("w")
        assert plist.row_height == 1 and plist.virtual_size.height == 3
        assert "Whisper" in plist.render_line(1).text
        await pilot.press("w")
        assert plist.row_height == 2 and plist.virtual_size.height == 6


async def test_a_match_past_two_lines_stays_in_sight(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path, LONG_TITLES)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"alignment")
        await settle(pilot, app)
        plist = main_of(app).paper_list
        assert len(plist.ids) == 1
        first, second = _row(plist, 0)
        assert "Whisper" in first
        assert second.lstrip().startswith("… or Alignment Supervision")


async def test_two_line_rows_page_and_keep_the_cursor_in_view(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path, [f"Paper {i}" for i in range(100)])
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        plist = main_of(app).paper_list
        height = plist.scrollable_content_region.height
        await pilot.press("pagedown")
        assert plist.cursor == height // 2 - 1
        await pilot.press("G")
        assert plist.cursor == 99
        top = int(plist.scroll_y)
        assert top <= 2 * 99 and top + height > 2 * 99 + 1
        assert "Paper 99" in plist.render_line(2 * 99 - top).text


async def test_the_footer_fits_80_columns_after_a_resize(tmp_path: Path) -> None:
    from textual.widgets import Footer

    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.resize_terminal(80, 24)
        await settle(pilot, app)
        footer = main_of(app).query_one(Footer)
        keys = [w for w in footer.query("*") if type(w).__name__ == "FooterKey"]
        assert keys and all(w.region.right <= 80 for w in keys)
        assert not [w for w in keys if "palette" in str(w.render())]
        assert any("Quit" in str(w.render()) for w in keys)
