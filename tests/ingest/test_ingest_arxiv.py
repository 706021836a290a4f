"""arXiv abstract dumps and derived titles."""

from __future__ import annotations

from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from readq.ingest.arxiv import derive_title, iter_arxiv


def test_each_abstract_line_is_a_paper_with_a_derived_title() -> None:
    papers = list(iter_arxiv((FIXTURES / "arxiv_dump.txt").read_text().splitlines()))
    assert len(papers) == 3
    assert all(p.title_derived for p in papers)
    assert papers[0].title == (
        "Lumen-7: a compact vision encoder designed for robots that must read labels in poor light"
    )
    assert papers[0].urls == ("https://example.org/lumen7",)
    # No method name: the opening sentence, cut at a word boundary.
    assert papers[1].title == (
        "Reinforcement learning from human feedback is expensive because every comparison needs "
        "a person"
    )
    assert papers[2].title.startswith("Even Keel (EK)")


def test_named_and_dubbed_and_coined() -> None:
    assert derive_title("Our tracker, dubbed HawkEye, follows birds. It is fast.") == "HawkEye"
    assert derive_title(
        "We present a memory system named Recall-2 for agents. It helps."
    ).startswith("Recall-2")
    assert (
        derive_title(
            "We introduce a new optimiser for sparse nets, coined Pebble (PBL). It is new."
        )
        == "Pebble (PBL): a new optimiser for sparse nets"
    )


def test_long_opening_sentence_is_cut_at_a_word_boundary() -> None:
    title = derive_title("word " * 60 + "end.")
    assert len(title) <= 111
    assert title.endswith("…") and not title.endswith(" …")
    assert "wor…" not in title


def test_lowercase_introductions_are_not_names() -> None:
    title = derive_title("We introduce a simple baseline for retrieval. It works well.")
    assert title == "We introduce a simple baseline for retrieval"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_derive_title_never_raises(text: str) -> None:
    derive_title(text)
    list(iter_arxiv(["Abstract:" + text]))
