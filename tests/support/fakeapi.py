"""A local stand-in for the arXiv API (``http.server`` on 127.0.0.1) for ``readq add`` and the
TUI's add-by-id: it answers with recorded responses written for the tests (fictional papers in
the API's Atom format); the network is never used."""

from __future__ import annotations

import http.server
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

API_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv_api"


@dataclass
class FakeApi:
    """A local stand-in for export.arxiv.org: ``answer(query) -> (status, body, delay)``."""

    answer: Callable[[dict[str, str]], tuple[int, bytes, float]]
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""


def recorded_answer(query: dict[str, str]) -> tuple[int, bytes, float]:
    """The recording's entries for the ids asked (as arXiv answers: unknown ids are left out,
    so asking only for unknown ids gives an empty feed)."""
    asked = {i.split("v")[0] for i in query.get("id_list", "").split(",")}
    text = (API_FIXTURES / "two_papers.xml").read_text(encoding="utf-8")
    head, *entries = text.split("  <entry>")
    entries[-1] = entries[-1].replace("</feed>\n", "")
    kept = [e for e in entries if re.search(r"abs/(\d{4}\.\d{5})v", e).group(1) in asked]  # type: ignore[union-attr]
    return 200, (head + "".join("  <entry>" + e for e in kept) + "</feed>\n").encode(), 0.0


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApi]:
    """A fake API answering from the two-paper recording; tests may replace ``answer``."""
    fake = FakeApi(answer=recorded_answer)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            fake.requests.append(query)
            status, body, delay = fake.answer(query)
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    monkeypatch.setenv("READQ_ARXIV_API", fake.url)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["API_FIXTURES", "FakeApi", "api", "recorded_answer"]
