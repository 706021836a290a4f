"""Untrusted text in the TUI: shown literally, no markup actions, no escape sequences."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Markdown
from tui_helpers import build_library, make_app, settle

from readq.models import ScrapedPaper, Source
from readq.tui.screens.main import MainScreen
from readq.tui.urls import safe_url

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
        rendered = [plist.render_line(y).text for y in range(len(HOSTILE))]
        joined = "\n".join(rendered)
        assert "[bold]x[/bold]" in joined
        assert "[@click=app.quit]click me[/]" in joined
        assert "\x1b" not in joined and "\u202e" not in joined
        for y in range(len(HOSTILE)):
            await pilot.click("#papers", offset=(20, y))
            await pilot.pause()
        assert app.is_running
        # The note's links: a javascript: link is refused, never opened.
        markdown = screen.detail.query_one("#note", Markdown)
        markdown.post_message(Markdown.LinkClicked(markdown, "javascript:alert(1)"))
        await pilot.press("o")
        await settle(pilot, app)
        assert app.opened_urls == []
        screenshot = app.export_screenshot()
        assert "\x1b" not in screenshot
        assert app.is_running


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
