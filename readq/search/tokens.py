"""Words as the search index sees them: runs of letters and digits, casefolded.

The same rule splits titles, abstracts, organisations, notes and queries, so a query word
and a stored word compare equal when they are the same word in any case.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

WORD = re.compile(r"[^\W_]+")
# For ASCII text, mapping every non-alphanumeric character to a space and splitting gives the
# same words as WORD, about twice as fast.
_ASCII_SEPARATORS = {ord(c): " " for c in string.punctuation + string.whitespace}


def words(text: str) -> list[str]:
    """The casefolded words of ``text``, in order, repeats kept."""
    if text.isascii():
        return text.lower().translate(_ASCII_SEPARATORS).split()
    return WORD.findall(text.casefold())


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, casefolded word)`` for each word of ``text`` (offsets into ``text``)."""
    for match in WORD.finditer(text):
        yield match.start(), match.end(), match.group().casefold()
