"""A Hugging Face collection: paper items only (readq/ingest/hf_collection.py)."""

from __future__ import annotations

from pages import LANTERNS, LANTERNS_ID, read_fixture

from readq.ingest.detect import ListingFormat
from readq.ingest.hf_collection import parse_hf_collection


def test_collection_every_field() -> None:
    shape, papers, warnings = read_fixture("hf_collection.txt")
    assert shape is ListingFormat.HF_COLLECTION
    assert warnings == []
    # Models and datasets in the collection are not papers.
    assert [(p.title, p.arxiv_id, p.published, p.upvotes) for p in papers] == [
        (LANTERNS, LANTERNS_ID, "2026-12-02", 29),
        ("Candles in the Residual Stream", "2610.01777", "2026-10-14", 5),
        ("Moss Graphs: Slow Message Passing for Damp Networks", "2612.04120", "2026-12-03", None),
    ]
    assert all(p.abstract == "" and p.author_names == () for p in papers)


def test_an_item_line_without_a_title_above_is_dropped() -> None:
    parsed = parse_hf_collection(["Paper • 2405.01525 • Published May 2, 2024 • 29"])
    assert parsed.papers == []
    assert parsed.skipped == 1
