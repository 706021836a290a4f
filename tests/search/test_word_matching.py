"""Word matching on its own (``readq.search.matching``; named apart from the store's
``tests/store/test_matching.py``): typo distances, prefixes, acronym plurals, notes, the
word-set caches and highlighting, over a per-paper state built from a small fictional
library."""

from __future__ import annotations

import pytest

from readq.models import ScrapedPaper, Source
from readq.search import build
from readq.search.documents import LibraryRows
from readq.search.matching import (
    Matcher,
    WordMatcher,
    make_highlights,
    max_typos,
    phrase_pattern,
    plurals,
    typo_matches,
)
from readq.search.query import Field
from readq.search.state import PaperState
from readq.store import Store

PAPERS = [
    ScrapedPaper("Diffusion Models for Wombats", "Denoising burrows with LLMs."),  # doc 0
    ScrapedPaper("Diffuse Lighting", "A llama grazes near the SAEs."),  # doc 1
    ScrapedPaper("Quokka Transformers", "We study diffusion of smiles.", org="Kestrel Labs"),
]


@pytest.fixture
def state(store: Store) -> PaperState:
    store.ingest(PAPERS, Source("t", "t.txt", "2025-01-01"), "test")
    store.save_note(3, "read on the gondola")
    built = PaperState()
    build.build(built, LibraryRows(store), None)
    return built


def docs(bits: int) -> list[int]:
    return [d for d in range(bits.bit_length()) if (bits >> d) & 1]


@pytest.mark.parametrize(
    ("word", "edits"), [("sae", 0), ("lora", 1), ("quokkas", 1), ("difusion", 2)]
)
def test_max_typos_grows_with_length(word: str, edits: int) -> None:
    assert max_typos(word) == edits


def test_typo_matches_leave_out_the_word_and_its_longer_forms() -> None:
    choices = ["diffusion", "difusion", "difusions", "fusion", "dfifusion"]
    assert sorted(typo_matches("difusion", choices, 1)) == ["dfifusion", "diffusion"]
    assert typo_matches("difusion", choices, 0) == []
    assert plurals("sae") == ("saes", "saees")


def test_a_word_matches_exactly_by_prefix_and_with_typos_per_field(state: PaperState) -> None:
    words = WordMatcher(state)
    title_exact, title_prefix, title_typo = words.term_raw("diffusion", None)[Field.TITLE]
    assert docs(title_exact) == [0] and title_prefix == 0 and title_typo == 0
    assert docs(words.term_raw("diffusion", None)[Field.ABSTRACT][0]) == [2]
    assert docs(words.term_raw("diff", None)[Field.TITLE][1]) == [0, 1]
    assert docs(words.term_raw("difusion", None)[Field.TITLE][2]) == [0]
    assert docs(words.term_raw("kestrel", None)[Field.ORG][0]) == [2]


def test_short_words_match_plurals_not_prefixes_in_abstracts(state: PaperState) -> None:
    words = WordMatcher(state)
    _exact, prefix, _typo = words.term_raw("llm", None)[Field.ABSTRACT]
    assert docs(prefix) == [0]  # "LLMs", not "llama"
    assert docs(words.term_raw("sae", None)[Field.ABSTRACT][1]) == [1]
    assert docs(words.term_raw("llam", None)[Field.ABSTRACT][1]) == [1]  # 4 letters: a prefix


def test_notes_match_by_word_prefix_and_typo(state: PaperState) -> None:
    words = WordMatcher(state)
    assert words.note_raw("gondola") == (1 << 2, 0, 0)
    assert words.note_raw("gond") == (0, 1 << 2, 0)
    assert words.note_raw("gondloa") == (0, 0, 1 << 2)


def test_word_sets_are_cached_and_the_letters_pinned(state: PaperState) -> None:
    words = WordMatcher(state)
    words.warm()
    assert words.pinned == {"d", "f", "l", "m", "q", "t", "w"}
    raw = words.term_raw("wombat", None)
    assert words.term_raw("wombat", None) is raw
    words.forget_unpinned()
    assert set(words.term_cache) == words.pinned
    assert words.pinned_sets().keys() == words.pinned
    words.expand("wombat")
    words.text_changed()
    assert set(words.term_cache) == words.pinned and "wombat" not in words.expansions


def test_highlights_follow_the_matcher(state: PaperState) -> None:
    matcher = WordMatcher(state).matcher("difusion")
    assert "diffusion" in matcher.typos and "difusions" in matcher.typos
    hl = make_highlights([matcher], "Diffusion Models", "No match here.")
    assert hl.title_spans == ((0, 9),) and hl.snippet_spans == ()
    phrase = Matcher("", frozenset(), phrase_pattern("denoising   burrows"))
    hl = make_highlights([phrase], "T", "Denoising burrows with LLMs.")
    assert hl.snippet_spans == ((0, 17),)
