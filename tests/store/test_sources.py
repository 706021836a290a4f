"""Sources in words: the page kind and the day, "pasted on <day>", file names on request."""

from __future__ import annotations

from readq.models import ScrapedPaper, Source
from readq.sources import describe, describe_all, file_names, human_day, human_time, kind_label
from readq.store import Store


def test_a_source_is_its_page_kind_and_day() -> None:
    stamp = "2026-12-03T17:30:12.123456+00:00"
    hf = Source("001_4f9977b8d1adb11e.txt", "/d/001_4f9977b8d1adb11e.txt", stamp, "hf")
    assert describe(hf) == "Hugging Face daily papers, 3 Dec 2026"
    abs_page = Source("x.txt", "/d/x.txt", stamp, "arxiv-abs")
    assert describe(abs_page) == "arXiv abstract page, 3 Dec 2026"
    pasted = Source("<pasted>", "<pasted>", stamp, "hf-paper")
    assert describe(pasted) == "pasted on 3 Dec 2026 (Hugging Face paper page)"
    assert describe(Source("old.txt", "/d/old.txt", stamp)) == "old.txt, 3 Dec 2026"
    assert describe(Source("lib.json", "lib.json", "")) == "lib.json"  # an import's undated one
    assert kind_label("import-bibtex") == "BibTeX file import"
    assert kind_label("something-new") == "something-new"
    assert describe_all([hf, hf, pasted]) == [describe(hf), describe(pasted)]
    assert file_names([hf, pasted, hf]) == ["/d/001_4f9977b8d1adb11e.txt"]


def test_times_are_shown_to_the_minute() -> None:
    assert human_time("2026-12-03T17:30:12.123456+00:00") == "2026-12-03 17:30"
    assert human_time("not a time") == "not a time"
    assert human_time(None) == "-"
    assert human_day("2026-01-09T00:00:00+00:00") == "9 Jan 2026"


def test_the_store_gives_each_source_the_kind_of_its_ingest(store: Store) -> None:
    """The kind comes from the ingest log: the ingest of that path at or after the moment the
    paper was seen there (a file ingested again later in another shape keeps each kind)."""
    paper = ScrapedPaper("Lanterns for Attention", "Sparse lanterns.")
    store.ingest([paper], Source("a.txt", "/d/a.txt", "2026-12-01T10:00:00+00:00"), "hf")
    store.ingest([paper], Source("b.txt", "/d/b.txt", "2026-12-02T10:00:00+00:00"), "arxiv-abs")
    store.ingest([paper], Source("<pasted>", "<pasted>", "2026-12-03T10:00:00+00:00"), "hf-paper")
    described = [describe(s) for s in store.get(1).sources]
    assert described[:2] == [
        "Hugging Face daily papers, 1 Dec 2026",
        "arXiv abstract page, 2 Dec 2026",
    ]
    assert described[2] == "pasted on 3 Dec 2026 (Hugging Face paper page)"
