"""Untrusted text in the TUI: shown literally, no markup actions, no escape sequences."""

from __future__ import annotations

from pathlib import Path

from support.tui_helpers import build_library, make_app, settle, show_note

from readq.library.urls import safe_url
from readq.models import ScrapedPaper, Source
from readq.tui.screens.main import MainScreen
from readq.tui.widgets.detail import DetailPane

HOSTILE = [
    "[bold]x[/bold]",
    "[/",
    "[@click=app.quit]click me[/]",
    "evil \x1b]0;pwned\x07 title \x1b[2J",
    "[link=https://evil.example]l[/link] \u202eright-to-left",
]


async def test_hostile_titles_render_literally_and_run_nothing(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path, [])
    papers = [
        ScrapedPaper(title=t, abstract=t + " abstract [/]", urls=("javascript:alert(1)",))
        for t in HOSTILE
    ]
    store.ingest(papers, Source("x", "x", "2025-01-01T00:00:00"), "hf")
    pid = store.list_papers()[0].id
    store.save_note(pid, "[@click=app.quit]x[/] [a](javascript:alert(1)) \x1b[31m<b>\n\n```\n[/")
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = app.screen_stack[0]
        assert isinstance(screen, MainScreen)
        plist = screen.paper_list
        rendered = [plist.render_line(y).text for y in range(len(HOSTILE) * plist.row_height)]
        joined = "\n".join(rendered)
        assert "[bold]x[/bold]" in joined
        assert "[@click=app.quit]click me[/]" in joined
        assert "\x1b" not in joined and "\u202e" not in joined
        for y in range(len(HOSTILE) * plist.row_height):
            await pilot.click("#papers", offset=(20, y))
            await pilot.pause()
        assert app.is_running
        # The note: markup stays literal; a click on its javascript: link opens nothing.
        detail = screen.detail
        detail.show_paper(store.get(pid))
        shown = detail.plain_text()
        assert "[@click=app.quit]x[/]" in shown and "\x1b" not in shown
        assert detail.links == []  # the Markdown parser does not even make it a link
        for y in range(6):
            await pilot.click("#detail", offset=(3, y))
        await pilot.press("o")
        await settle(pilot, app)
        assert app.opened_urls == []
        screenshot = app.export_screenshot()
        assert "\x1b" not in screenshot
        assert app.is_running


def link_position(detail: DetailPane) -> tuple[int, int]:
    """Where the first clickable link of the detail pane is drawn (offset in the widget)."""
    for y in range(detail.scrollable_content_region.height):
        x = detail.scrollable_content_region.x - detail.region.x  # border and padding
        for segment in detail.render_line(y):
            if segment.style is not None and "@click" in segment.style.meta:
                return x, y
            x += len(segment.text)
    raise AssertionError("no link drawn")


async def test_a_web_link_in_the_note_opens_on_click(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = show_note(
            app, store, "see [the code](https://example.org/code) [x](ftp://x.org/x)"
        )
        assert screen.detail.links == ["https://example.org/code", "ftp://x.org/x"]
        x, y = link_position(screen.detail)
        await pilot.click("#detail", offset=(x, y))
        await settle(pilot, app)
        assert app.opened_urls == ["https://example.org/code"]
        screen.detail.action_open_note_link(1)  # not http(s): refused
        assert app.opened_urls == ["https://example.org/code"]


def test_safe_url_rules() -> None:
    assert safe_url("https://arxiv.org/abs/1234") == "https://arxiv.org/abs/1234"
    assert safe_url("http://example.org") == "http://example.org"
    for bad in [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "-https://x.org",
        "https://x.org/\x1b[2J",
        "https:///nohost",
        "ftp://x.org",
        " https://x.org",
        "https://x.org/a b",
    ]:
        assert safe_url(bad) is None, bad


async def test_note_entities_cannot_smuggle_control_characters(tmp_path: Path) -> None:
    """The Markdown parser decodes entities (``&#x202E;``): the rendered text is cleaned too."""
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        note = "safe &#x202E;txet &#x2066;x&#x2069; &#27;[2J &#155;1m &amp; done"
        shown = show_note(app, store, note).detail.plain_text()
        for bad in ("\u202e", "\u2066", "\u2069", "\x1b", "\x9b"):
            assert bad not in shown
        assert "txet" in shown and "& done" in shown
