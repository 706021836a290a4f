"""Words as the index sees them (``readq.search.tokens.words``): the fast ASCII path gives
exactly the words of the general rule, whatever the characters (controls included)."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from readq.search.tokens import WORD, words

_SEPARATORS = {ord(c): " " for c in string.punctuation + string.whitespace}


def reference(text: str) -> list[str]:
    """The ASCII rule as it was written first (``str.lower`` and a translation dict)."""
    return text.lower().translate(_SEPARATORS).split()


@settings(max_examples=400)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_the_ascii_path_splits_as_before(text: str) -> None:
    assert words(text) == reference(text)


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(max_codepoint=127, categories=("L", "N", "P", "Zs"))))
def test_the_ascii_path_agrees_with_the_general_rule(text: str) -> None:
    assert words(text) == WORD.findall(text.casefold())


def test_examples() -> None:
    assert words("Self-Supervised LoRA: fine_tuning v2.0!") == [
        "self", "supervised", "lora", "fine", "tuning", "v2", "0",
    ]  # fmt: skip
    assert words("Über Diffusion") == ["über", "diffusion"]
