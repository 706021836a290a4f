"""Identity rules: every spelling of an arXiv id, DOIs, author names (readq/identity.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readq.identity import (
    ArxivRef,
    find_arxiv_ref,
    names_match,
    normalise_doi,
    parse_arxiv_ref,
    split_version,
    surname,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2612.04011", ArxivRef("2612.04011")),
        ("2612.04011v3", ArxivRef("2612.04011", 3)),
        ("arXiv:2612.04011v2", ArxivRef("2612.04011", 2)),
        ("arxiv: 1501.0001", ArxivRef("1501.0001")),
        ("https://arxiv.org/abs/2612.04011", ArxivRef("2612.04011")),
        ("http://arxiv.org/abs/2612.04011v1", ArxivRef("2612.04011", 1)),
        ("arxiv.org/pdf/2612.04011v2.pdf", ArxivRef("2612.04011", 2)),
        ("https://arxiv.org/pdf/2612.04011", ArxivRef("2612.04011")),
        ("https://arxiv.org/html/2612.04011v1", ArxivRef("2612.04011", 1)),
        ("https://export.arxiv.org/abs/2612.04011", ArxivRef("2612.04011")),
        ("https://huggingface.co/papers/2612.04011", ArxivRef("2612.04011")),
        ("https://www.alphaxiv.org/abs/2612.04011", ArxivRef("2612.04011")),
        ("https://doi.org/10.48550/arXiv.2612.04011", ArxivRef("2612.04011")),
        ("10.48550/ARXIV.2612.04011", ArxivRef("2612.04011")),
        ("hep-th/9901001", ArxivRef("hep-th/9901001")),
        ("arXiv:math.GT/0309136v2", ArxivRef("math.GT/0309136", 2)),
        ("https://arxiv.org/abs/cs/0112017", ArxivRef("cs/0112017")),
        ("<https://arxiv.org/abs/2612.04011?context=cs>", ArxivRef("2612.04011")),
    ],
)
def test_every_spelling_names_the_same_paper(text: str, expected: ArxivRef) -> None:
    assert parse_arxiv_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2612",
        "261.04011",
        "2612.040111",
        "see 2612.04011",
        "https://example.org/abs/2612.04011",
        "10.1000/xyz",
        "arXiv:",
        "hep-th/99010",
    ],
)
def test_what_is_not_an_id_is_refused(text: str) -> None:
    assert parse_arxiv_ref(text) is None


def test_running_text_needs_a_marked_reference() -> None:
    assert find_arxiv_ref("Cite as: arXiv:2612.04011 [cs.CL]") == ArxivRef("2612.04011")
    assert find_arxiv_ref("(or arXiv:2612.04011v2 [cs.CL] for this version)") == ArxivRef(
        "2612.04011", 2
    )
    assert find_arxiv_ref("\\\\ ( https://arxiv.org/abs/2612.04011 ,  1234kb)") == ArxivRef(
        "2612.04011"
    )
    assert find_arxiv_ref("we ran 2405.01525 steps") is None
    assert find_arxiv_ref("notarxiv:2612.04011") is None


def test_split_version() -> None:
    assert split_version("2612.04011v12") == ArxivRef("2612.04011", 12)
    assert split_version("2612.04011") == ArxivRef("2612.04011")
    assert split_version("abc") is None


@given(
    st.integers(min_value=0, max_value=9999),
    st.integers(min_value=0, max_value=99999),
    st.none() | st.integers(min_value=1, max_value=999),
)
def test_an_id_round_trips_through_every_spelling(
    yymm: int, number: int, version: int | None
) -> None:
    ref = ArxivRef(f"{yymm:04d}.{number:05d}", version)
    for spelling in (
        str(ref),
        f"arXiv:{ref}",
        f"https://arxiv.org/abs/{ref}",
        f"https://arxiv.org/pdf/{ref}.pdf",
        f"https://huggingface.co/papers/{ref}",
    ):
        assert parse_arxiv_ref(spelling) == ref


@given(st.text())
def test_no_text_makes_the_parsers_raise(text: str) -> None:
    parse_arxiv_ref(text)
    find_arxiv_ref(text)
    normalise_doi(text)
    split_version(text)


def test_doi() -> None:
    assert normalise_doi("10.1145/3581783.3612345") == "10.1145/3581783.3612345"
    assert normalise_doi("https://doi.org/10.1145/ABC.123.") == "10.1145/abc.123"
    assert normalise_doi("doi:10.48550/arXiv.2612.04011") == "10.48550/arxiv.2612.04011"
    assert normalise_doi("not a doi") is None


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Ada Quill", "Quill"),
        ("Quill, Ada", "Quill"),
        ("A Quill", "Quill"),
        ("Jan van der Berg", "van der Berg"),
        ("Bram Osei Jr.", "Osei"),
        ("Chen", "Chen"),
    ],
)
def test_surname(name: str, family: str) -> None:
    assert surname(name) == family


def test_abbreviated_names_match_full_ones() -> None:
    assert names_match("A Quill", "Ada Quill")
    assert names_match("Quill, A.", "Ada Quill")
    assert names_match("Ádá Quíll", "Ada Quill")
    assert not names_match("B Quill", "Ada Quill")
    assert not names_match("Ada Quill", "Ada Osei")
