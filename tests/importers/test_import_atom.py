"""Importing arXiv API Atom feeds: fields, and unsafe or malformed XML refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.exportlib import snapshot

from readq.importers import IngestError, import_path, import_text
from readq.store import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "import_arxiv_feed.xml"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol9;</title></entry></feed>
"""


def test_feed_fields(store: Store) -> None:
    report = import_path(store, str(FIXTURE))
    assert (report.result.format, report.result.new) == ("atom", 2)
    papers = {p.arxiv_id: p for p in store.list_papers()}
    teapot = papers["2404.98765"]
    assert teapot.title == "Teapot Diffusion: Steeping Images from Noise & Leaves"
    assert teapot.abstract.startswith("We introduce Teapot Diffusion, a fictional")
    assert "\n" not in teapot.abstract
    assert teapot.authors == 3
    assert teapot.published == "2024-04-18"
    assert teapot.urls[0] == "http://arxiv.org/abs/2404.98765v2"
    assert "http://arxiv.org/pdf/2404.98765v2" in teapot.urls
    assert "https://doi.org/10.9999/teapot.2024" in teapot.urls
    assert papers["2403.01234"].authors == 1
    again = import_path(store, str(FIXTURE)).result
    assert (again.new, again.merged) == (0, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BILLION_LAUGHS, "DTD or entity declarations is refused"),
        ('<?xml version="1.0"?><!DOCTYPE feed SYSTEM "http://x/feed.dtd"><feed/>', "refused"),
        (
            "<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>x</entry></feed>",
            "malformed XML",
        ),
        ("<html><body>not a feed</body></html>", "not an Atom feed"),
        ("<feed xmlns='http://www.w3.org/2005/Atom'></feed>", "the feed has no entries"),
        (
            "<feed xmlns='http://www.w3.org/2005/Atom'><entry>"
            "<id>http://arxiv.org/api/errors#incorrect_id_format</id><title>Error</title>"
            "<summary>incorrect id format for 1234</summary></entry></feed>",
            "arXiv API error response: incorrect id format",
        ),
    ],
)
def test_bad_xml_is_refused(store: Store, text: str, message: str) -> None:
    before = snapshot(store)
    started = time.perf_counter()
    with pytest.raises(IngestError, match=message):
        import_text(store, text, name="feed.xml")
    assert time.perf_counter() - started < 1.0
    assert snapshot(store) == before
