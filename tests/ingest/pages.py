"""Helpers for the page-shape tests: read a fixture as `readq ingest` would, without a library."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from readq.ingest import parse_source
from readq.ingest.detect import ListingFormat
from readq.ingest.reader import open_listing
from readq.models import ScrapedPaper

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TODAY = date(2026, 12, 6)
"""The day the fictional pages were copied (dates without a year resolve against it)."""

LANTERNS = "Gradient Lanterns: Illuminating Sparse Attention in Tiny Transformers"
LANTERNS_ID = "2612.04011"
LANTERNS_NAMES = ("Ada Quill", "Bram Osei", "Chen Varga", "Dara Lindqvist", "Emeka Tan")
LANTERNS_ABSTRACT = (
    "We study how tiny transformers route information through sparse attention heads when "
    "trained on synthetic arithmetic. Our analysis reveals lantern heads that light up only "
    "on carry digits, and we show that pruning them collapses accuracy while pruning any "
    "other head barely matters. We release code at [link]."
)


def read_fixture(name: str) -> tuple[ListingFormat, list[ScrapedPaper], list[str]]:
    """The shape, papers and warnings of ``tests/fixtures/<name>`` (as `readq ingest` reads)."""
    source = open_listing(str(FIXTURES / name))
    shape, papers = parse_source(source, today=TODAY)
    return shape, list(papers), list(source.warnings)


def read_text(text: str, tmp: Path) -> tuple[ListingFormat, list[ScrapedPaper], list[str]]:
    """:func:`read_fixture` of ``text`` written to a file in ``tmp``."""
    path = tmp / "page.txt"
    path.write_text(text, encoding="utf-8")
    source = open_listing(str(path))
    shape, papers = parse_source(source, today=TODAY)
    return shape, list(papers), list(source.warnings)
