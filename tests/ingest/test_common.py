"""Fields the page parsers share: author lists, categories, dates, abstracts
(readq/ingest/common.py)."""

from __future__ import annotations

from datetime import date

import pytest

from readq.ingest.common import (
    clean_abstract,
    code_categories,
    find_date,
    split_authors,
    subject_categories,
)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Ada Quill, Bram Osei, Chen Varga", ("Ada Quill", "Bram Osei", "Chen Varga")),
        ("Ada Quill, Bram Osei and Chen Varga", ("Ada Quill", "Bram Osei", "Chen Varga")),
        ("Ada Quill, Bram Osei, and Chen Varga", ("Ada Quill", "Bram Osei", "Chen Varga")),
        ("Tomas Ek (Fictional Institute of Tides), Uma Rao", ("Tomas Ek", "Uma Rao")),
        ("Ada Quill (1), Bram Osei (2) ((1) Univ X, (2) Univ Y)", ("Ada Quill", "Bram Osei")),
        ("Émile Dupont-Roy, Jan van der Berg", ("Émile Dupont-Roy", "Jan van der Berg")),
        ("Alexander Anderson", ("Alexander Anderson",)),
        ("", ()),
    ],
)
def test_split_authors(text: str, names: tuple[str, ...]) -> None:
    assert split_authors(text) == names


def test_categories_primary_first() -> None:
    assert subject_categories(
        "Computation and Language (cs.CL); Machine Learning (cs.LG); Methodology (stat.ME)"
    ) == ("cs.CL", "cs.LG", "stat.ME")
    assert subject_categories("High Energy Physics - Theory (hep-th)") == ("hep-th",)
    assert code_categories("cs.LG cs.AI stat.ML") == ("cs.LG", "cs.AI", "stat.ML")
    assert code_categories("[pdf, other] cs.LG") == ("cs.LG",)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("[Submitted on 2 Dec 2026 (v1), last revised 5 Dec 2026", "2026-12-02"),
        ("Submitted 5 December, 2026; v1 submitted 2 December, 2026", "2026-12-05"),
        ("Published on Dec 2, 2026", "2026-12-02"),
        ("Date: Wed, 2 Dec 2026 20:11:05 GMT   (812kb)", "2026-12-02"),
        ("Published on Nov 3", "2026-11-03"),
        ("Published on Dec 30", "2025-12-30"),  # later than "today": last year's
        ("Published on Feb 30, 2026", None),
        ("no date here", None),
    ],
)
def test_find_date(text: str, iso: str | None) -> None:
    assert find_date(text, today=date(2026, 12, 6)) == iso


def test_clean_abstract() -> None:
    assert clean_abstract("Code is at this https URL. More at this http URL") == (
        "Code is at [link]. More at [link]"
    )
    assert clean_abstract("a new benchmark , LanternBench , which works .") == (
        "a new benchmark, LanternBench, which works."
    )
    assert clean_abstract("  two\tlines\u00a0joined ") == "two lines joined"
