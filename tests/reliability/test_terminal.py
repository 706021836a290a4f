"""Case 16: only http(s) URLs with a host are opened, and opening never blocks the UI."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from readq.library import Library
from readq.library.urls import first_safe_url, safe_url
from readq.models import ScrapedPaper, Source
from readq.paths import Paths
from readq.store import Store
from readq.tui.app import ReadqApp


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "-http://example.org",
        "--new-window=http://x",
        "http://exa\x07mple.org",
        "https://example.org/\x1b]52;c;x\x07",
        "http://example.org/\u202egnp.exe",
        "https://",
        "http:///path-only",
        " https://example.org",
        "data:text/html,hi",
        "",
    ],
)
def test_case16_unsafe_urls_refused(url: str) -> None:
    assert safe_url(url) is None


def test_case16_http_and_https_with_host_allowed() -> None:
    assert safe_url("https://arxiv.org/abs/2401.00001") == "https://arxiv.org/abs/2401.00001"
    assert safe_url("http://example.org/x?y=1") == "http://example.org/x?y=1"
    assert first_safe_url(["file:///x", "javascript:1", "https://ok.example/p"]) == (
        "https://ok.example/p"
    )


async def test_case16_o_key_opens_off_the_ui_thread(tmp_path: Path) -> None:
    db = tmp_path / "data" / "readq.db"
    db.parent.mkdir(parents=True)
    with Store.open(db) as store:
        store.ingest(
            [  # in page order: "Good link" is the top row
                ScrapedPaper(
                    "Good link",
                    "Abstract two " * 5,
                    urls=("javascript:alert(1)", "https://example.org/good"),
                ),
                ScrapedPaper("Only bad links", "Abstract one " * 5, urls=("file:///etc/passwd",)),
            ],
            Source("t", "t", "2026-01-01"),
            "hf",
        )
    opened: list[str] = []

    def slow_open(url: str) -> bool:
        time.sleep(3.0)
        opened.append(url)
        return True

    store = Store.open(db)
    app = ReadqApp(
        Paths(db=db, config_dir=tmp_path / "cfg"), library=Library(store), url_opener=slow_open
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        started = time.monotonic()
        await pilot.press("o")  # the top row: "Good link"
        await pilot.press("j")
        await pilot.pause(0.1)
        assert time.monotonic() - started < 1.5  # the UI kept answering during the slow open
        assert app.opened_urls == ["https://example.org/good"]
        await pilot.press("o")  # "Only bad links": refused, nothing handed to a browser
        await pilot.pause(0.2)
        assert app.opened_urls == ["https://example.org/good"]
        assert app.is_running
    store.close()
