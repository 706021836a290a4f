"""The in-memory inverted index: for each field, word → the documents that contain it.

Documents are numbered ``0 .. n-1`` in id order (a *document index*, not the paper id).
A posting is an ``array('I')`` of ascending document indices, or, for words in more than
1/32 of the documents, a bit set (an ``int``; see :mod:`readq.search.bitset`), which is then
never larger than the array it replaces. Abstracts and notes are not kept as strings.

Documents whose title, abstract or organisation changed after they were indexed are marked
*stale*: their old postings are masked out and their current words live in a small side
index of Python sets. Notes always live in such sets (they are few and change often).
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, MutableMapping
from itertools import chain

from readq.search.bitset import from_indices, pack, round8, scatter
from readq.search.postings import PackedPostings
from readq.search.postings import Posting as Posting  # the engine imports it from here
from readq.search.query import Field

BITMAP_FRACTION = 32
"""A posting becomes a bit set when the word is in more than 1/BITMAP_FRACTION documents."""


def bitmap_threshold(n: int) -> int:
    """Postings longer than this (over ``n`` documents) are kept as bit sets (see
    :meth:`InvertedIndex.compact`; a split build's other process compacts by the same rule)."""
    return max(64, n // BITMAP_FRACTION)


class SearchCancelled(Exception):
    """Raised inside a search when ``is_cancelled()`` returned True."""


def check(is_cancelled: Callable[[], bool] | None) -> None:
    """Raise :class:`SearchCancelled` if the caller asked to stop."""
    if is_cancelled is not None and is_cancelled():
        raise SearchCancelled


class InvertedIndex:
    """Word postings for the four text fields, plus the vocabulary for prefix and typo search."""

    def __init__(self) -> None:
        self.n = 0
        self.main: dict[Field, MutableMapping[str, Posting]] = {
            Field.TITLE: defaultdict(lambda: array("I")),
            Field.ABSTRACT: defaultdict(lambda: array("I")),
            Field.ORG: defaultdict(lambda: array("I")),
        }
        # Side index: current words of stale documents, and of every note.
        self.side: dict[Field, dict[str, set[int]]] = {f: {} for f in Field}
        self.side_words: dict[int, list[tuple[Field, str]]] = {}
        self.stale = 0
        self._vocab_dirty = True
        self._sorted: list[str] = []
        self._by_length: dict[tuple[int, str], list[str]] = {}
        self._blob = ""
        self._blob_starts: list[int] = []

    # ------------------------------------------------------------------ building
    def compact(self) -> None:
        """Turn frequent words' postings into bit sets and freeze the posting dicts."""
        threshold = bitmap_threshold(self.n)
        for field, postings in self.main.items():
            frozen: dict[str, Posting] = {}
            for word, posting in postings.items():
                if isinstance(posting, array) and len(posting) > threshold:
                    frozen[word] = from_indices(posting, self.n)
                else:
                    frozen[word] = posting
            self.main[field] = frozen
        self._vocab_dirty = True

    def append_batch(self, field: Field, first_doc: int, doc_words: list[set[str]]) -> None:
        """Index a batch of new documents ``first_doc, first_doc + 1, ...`` in one go.

        Bit-set postings get one OR per word for the whole batch rather than one per document.
        """
        postings = self.main[field]
        grouped: dict[str, list[int]] = defaultdict(list)
        for offset, words in enumerate(doc_words):
            for word in words:
                grouped[word].append(offset)
        width = len(doc_words)
        for word, offsets in grouped.items():
            posting = postings.get(word)
            if posting is None:
                postings[word] = array("I", (first_doc + o for o in offsets))
            elif isinstance(posting, int):
                postings[word] = posting | (from_indices(offsets, width) << first_doc)
            else:
                posting.extend(first_doc + o for o in offsets)
        self._vocab_dirty = True

    def set_side(self, doc: int, entries: Iterable[tuple[Field, str]]) -> None:
        """Replace the side-index words of ``doc`` (used for notes and stale documents)."""
        for field, word in self.side_words.pop(doc, ()):
            docs = self.side[field].get(word)
            if docs is not None:
                docs.discard(doc)
                if not docs:
                    del self.side[field][word]
        kept = list(dict.fromkeys(entries))
        for field, word in kept:
            docs = self.side[field].get(word)
            if docs is None:
                self.side[field][word] = {doc}
                if field != Field.NOTE:
                    self._vocab_dirty = True
            else:
                docs.add(doc)
        if kept:
            self.side_words[doc] = kept

    # -------------------------------------------------------------------- lookup
    def union(
        self,
        field: Field,
        words: Iterable[str],
        is_cancelled: Callable[[], bool] | None = None,
    ) -> int:
        """The documents containing any of ``words`` in ``field``, as a bit set."""
        bits = 0
        postings = self.main.get(field)
        side = self.side[field]
        extra: set[int] = set()
        arrays: list[array] = []  # type: ignore[type-arg]
        for count, word in enumerate(words):
            if count & 1023 == 1023:
                check(is_cancelled)
            if postings is not None:
                posting = postings.get(word)
                if posting is not None:
                    if isinstance(posting, int):
                        bits |= posting
                    else:
                        arrays.append(posting)
            if side:
                docs = side.get(word)
                if docs:
                    extra.update(docs)
        if arrays:
            mask = bytearray(round8(self.n))
            # One C-level pass over all small postings (no per-word call overhead).
            scatter(mask, chain.from_iterable(arrays))
            bits |= pack(mask)
        if self.stale and postings is not None:
            bits &= ~self.stale
        if extra:
            bits |= from_indices(extra, self.n)
        return bits

    # ---------------------------------------------------------------- vocabulary
    def _refresh_vocab(self) -> None:
        if not self._vocab_dirty:
            return
        vocab: set[str] = set()
        for postings in self.main.values():
            vocab.update(postings)
        for field, side in self.side.items():
            if field != Field.NOTE:  # notes have their own small word list
                vocab.update(side)
        self._sorted = sorted(vocab)
        self._by_length = {}
        self._blob = ""
        self._blob_starts = []
        self._vocab_dirty = False

    def _sorted_vocabulary(self) -> list[str]:
        self._refresh_vocab()
        return self._sorted

    def prepare_vocabulary(self) -> None:
        """Sort the vocabulary now (0.8 s at 1M papers) rather than on the first keystroke."""
        self._refresh_vocab()

    @property
    def vocabulary_size(self) -> int:
        """How many distinct words the index holds."""
        self._refresh_vocab()
        return len(self._sorted)

    def with_prefix(self, prefix: str) -> list[str]:
        """Vocabulary words that start with ``prefix`` (including ``prefix`` itself)."""
        self._refresh_vocab()
        lo = bisect.bisect_left(self._sorted, prefix)
        hi = bisect.bisect_left(self._sorted, prefix + "\U0010ffff", lo)
        return self._sorted[lo:hi]

    def by_length(self, length: int, first: str) -> list[str]:
        """Vocabulary words of exactly ``length`` characters that start with ``first``.

        Grouped one first letter at a time, when a typo search first needs it (a few ms at
        1M papers), not for the whole vocabulary at load (~0.1 s at 1M papers)."""
        self._refresh_vocab()
        found = self._by_length.get((length, first))
        if found is not None:
            return found
        if (0, first) in self._by_length:  # this letter is grouped: no such word
            return []
        words = self._sorted
        lo = bisect.bisect_left(words, first)
        # Every word whose first character is ``first`` sorts before the next character.
        hi = (
            len(words)
            if ord(first) >= 0x10FFFF
            else bisect.bisect_left(words, chr(ord(first) + 1), lo)
        )
        grouped: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word in words[lo:hi]:
            grouped[len(word), first].append(word)
        grouped[0, first] = []  # marks the letter as grouped (no word is empty)
        self._by_length.update(grouped)
        return self._by_length.get((length, first), [])

    def containing(self, fragment: str) -> list[str]:
        """Vocabulary words that contain ``fragment``."""
        self._refresh_vocab()
        if not self._blob and self._sorted:
            starts: list[int] = []
            pos = 1
            for word in self._sorted:
                starts.append(pos)
                pos += len(word) + 1
            self._blob = "\n" + "\n".join(self._sorted) + "\n"
            self._blob_starts = starts
        found: dict[str, None] = {}
        for match in re.finditer(re.escape(fragment), self._blob):
            i = bisect.bisect_right(self._blob_starts, match.start()) - 1
            if i >= 0:
                found[self._sorted[i]] = None
        return list(found)

    # ------------------------------------------------------------------ memory
    def posting_bytes(self) -> int:
        """Approximate bytes held by the main postings (arrays and bit sets)."""
        total = 0
        for postings in self.main.values():
            for posting in postings.values():
                if isinstance(posting, int):
                    total += (posting.bit_length() + 7) // 8
                else:
                    total += posting.itemsize * len(posting)
        return total

    # ------------------------------------------------------------------- cache
    def export_state(self) -> dict[str, object]:
        """The index as plain values (str, int, bytes-like arrays, lists, dicts, sets) for the
        persisted cache (:mod:`readq.search.cache`): per field, array postings are one
        concatenated ``array('I')`` with their lengths and the words joined by newlines (words
        never contain whitespace), so loading makes few Python objects."""
        main: dict[int, tuple[str, array, array, str, list[bytes]]] = {}  # type: ignore[type-arg]
        for field, postings in self.main.items():
            array_words: list[str] = []
            lengths = array("I")
            flat = array("I")
            bit_words: list[str] = []
            bits: list[bytes] = []
            for word, posting in postings.items():
                if isinstance(posting, int):
                    bit_words.append(word)
                    # As bytes: unpickling big ints is slow and holds the GIL in one call.
                    bits.append(posting.to_bytes((posting.bit_length() + 7) // 8, "little"))
                else:
                    array_words.append(word)
                    lengths.append(len(posting))
                    flat.extend(posting)
            main[int(field)] = ("\n".join(array_words), lengths, flat, "\n".join(bit_words), bits)
        return {
            "n": self.n,
            "main": main,
            "side": {int(f): dict(side) for f, side in self.side.items()},
            "side_words": {
                doc: [(int(f), w) for f, w in entries] for doc, entries in self.side_words.items()
            },
            "stale": self.stale,
            # Saved sorted: loading then skips collecting and sorting every word.
            "vocabulary": "\n".join(self._sorted_vocabulary()),
        }

    @classmethod
    def from_state(cls, state: dict[str, object]) -> InvertedIndex:
        """The index saved by :meth:`export_state` (``ValueError`` if it does not add up)."""
        index = cls()
        n = state["n"]
        if not isinstance(n, int) or n < 0:
            raise ValueError("bad document count")
        index.n = n
        main = state["main"]
        if not isinstance(main, dict) or set(main) != {int(f) for f in index.main}:
            raise ValueError("bad postings")
        for key, (text, lengths, flat, bit_text, bits) in main.items():
            array_words = text.split("\n") if text else []
            bit_words = bit_text.split("\n") if bit_text else []
            if (
                not isinstance(lengths, array)
                or not isinstance(flat, array)
                or lengths.typecode != "I"
                or flat.typecode != "I"
                or not all(isinstance(b, bytes) for b in bits)
            ):
                raise ValueError("bad postings")
            # Decoded word by word on first use (see readq.search.postings).
            postings = PackedPostings(array_words, lengths, flat, bit_words, bits)
            index.main[Field(key)] = postings
        side = state["side"]
        side_words = state["side_words"]
        if not isinstance(side, dict) or not isinstance(side_words, dict):
            raise ValueError("bad side index")
        index.side = {f: dict(side.get(int(f), {})) for f in Field}
        index.side_words = {
            int(doc): [(Field(f), str(w)) for f, w in entries]
            for doc, entries in side_words.items()
        }
        stale = state["stale"]
        if not isinstance(stale, int):
            raise ValueError("bad stale set")
        index.stale = stale
        index._vocab_dirty = True
        vocabulary = state.get("vocabulary")
        if vocabulary is not None:
            index._restore_vocabulary(vocabulary)
        return index

    def _restore_vocabulary(self, text: object) -> None:
        """Take the saved sorted vocabulary (sorting it again took 0.25 s at 1M papers).
        ``ValueError`` when it cannot be the one saved with these postings."""
        if not isinstance(text, str):
            raise ValueError("bad vocabulary")
        words = text.split("\n") if text else []
        largest = max((len(p) for p in self.main.values()), default=0)
        if len(words) < largest or (words and not words[0]):
            raise ValueError("bad vocabulary")
        self._sorted = words
        self._by_length = {}
        self._blob = ""
        self._blob_starts = []
        self._vocab_dirty = False
