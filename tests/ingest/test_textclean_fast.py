"""The fast ASCII paths of :mod:`readq.textclean` give exactly what the general paths give.

Stored dedupe keys depend on ``normalise_key`` and ``abstract_key``: a change of result would
make re-ingested papers look new. The general (Unicode) implementations are the reference.
"""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from readq.textclean import (
    _FORMAT,
    _clean_line_general,
    _normalise_key_general,
    abstract_key,
    clean_line,
    normalise_key,
)

ASCII = st.text(alphabet=st.characters(max_codepoint=127), max_size=80)
MIXED = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0, 0xA1)] + list("\u202a\u202e\u2066\u2069\u2028ÉéßﬁＡ")
    ),
    max_size=60,
)


@settings(max_examples=1000)
@given(st.one_of(ASCII, MIXED))
def test_normalise_key_fast_path_matches_general(text: str) -> None:
    assert normalise_key(text) == _normalise_key_general(text)


@settings(max_examples=1000)
@given(st.one_of(ASCII, MIXED))
def test_clean_line_fast_path_matches_general(text: str) -> None:
    assert clean_line(text) == _clean_line_general(text)


@settings(max_examples=500)
@given(st.one_of(ASCII, MIXED, st.text(max_size=500), (MIXED.map(lambda t: t * 10))))
def test_abstract_key_is_the_digest_of_the_general_key(text: str) -> None:
    # The first 400 characters once invisible format characters are dropped (see
    # test_textclean_keys.py); the same as text[:400] for text without them.
    folded = _normalise_key_general(_FORMAT.sub("", text)[:400])[:300]
    want = "" if len(folded) < 40 else hashlib.blake2b(folded.encode(), digest_size=8).hexdigest()
    assert abstract_key(text) == want


def test_known_keys_are_unchanged() -> None:
    """Keys stored by earlier versions (a change here needs a migration that recomputes them)."""
    assert normalise_key("  LoRA: Low-Rank   Adaptation!\t") == "lora low rank adaptation"
    assert normalise_key("Ｄiffusion_Models ﬁt") == "diffusion models fit"
    assert clean_line(" a  b\tc\x1b[31m ") == "a b c"
    assert abstract_key("x" * 39) == ""
    assert abstract_key("We study diffusion models for video generation at scale.") == (
        hashlib.blake2b(
            b"we study diffusion models for video generation at scale", digest_size=8
        ).hexdigest()
    )
