"""Which keys identify a paper: empty title keys, format characters (issue 12, items 3 and 7)."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readq.textclean import (
    _FORMAT,
    abstract_key,
    clean_line,
    dedupe_keys,
    identity_key,
    normalise_key,
    strip_unsafe,
)

ALL_FORMAT_CHARS = [
    chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"
]
WORDS = st.text(alphabet=st.characters(categories=["L", "N", "Zs", "P"]), max_size=60)


def test_the_format_character_list_is_unicodes() -> None:
    """The hand-written class holds exactly the Cf characters of this Python's Unicode."""
    text = "".join(ALL_FORMAT_CHARS)
    assert _FORMAT.fullmatch(text)
    others = [chr(c) for c in range(0x30000) if unicodedata.category(chr(c)) != "Cf"]
    assert not any(_FORMAT.search(ch) for ch in others)


@pytest.mark.parametrize("char", ALL_FORMAT_CHARS, ids=lambda c: f"U+{ord(c):04X}")
def test_a_format_character_inside_a_word_does_not_change_its_key(char: str) -> None:
    assert normalise_key(f"Atten{char}tion Is All") == "attention is all"


@settings(max_examples=500)
@given(WORDS, st.lists(st.tuples(st.integers(0, 60), st.sampled_from(ALL_FORMAT_CHARS))))
def test_keys_ignore_format_characters_anywhere(text: str, inserts: list[tuple[int, str]]) -> None:
    spiked = text
    for position, char in inserts:
        spiked = spiked[:position] + char + spiked[position:]
    assert normalise_key(spiked) == normalise_key(text)
    assert abstract_key(spiked * 10) == abstract_key(text * 10)


def test_stored_text_loses_invisible_junk_but_keeps_emoji_sequences() -> None:
    assert clean_line("Atten\u200dtion\u00ad Is\u2060 All\ufeff") == "Attention Is All"
    assert clean_line("\u200e\u200fLTR\u200b RTL\u061c") == "LTR RTL"
    family = "👩\u200d👩\u200d👧"
    coder = "👩\u200d💻"
    scotland = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert clean_line(f"{family} {coder} {scotland} Notes") == f"{family} {coder} {scotland} Notes"
    # Persian: ZWNJ between two letters shapes the word and stays.
    assert clean_line("می\u200cخواهم") == "می\u200cخواهم"
    # A stray tag character (no flag before it) and a trailing joiner go.
    assert clean_line("A\U000e0041 B\u200d") == "A B"
    assert strip_unsafe("a\u00adb\nc") == "ab\nc"
    # Keys agree with the stored (cleaned) text.
    for text in (f"{family} Notes", f"{scotland} Notes"):
        assert normalise_key(text) == normalise_key(clean_line(text)) == "notes"


@pytest.mark.parametrize("title", ["🚀", "🔥", "∇", "..", "...", "—", " ", ""])
def test_a_title_without_letters_or_digits_is_identified_by_its_abstract(title: str) -> None:
    abstract = "We study a fictional problem and report results on a made-up benchmark."
    tkey, akey = dedupe_keys(title, abstract)
    assert tkey == ""
    assert identity_key(tkey, akey, title_derived=False) == "a:" + akey
    # With no usable abstract either, the title's own symbols identify it; a blank title, nothing.
    short = dedupe_keys(title, "Too short.")
    if title.strip():
        assert identity_key(*short, title_derived=False) == "t:~" + title.strip()
    else:
        assert identity_key(*short, title_derived=False) is None


def test_symbol_titles_without_abstracts_keep_apart_and_find_themselves() -> None:
    keys = {dedupe_keys(title, "")[0] for title in ["🚀", "🔥", "∇²", "..", "..."]}
    assert len(keys) == 5
    assert dedupe_keys("\u200b🚀 ", "")[0] == dedupe_keys("🚀", "")[0]


def test_identity_key_rules() -> None:
    assert identity_key("deep nets", "ab12", title_derived=False) == "t:deep nets"
    assert identity_key("deep nets", "ab12", title_derived=True) == "a:ab12"
    assert identity_key("deep nets", "", title_derived=True) == "t:deep nets"
    assert identity_key("", "ab12", title_derived=True) == "a:ab12"
    assert identity_key("", "", title_derived=True) is None
